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
  /// The S4D convolution layer `y = K(λ, B, C, dt) ∗ u + D u` on `u` (`B × H × L`), as
  /// one coarse operation: forward by `DiagonalConvolutionLayer.forward(_:shape:effort:)`
  /// (float32 fast path, parameters converted to float64 for discretisation), backward by
  /// `DiagonalConvolutionLayer.gradients`.
  public func s4dConvolution(
    _ input: Variable, _ parameters: S4DVariables, discretization: DiagonalDiscretization = .zoh
  ) throws -> Variable {
    let u = value(input)
    let (r, m) = (value(parameters.logNegativeRealLambda), value(parameters.imaginaryLambda))
    guard u.rank == 3, r.rank == 2, r.shape[0] == u.shape[1] else {
      throw AutodiffError.shapeMismatch("S4D input \(u.shape) with λ parameters \(r.shape)")
    }
    let (channels, modes) = (r.shape[0], r.shape[1])
    let complexShape = [channels, modes, 2]
    guard m.shape == r.shape, value(parameters.b).shape == complexShape, value(parameters.c).shape == complexShape,
      value(parameters.logDt).shape == [channels], value(parameters.skip).shape == [channels]
    else { throw AutodiffError.shapeMismatch("S4D parameters do not match \(channels) channels × \(modes) modes") }
    let complex = { (t: Tensor) in
      (0..<(channels * modes)).map { Complex(Double(t.values[2 * $0]), Double(t.values[2 * $0 + 1])) }
    }
    let system = try DiagonalSSM(
      lambda: zip(r.values, m.values).map { Complex(-Double.exp(Double($0)), Double($1)) },
      b: complex(value(parameters.b)), c: complex(value(parameters.c)),
      dt: value(parameters.logDt).values.map { Double.exp(Double($0)) }, discretization: discretization)
    let layer = try DiagonalConvolutionLayer(system: system, skip: value(parameters.skip).values.map(Double.init))
    let shape = try SignalShape(batch: u.shape[0], channels: u.shape[1], length: u.shape[2])
    let kernel = try layer.kernel(length: shape.length, as: Float.self)
    let y = try layer.forward(u.values, shape: shape, kernel: kernel)
    let inputs = [
      input, parameters.logNegativeRealLambda, parameters.imaginaryLambda, parameters.b, parameters.c,
      parameters.logDt, parameters.skip,
    ]
    return record(Tensor(unchecked: u.shape, y), inputs: inputs) { g in
      // The forward pass succeeded with these values, so the backward pass cannot fail.
      let gradients = try! layer.gradients(outputGradient: g.values, input: u.values, shape: shape, kernel: kernel)
      let pairs = { (values: [Complex<Double>]) in values.flatMap { [Float($0.real), Float($0.imaginary)] } }
      return [
        Tensor(unchecked: u.shape, gradients.input),
        Tensor(unchecked: r.shape, gradients.system.logNegativeRealLambda.map(Float.init)),
        Tensor(unchecked: r.shape, gradients.system.imaginaryLambda.map(Float.init)),
        Tensor(unchecked: complexShape, pairs(gradients.system.b)),
        Tensor(unchecked: complexShape, pairs(gradients.system.c)),
        Tensor(unchecked: [channels], gradients.system.logDt.map(Float.init)),
        Tensor(unchecked: [channels], gradients.skip.map(Float.init)),
      ]
    }
  }
}
