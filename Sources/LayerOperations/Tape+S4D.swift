import Autodiff
import FFT
import Numerics
import S4

/// The trainable parameters of an S4D convolution layer with `H` channels and `M`
/// stored modes, as variables on a tape: `λ = −exp(r) + i·m`, `dt = exp(s)`, complex
/// `B`, `C` stored as `[…, 2]` (real, imaginary).
public struct S4DVariables {
  /// `r = log(−Re λ)`, `H × M`.
  public var logNegativeRealLambda: Variable
  /// `Im λ`, `H × M`.
  public var imaginaryLambda: Variable
  /// `B`, `H × M × 2`.
  public var b: Variable
  /// `C`, `H × M × 2`.
  public var c: Variable
  /// `s = log dt`, `H`.
  public var logDt: Variable
  /// `D`, `H`.
  public var skip: Variable

  /// Groups six variables recorded on the same tape.
  public init(
    logNegativeRealLambda: Variable, imaginaryLambda: Variable, b: Variable, c: Variable, logDt: Variable,
    skip: Variable
  ) {
    self.logNegativeRealLambda = logNegativeRealLambda
    self.imaginaryLambda = imaginaryLambda
    self.b = b
    self.c = c
    self.logDt = logDt
    self.skip = skip
  }
}

extension Tape {
  /// The S4D convolution layer `y = K(λ, B, C, dt) ∗ u + D u` on `u` (`B × H × L`), as one
  /// coarse operation: the kernel by `DiagonalSSM.kernel(length:as:)` (float32 fast path,
  /// parameters discretised in float64), the FFT convolution, and their backward passes
  /// (`causalConvolutionGradients`, then `DiagonalSSM.kernelGradients`).
  ///
  /// With `bidirectional`, the SSM parameters describe `2H` channels: the first `H` kernels act
  /// causally and the last `H` anti-causally (`y_t += Σ_{s>t} K̃[s−t−1] u_s`), as in S4's
  /// bidirectional layers; `D` stays `H`.
  public func s4dConvolution(
    _ input: Variable, _ parameters: S4DVariables, discretization: DiagonalDiscretization = .zoh,
    bidirectional: Bool = false
  ) throws -> Variable {
    let u = value(input)
    let (r, m) = (value(parameters.logNegativeRealLambda), value(parameters.imaginaryLambda))
    let kernels = bidirectional ? 2 : 1
    guard u.rank == 3, r.rank == 2, r.shape[0] == kernels * u.shape[1] else {
      throw AutodiffError.shapeMismatch("S4D input \(u.shape) with λ parameters \(r.shape)")
    }
    let (channels, systems, modes) = (u.shape[1], r.shape[0], r.shape[1])
    let complexShape = [systems, modes, 2]
    guard m.shape == r.shape, value(parameters.b).shape == complexShape, value(parameters.c).shape == complexShape,
      value(parameters.logDt).shape == [systems], value(parameters.skip).shape == [channels]
    else { throw AutodiffError.shapeMismatch("S4D parameters do not match \(systems) systems × \(modes) modes") }
    let system = try DiagonalSSM(
      logNegativeRealLambda: r, imaginaryLambda: m, b: value(parameters.b), c: value(parameters.c),
      logDt: value(parameters.logDt), discretization: discretization)
    let shape = try SignalShape(batch: u.shape[0], channels: channels, length: u.shape[2])
    let kernel = try system.kernel(length: shape.length, as: Float.self)
    let convolution = SSMKernelConvolution(
      shape: shape, kernels: kernel, bidirectional: bidirectional, skip: value(parameters.skip).values)
    let y = try convolution.apply(u.values)
    let inputs = [
      input, parameters.logNegativeRealLambda, parameters.imaginaryLambda, parameters.b, parameters.c,
      parameters.logDt, parameters.skip,
    ]
    return record(value: Tensor(unchecked: u.shape, y), inputs: inputs) { g in
      let backward = try convolution.gradients(outputGradient: g.values, input: u.values)
      let kernelGradient = backward.kernels
      let gradients = try system.kernelGradients(kernelGradient, length: shape.length)
      return [
        Tensor(unchecked: u.shape, backward.input),
        Tensor(unchecked: r.shape, gradients.logNegativeRealLambda.map(Float.init)),
        Tensor(unchecked: r.shape, gradients.imaginaryLambda.map(Float.init)),
        try Tensor(complexValues: gradients.b, shape: complexShape),
        try Tensor(complexValues: gradients.c, shape: complexShape),
        Tensor(unchecked: [systems], gradients.logDt.map(Float.init)),
        Tensor(unchecked: [channels], backward.skip),
      ]
    }
  }
}
