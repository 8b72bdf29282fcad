import Autodiff
import HiPPO
import SeededRandom

/// Which state space layer a block mixes its sequence with.
public enum SSMLayerKind: String, Sendable, Codable, CaseIterable {
  /// S4D: diagonal, S4D-Lin initialisation, ZOH, Vandermonde kernel.
  case diagonal
  /// S4: diagonal plus low rank from HiPPO-LegS, bilinear, Cauchy + Woodbury kernel, trained `C̃`.
  case dplr
}

/// A block's sequence-mixing layer: one of the two S4 parameterisations.
public enum SSMLayer {
  case diagonal(S4DLayerParameters)
  case dplr(S4LayerParameters)

  /// A seeded layer of `kind` named `name.*`; `bidirectional` (diagonal layers only) adds
  /// anti-causal kernels for tasks that may read the whole sequence.
  public init(
    kind: SSMLayerKind, name: String, channels: Int, stateSize: Int, bidirectional: Bool = false,
    generator: inout SeededGenerator
  ) throws {
    switch kind {
    case .diagonal:
      self = .diagonal(
        try S4DLayerParameters(
          name: name, channels: channels, stateSize: stateSize, bidirectional: bidirectional, generator: &generator))
    case .dplr:
      guard !bidirectional else { throw AutodiffError.invalidArgument("bidirectional layers are diagonal (S4D) only") }
      self = .dplr(
        try S4LayerParameters(
          name: name, channels: channels, stateSize: stateSize, measure: .legs, generator: &generator))
    }
  }

  /// The layer's parameters.
  public var parameters: [Parameter] {
    switch self {
    case .diagonal(let layer): return layer.parameters
    case .dplr(let layer): return layer.parameters
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
