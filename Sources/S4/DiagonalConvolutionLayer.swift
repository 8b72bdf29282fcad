import FFT
import HiPPO
import Numerics
import SeededRandom

/// The S4D convolution layer's forward pass (no training state):
///
///     y[b, h, :] = K[h, :] ∗ u[b, h, :] + D_h u[b, h, :],   K = kernel of a ``DiagonalSSM``,
///
/// with `u`, `y` laid out `B × H × L` (`SignalShape`). Kernel generation is
/// `O(H·N·L)`, the FFT convolution `O(B·H·L log L)`.
public struct DiagonalConvolutionLayer: Sendable {
  /// The `H` diagonal systems.
  public let system: DiagonalSSM
  /// `D`, `H` values.
  public let skip: [Double]

  /// - Throws: ``S4Error`` if `skip` does not have one finite value per channel.
  public init(system: DiagonalSSM, skip: [Double]) throws {
    guard skip.count == system.channels else {
      throw S4Error.shapeMismatch("D has \(skip.count) values, the system \(system.channels) channels")
    }
    guard skip.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("D") }
    self.system = system
    self.skip = skip
  }

  /// A seeded layer initialised as in the S4D paper: `λ` from `initialization`
  /// (`B = 1`), `C ~ CN(0, 1)` (real and imaginary parts `N(0, ½)`), `dt`
  /// log-uniform in `[10⁻³, 10⁻¹]`, `D ~ N(0, 1)`, ZOH.
  public static func random(
    channels: Int, stateSize: Int, initialization: S4DInitialization = .lin, seed: UInt64
  ) throws -> DiagonalConvolutionLayer {
    guard channels >= 1 else { throw S4Error.invalidSize("channels \(channels) must be at least 1") }
    let base = try initialization.system(stateSize: stateSize)
    var generator = SeededGenerator(seed: seed)
    let modes = base.lambda.count
    let c = (0..<(channels * modes)).map { _ in
      Complex(generator.nextStandardNormal() * 0.5.squareRoot(), generator.nextStandardNormal() * 0.5.squareRoot())
    }
    let dt = (0..<channels).map { _ in Double.exp(Double.log(1e-3) + generator.nextUnitInterval() * Double.log(100)) }
    let skip = (0..<channels).map { _ in generator.nextStandardNormal() }
    let repeated = { (values: [Complex<Double>]) in Array(Array(repeating: values, count: channels).joined()) }
    let system = try DiagonalSSM(lambda: repeated(base.lambda), b: repeated(base.b), c: c, dt: dt)
    return try DiagonalConvolutionLayer(system: system, skip: skip)
  }

  /// The kernels, `H × L`.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func kernel<Scalar: FFTScalar>(length: Int, as _: Scalar.Type = Double.self) throws -> [Scalar] {
    try system.kernel(length: length, as: Scalar.self)
  }

  /// The forward pass: kernel generation, then the FFT convolution with skip
  /// (`effort`: FFTW planning for a length not planned before).
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func forward<Scalar: FFTScalar>(_ u: [Scalar], shape: SignalShape, effort: PlanningEffort = .estimate)
    throws -> [Scalar]
  {
    try forward(u, shape: shape, kernel: kernel(length: shape.length, as: Scalar.self), effort: effort)
  }

  /// The convolution part alone, with a kernel computed before (`H × L`).
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func forward<Scalar: FFTScalar>(
    _ u: [Scalar], shape: SignalShape, kernel: [Scalar], effort: PlanningEffort = .estimate
  ) throws -> [Scalar] {
    guard shape.channels == system.channels else {
      throw S4Error.shapeMismatch("the input has \(shape.channels) channels, the layer \(system.channels)")
    }
    return try causalConvolution(u, shape: shape, kernel: kernel, skip: skip.map { Scalar($0) }, effort: effort)
  }
}

/// The gradients of ``DiagonalConvolutionLayer/forward(_:shape:effort:)``.
public struct DiagonalLayerGradients<Scalar: FFTScalar>: Sendable {
  /// `∂ℒ/∂u`, `B × H × L`.
  public let input: [Scalar]
  /// The SSM parameters' gradients (through the kernel).
  public let system: DiagonalSSMGradients
  /// `∂ℒ/∂D`, `H` values.
  public let skip: [Double]
}

extension DiagonalConvolutionLayer {
  /// The backward pass of ``forward(_:shape:effort:)``: the FFT convolution's
  /// gradients (`causalConvolutionGradients`)
  /// and then the kernel's (``DiagonalSSM/kernelGradients(_:length:)``).
  ///
  /// - Parameters:
  ///   - outputGradient: `∂ℒ/∂y`, `B × H × L`.
  ///   - input: the forward pass's `u`.
  ///   - shape: `(B × H × L)`.
  ///   - kernel: the forward pass's kernel if kept (`H × L`), else recomputed.
  ///   - effort: FFTW planning effort for a length not planned before.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func gradients<Scalar: FFTScalar>(
    outputGradient: [Scalar], input: [Scalar], shape: SignalShape, kernel: [Scalar]? = nil,
    effort: PlanningEffort = .estimate
  ) throws -> DiagonalLayerGradients<Scalar> {
    guard shape.channels == system.channels else {
      throw S4Error.shapeMismatch("the input has \(shape.channels) channels, the layer \(system.channels)")
    }
    let kernel = try kernel ?? self.kernel(length: shape.length, as: Scalar.self)
    let convolution = try causalConvolutionGradients(
      outputGradient: outputGradient, input: input, shape: shape, kernel: kernel, skip: skip.map { Scalar($0) },
      effort: effort)
    return DiagonalLayerGradients(
      input: convolution.input, system: try system.kernelGradients(convolution.kernel, length: shape.length),
      skip: convolution.skip.map { Double($0) })
  }
}
