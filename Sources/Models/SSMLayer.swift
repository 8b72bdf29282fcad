import Autodiff
import HiPPO
import SeededRandom

/// Which state space layer a block mixes its sequence with.
public enum SSMLayerKind: String, Sendable, Codable, CaseIterable {
  /// S4D: diagonal (S4D-Lin initialisation unless the model configuration names another), ZOH,
  /// Vandermonde kernel.
  case diagonal
  /// S4: diagonal plus low rank from HiPPO-LegS, bilinear, Cauchy + Woodbury kernel, trained `C̃`
  /// (other measures through ``S4LayerParameters`` directly).
  case dplr
}

/// A block's sequence-mixing layer: one of the two S4 parameterisations.
public enum SSMLayer: Layer {
  /// An S4D layer.
  case diagonal(S4DLayerParameters)
  /// An S4 (DPLR) layer.
  case dplr(S4LayerParameters)

  /// A seeded layer of `kind` named `name.*` (diagonal layers from `initialization`, S4D-Lin by
  /// default; DPLR layers from HiPPO-LegS);
  /// `bidirectional` adds `H` anti-causal kernels (`2H` systems) for tasks that may read the
  /// whole sequence: `y_t = Σ_{s≤t} K[t−s] u_s + Σ_{s>t} K̃[s−t−1] u_s + D u_t`. Other DPLR
  /// initialisations: build an ``S4LayerParameters`` and wrap it in ``dplr(_:)``. Each channel's
  /// `dt` starts log-uniform in `dtRange` (longer memories need a smaller `dt_min`: a mode with
  /// step `dt` and `Re λ = −½` forgets over ~`2/dt` tokens). `horizon` is a DPLR layer's kernel
  /// horizon (``S4LayerParameters/horizon``); diagonal layers train `C` itself and have none.
  public init(
    kind: SSMLayerKind, name: String, channels: Int, stateSize: Int, bidirectional: Bool = false,
    dtRange: ClosedRange<Double> = 1e-3...1e-1, initialization: S4DInitialization = .lin,
    horizon: Int = S4LayerParameters.defaultHorizon, generator: inout SeededGenerator
  ) throws {
    switch kind {
    case .diagonal:
      self = .diagonal(
        try S4DLayerParameters(
          name: name, channels: channels, stateSize: stateSize, initialization: initialization, dtRange: dtRange,
          bidirectional: bidirectional, generator: &generator))
    case .dplr:
      self = .dplr(
        try S4LayerParameters(
          name: name, channels: channels, stateSize: stateSize, measure: .legs, dtRange: dtRange,
          bidirectional: bidirectional, horizon: horizon, generator: &generator))
    }
  }

  /// Whether the layer also reads the future (anti-causal kernels; no recurrent mode).
  public var bidirectional: Bool {
    switch self {
    case .diagonal(let layer): return layer.bidirectional
    case .dplr(let layer): return layer.bidirectional
    }
  }

  /// The convolution of `u` (`B × H × L`) on `tape`.
  public func callAsFunction(_ u: Variable, on tape: Tape) throws -> Variable {
    switch self {
    case .diagonal(let layer): return try layer(u, on: tape)
    case .dplr(let layer): return try layer(u, on: tape)
    }
  }
}
