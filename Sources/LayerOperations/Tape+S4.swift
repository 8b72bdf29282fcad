import Autodiff
import FFT
import Numerics
import S4

/// The trainable parameters of an S4 (DPLR) convolution layer with `H` channels, `S` systems
/// (`S = H`, or `2H` for a bidirectional layer), `M` stored modes and rank `R`, as variables:
/// `λ = −exp(r) + i·m`, `dt = exp(s)`, complex `P`, `B`, `C̃` stored with a trailing axis of 2
/// (real, imaginary).
public struct S4Variables {
  /// `r = log(−Re λ)`, `S × M`.
  public var logNegativeRealLambda: Variable
  /// `Im λ`, `S × M`.
  public var imaginaryLambda: Variable
  /// `P`, `S × R × M × 2`.
  public var p: Variable
  /// `B`, `S × M × 2`.
  public var b: Variable
  /// `C̃ = C(I − Ā^L)`, `S × M × 2` (trained directly, as in S4).
  public var tildeC: Variable
  /// `s = log dt`, `S`.
  public var logDt: Variable
  /// `D`, `H`.
  public var skip: Variable

  /// Groups seven variables recorded on the same tape.
  public init(
    logNegativeRealLambda: Variable, imaginaryLambda: Variable, p: Variable, b: Variable, tildeC: Variable,
    logDt: Variable, skip: Variable
  ) {
    self.logNegativeRealLambda = logNegativeRealLambda
    self.imaginaryLambda = imaginaryLambda
    self.p = p
    self.b = b
    self.tildeC = tildeC
    self.logDt = logDt
    self.skip = skip
  }
}

