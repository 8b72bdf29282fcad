import FFT
import Numerics
import S4

/// The trainable parameters of an S4 (DPLR) convolution layer with `H` channels, `M`
/// stored modes and rank `R`, as variables: `λ = −exp(r) + i·m`, `dt = exp(s)`, complex
/// `P`, `B`, `C̃` stored with a trailing axis of 2 (real, imaginary).
public struct S4Variables {
  /// `r = log(−Re λ)`, `H × M`.
  public var logNegativeRealLambda: Variable
  /// `Im λ`, `H × M`.
  public var imaginaryLambda: Variable
  /// `P`, `H × R × M × 2`.
  public var p: Variable
  /// `B`, `H × M × 2`.
  public var b: Variable
  /// `C̃ = C(I − Ā^L)`, `H × M × 2` (trained directly, as in S4).
  public var tildeC: Variable
  /// `s = log dt`, `H`.
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
  /// The S4 convolution layer `y = K(Λ, P, B, C̃, dt) ∗ u + D u` on `u` (`B × H × L`): the DPLR
  /// kernel by Cauchy sums and Woodbury (`DPLRSSM.kernel(length:tildeC:as:)`, float32),
  /// the FFT convolution, and their backward passes (FFT correlations, then
  /// `DPLRSSM.kernelGradients(_:length:tildeC:)` in float64).
  public func s4Convolution(_ input: Variable, _ parameters: S4Variables) throws -> Variable {
    let u = value(input)
    let (r, m) = (value(parameters.logNegativeRealLambda), value(parameters.imaginaryLambda))
    guard u.rank == 3, r.rank == 2, r.shape[0] == u.shape[1], m.shape == r.shape else {
      throw AutodiffError.shapeMismatch("S4 input \(u.shape) with λ parameters \(r.shape)")
    }
    let (channels, modes) = (r.shape[0], r.shape[1])
    let pShape = value(parameters.p).shape
    guard pShape.count == 4, pShape[0] == channels, pShape[2] == modes, pShape[3] == 2,
      value(parameters.b).shape == [channels, modes, 2], value(parameters.tildeC).shape == [channels, modes, 2],
      value(parameters.logDt).shape == [channels], value(parameters.skip).shape == [channels]
    else { throw AutodiffError.shapeMismatch("S4 parameters do not match \(channels) channels × \(modes) modes") }
    let tildeC = value(parameters.tildeC).complexValues
    // C only matters for C ↔ C̃ conversions, which this layer never makes.
    let system = try DPLRSSM(
      logNegativeRealLambda: r, imaginaryLambda: m, p: value(parameters.p), b: value(parameters.b),
      c: value(parameters.tildeC), logDt: value(parameters.logDt))
    let lambda = system.lambda
    let shape = try SignalShape(batch: u.shape[0], channels: channels, length: u.shape[2])
    let kernel = try system.kernel(length: shape.length, tildeC: tildeC, as: Float.self)
    let skip = value(parameters.skip).values
    let y = try causalConvolution(u.values, shape: shape, kernel: kernel, skip: skip)
    let inputs = [
      input, parameters.logNegativeRealLambda, parameters.imaginaryLambda, parameters.p, parameters.b,
      parameters.tildeC, parameters.logDt, parameters.skip,
    ]
    return record(Tensor(unchecked: u.shape, y), inputs: inputs) { g in
      // The forward pass succeeded with these values, so the backward pass cannot fail.
      let convolution = try! causalConvolutionGradients(
        outputGradient: g.values, input: u.values, shape: shape, kernel: kernel, skip: skip)
      let system = try! system.kernelGradients(
        convolution.kernel.map(Double.init), length: shape.length, tildeC: tildeC)
      return [
        Tensor(unchecked: u.shape, convolution.input),
        Tensor(unchecked: r.shape, zip(system.lambda, lambda).map { Float($0.real * $1.real) }),
        Tensor(unchecked: r.shape, system.lambda.map { Float($0.imaginary) }),
        try! Tensor(complexValues: system.p, shape: pShape),
        try! Tensor(complexValues: system.b, shape: [channels, modes, 2]),
        try! Tensor(complexValues: system.tildeC, shape: [channels, modes, 2]),
        Tensor(unchecked: [channels], system.logDt.map(Float.init)),
        Tensor(unchecked: [channels], convolution.skip),
      ]
    }
  }
}
