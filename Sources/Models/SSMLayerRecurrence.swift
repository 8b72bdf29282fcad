import Autodiff
import LayerOperations
import Numerics
import S4

/// An S4 layer in recurrent mode: its discretised system and the hidden state of `B`
/// sequences, `x_k = Ā x_{k−1} + B̄ u_k`, `y_k = C x_k + D u_k` (`O(N)` per channel and token).
public struct SSMLayerRecurrence {
  enum Core {
    case diagonal(DiagonalRecurrence<Float>, DiagonalState<Float>)
    case dplr(DPLRRecurrence<Float>, [Complex<Float>])
  }

  var core: Core
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
    switch core {
    case .diagonal(let recurrence, var state):
      let y =
        length == 1
        ? try recurrence.step(u, skip: skip, state: &state)
        : try recurrence.run(u, length: length, skip: skip, state: &state)
      core = .diagonal(recurrence, state)
      return y
    case .dplr(let recurrence, var state):
      let y = try recurrence.run(u, length: length, skip: skip, state: &state)
      core = .dplr(recurrence, state)
      return y
    }
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
        core: .diagonal(recurrence, recurrence.initialState(batch: batch)), skip: layer.skip.value.values,
        channels: system.channels, batch: batch)
    case .dplr(let layer):
      let withTildeC = try DPLRSSM(
        logNegativeRealLambda: layer.logNegativeRealLambda.value, imaginaryLambda: layer.imaginaryLambda.value,
        p: layer.p.value, b: layer.b.value, c: layer.tildeC.value, logDt: layer.logDt.value)
      let system = try DPLRSSM(
        lambda: withTildeC.lambda, p: withTildeC.p, b: withTildeC.b,
        c: withTildeC.c(fromTildeC: withTildeC.c, length: layer.horizon), dt: withTildeC.dt)
      let recurrence = try DPLRRecurrence<Float>(system)
      return SSMLayerRecurrence(
        core: .dplr(recurrence, recurrence.initialState(batch: batch)), skip: layer.skip.value.values,
        channels: system.channels, batch: batch)
    }
  }
}