extension Tape {
  /// The S4 convolution layer `y = K(Λ, P, B, C̃, dt) ∗ u + D u` on `u` (`B × H × L′`): the DPLR
  /// kernel by Cauchy sums and Woodbury (`DPLRSSM.kernel(length:tildeC:as:)`, float32),
  /// the FFT convolution, and their backward passes (FFT correlations, then
  /// `DPLRSSM.kernelGradients(_:length:tildeC:)` in float64).
  ///
  /// ## The kernel horizon
  ///
  /// `C̃` is the output vector of the truncated generating function at a fixed horizon `L_h`,
  /// `C̃ = C (I − Ā^{L_h})`, so the layer's function is that of the plain SSM with
  /// `C = C̃ (I − Ā^{L_h})⁻¹`, whatever the input's length:
  ///
  /// - `L′ ≤ L_h`: the kernel is computed at `L_h` and its first `L′` taps convolve `u`
  ///   (`K_l = C Ā^l B̄`, `l < L′`); the gradient of the unused taps is zero.
  /// - `L′ > L_h`: the horizon is doubled until it covers `L′`, `L″ = 2^k L_h`, with the output
  ///   vector converted exactly, `C̃″ = C̃ (I − Ā^{L_h})⁻¹ (I − Ā^{L″})`
  ///   (`DPLRSSM.convertTildeC(_:from:to:)`, as the official S4 code's `double_length`). This
  ///   path has no backward pass: a tape that records gradients refuses it (train at lengths
  ///   `≤ L_h`, or build the layer with a longer horizon).
  ///
  /// So logits at a position never depend on how long the sequence is, and the recurrent mode
  /// (which steps with that `C`) equals this convolution at every length.
  ///
  /// With `bidirectional`, the SSM parameters describe `S = 2H` systems: the kernels `K` of the
  /// first `H` act causally and the kernels `K̃` of the last `H` anti-causally,
  ///
  ///     y_t = Σ_{s≤t} K[t−s] u_s + Σ_{s>t} K̃[s−t−1] u_s + D u_t,
  ///
  /// as in S4's bidirectional layers (one circular convolution with `[K, reverse(K̃)]` of
  /// length `2L′`, `FFT.bidirectionalConvolution`); `D` stays `H`. The backward pass splits
  /// `∂ℒ/∂[K, K̃]` (`FFT.bidirectionalConvolutionGradients`) and backpropagates both through
  /// the `2H` kernels at once.
  ///
  /// - Parameters:
  ///   - input: `u`, `B × H × L′`.
  ///   - parameters: `λ`, `P`, `B`, `C̃`, `log dt` for `S` systems (`S = H`, or `2H` when
  ///     `bidirectional`), `D` for `H` channels.
  ///   - bidirectional: whether the last `H` systems read the future.
  ///   - horizon: `L_h ≥ 1`, the length at which `C̃` is defined.
  /// - Throws: ``AutodiffError/shapeMismatch(_:)`` for inconsistent shapes,
  ///   ``AutodiffError/invalidArgument(_:)`` for `L_h < 1` or a recorded input longer than `L_h`,
  ///   and the S4/FFT errors for invalid systems (`Re λ ≥ 0`, `dt ≤ 0`, non-finite values).
  public func s4Convolution(_ input: Variable, _ parameters: S4Variables, bidirectional: Bool = false, horizon: Int)
    throws -> Variable
  {
    let u = value(input)
    let (r, m) = (value(parameters.logNegativeRealLambda), value(parameters.imaginaryLambda))
    let kernels = bidirectional ? 2 : 1
    guard u.rank == 3, r.rank == 2, r.shape[0] == kernels * u.shape[1], m.shape == r.shape else {
      throw AutodiffError.shapeMismatch("S4 input \(u.shape) with λ parameters \(r.shape)")
    }
    let (channels, systems, modes) = (u.shape[1], r.shape[0], r.shape[1])
    let pShape = value(parameters.p).shape
    guard pShape.count == 4, pShape[0] == systems, pShape[2] == modes, pShape[3] == 2,
      value(parameters.b).shape == [systems, modes, 2], value(parameters.tildeC).shape == [systems, modes, 2],
      value(parameters.logDt).shape == [systems], value(parameters.skip).shape == [channels]
    else { throw AutodiffError.shapeMismatch("S4 parameters do not match \(systems) systems × \(modes) modes") }
    guard horizon >= 1 else { throw AutodiffError.invalidArgument("kernel horizon \(horizon) must be ≥ 1") }
    let length = u.shape[2]
    guard length <= horizon || !recordsGradients else {
      throw AutodiffError.invalidArgument(
        "an S4 layer with kernel horizon \(horizon) trains on sequences of at most that length, got \(length): "
          + "build the layer with a horizon ≥ \(length)")
    }
    let tildeC = value(parameters.tildeC).complexValues
    // C only matters for C ↔ C̃ conversions, which go through convertTildeC here.
    let system = try DPLRSSM(
      logNegativeRealLambda: r, imaginaryLambda: m, p: value(parameters.p), b: value(parameters.b),
      c: value(parameters.tildeC), logDt: value(parameters.logDt))
    let lambda = system.lambda
    var kernelLength = horizon
    while kernelLength < length { kernelLength *= 2 }
    let kernelTildeC =
      kernelLength == horizon ? tildeC : try system.convertTildeC(tildeC, from: horizon, to: kernelLength)
    let fullKernel = try system.kernel(length: kernelLength, tildeC: kernelTildeC, as: Float.self)
    let shape = try SignalShape(batch: u.shape[0], channels: channels, length: length)
    let convolution = SSMKernelConvolution(
      shape: shape, kernels: leadingTaps(fullKernel, rows: systems, of: kernelLength, keeping: length),
      bidirectional: bidirectional, skip: value(parameters.skip).values)
    let y = try convolution.apply(u.values)
    let inputs = [
      input, parameters.logNegativeRealLambda, parameters.imaginaryLambda, parameters.p, parameters.b,
      parameters.tildeC, parameters.logDt, parameters.skip,
    ]
    return record(value: Tensor(unchecked: u.shape, y), inputs: inputs) { g in
      let backward = try convolution.gradients(outputGradient: g.values, input: u.values)
      // Recording tapes only reach here with length ≤ horizon = kernelLength: pad the unused taps with zeros.
      var kernelGradient = [Double](repeating: 0, count: systems * horizon)
      for row in 0..<systems {
        for l in 0..<length { kernelGradient[row * horizon + l] = Double(backward.kernels[row * length + l]) }
      }
      let system = try system.kernelGradients(kernelGradient, length: horizon, tildeC: tildeC)
      return [
        Tensor(unchecked: u.shape, backward.input),
        Tensor(unchecked: r.shape, zip(system.lambda, lambda).map { Float($0.real * $1.real) }),
        Tensor(unchecked: r.shape, system.lambda.map { Float($0.imaginary) }),
        try Tensor(complexValues: system.p, shape: pShape),
        try Tensor(complexValues: system.b, shape: [systems, modes, 2]),
        try Tensor(complexValues: system.tildeC, shape: [systems, modes, 2]),
        Tensor(unchecked: [systems], system.logDt.map(Float.init)),
        Tensor(unchecked: [channels], backward.skip),
      ]
    }
  }
}

/// The first `keeping` taps of each of `rows` kernels of length `length` (row-major `rows × length`).
private func leadingTaps(_ kernels: [Float], rows: Int, of length: Int, keeping: Int) -> [Float] {
  guard keeping < length else { return kernels }
  var result = [Float](repeating: 0, count: rows * keeping)
  for row in 0..<rows {
    result[(row * keeping)..<((row + 1) * keeping)] = kernels[(row * length)..<(row * length + keeping)]
  }
  return result
}
