import Autodiff
import LayerOperations
import Numerics
import S4

/// An S4 layer in recurrent mode: its discretised system and the hidden state of `B`
/// sequences, `x_k = Ā x_{k−1} + B̄ u_k`, `y_k = C x_k + D u_k` (`O(N)` per channel and token).
public struct SSMLayerRecurrence {
  /// The discretised system and the hidden state of its kind, kept apart so that a step updates
  /// the state's storage in place (a state inside an enum payload would be copied every step).
  enum System {
    case diagonal(DiagonalRecurrence<Float>)
    case dplr(DPLRRecurrence<Float>)
  }

  let system: System
  /// The hidden state of a diagonal layer, `B × H × N/2` complex (`nil` for DPLR).
  var diagonalState: DiagonalState<Float>?
  /// The hidden state of a DPLR layer, `B × H × N` complex (empty for a diagonal layer).
  var dplrState: [Complex<Float>]
  /// `D`, `H`.
  let skip: [Float]
  /// `H`.
  public let channels: Int
  /// `B`.
  public let batch: Int

  /// Advances every sequence by `length` inputs.
  /// - Parameters:
  ///   - u: `B × H × L` inputs.
  ///   - length: `L ≥ 1`.
  /// - Returns: `y`, `B × H × L`.
  public mutating func run(_ u: [Float], length: Int) throws -> [Float] {
    switch system {
    case .diagonal(let recurrence):
      return length == 1
        ? try recurrence.step(u, skip: skip, state: &diagonalState!)
        : try recurrence.run(u, length: length, skip: skip, state: &diagonalState!)
    case .dplr(let recurrence):
      return try recurrence.run(u, length: length, skip: skip, state: &dplrState)
    }
  }

  /// Whether ``step(_:into:)`` applies: a diagonal (S4D) layer.
  var isDiagonal: Bool {
    if case .diagonal = system { return true }
    return false
  }

  /// One input per sequence, `u` (`B × H`), into `y` (`B × H`) without allocating, for a diagonal
  /// layer (see ``isDiagonal``).
  /// - Throws: for a DPLR layer, sizes other than `B × H`, a non-finite input.
  mutating func step(_ u: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) throws {
    guard case .diagonal(let recurrence) = system else {
      throw AutodiffError.invalidArgument("an allocation-free step needs a diagonal (S4D) layer")
    }
    try recurrence.step(u, skip: skip, state: &diagonalState!, into: y)
  }
}

extension SSMLayer {
  /// The layer in recurrent mode with a zero state for `batch` sequences.
  ///
  /// - Parameters:
  /// A DPLR layer trains `C̃ = C (I − Ā^{L_h})` at its kernel horizon `L_h`
  /// (``S4LayerParameters/horizon``) and steps with `C = C̃ (I − Ā^{L_h})⁻¹`, the `C` its
  /// convolution mode applies at every length, so the two modes agree at any length.
  ///
  /// - Parameter batch: sequences `B ≥ 1`.
  /// - Throws: for bidirectional layers (they read the future, so they have no recurrent mode).
  public func recurrence(batch: Int) throws -> SSMLayerRecurrence {
    guard batch >= 1 else { throw AutodiffError.invalidArgument("a recurrent state needs batch ≥ 1, got \(batch)") }
    guard !bidirectional else {
      throw AutodiffError.invalidArgument(
        "a bidirectional layer reads the future (its anti-causal kernels sum over s > t): it has no recurrent mode")
    }
    switch self {
    case .diagonal(let layer):
      let system = try DiagonalSSM(
        logNegativeRealLambda: layer.logNegativeRealLambda.value, imaginaryLambda: layer.imaginaryLambda.value,
        b: layer.b.value, c: layer.c.value, logDt: layer.logDt.value, discretization: .zoh)
      let recurrence = DiagonalRecurrence<Float>(system)
      return SSMLayerRecurrence(
        system: .diagonal(recurrence), diagonalState: recurrence.initialState(batch: batch), dplrState: [],
        skip: layer.skip.value.values, channels: system.channels, batch: batch)
    case .dplr(let layer):
      let withTildeC = try DPLRSSM(
        logNegativeRealLambda: layer.logNegativeRealLambda.value, imaginaryLambda: layer.imaginaryLambda.value,
        p: layer.p.value, b: layer.b.value, c: layer.tildeC.value, logDt: layer.logDt.value)
      let system = try DPLRSSM(
        lambda: withTildeC.lambda, p: withTildeC.p, b: withTildeC.b,
        c: withTildeC.c(fromTildeC: withTildeC.c, length: layer.horizon), dt: withTildeC.dt)
      let recurrence = try DPLRRecurrence<Float>(system)
      return SSMLayerRecurrence(
        system: .dplr(recurrence), diagonalState: nil, dplrState: recurrence.initialState(batch: batch),
        skip: layer.skip.value.values, channels: system.channels, batch: batch)
    }
  }
}
