import Autodiff
import Foundation
import HiPPO
import LayerOperations
import SeededRandom

/// The trainable parameters of an S4D convolution layer (`H` channels, `M = N/2` modes).
///
/// Initialisation follows the S4D paper: `λ` from an `S4DInitialization` (stored as
/// `log(−Re λ)` and `Im λ`), `B` from the same initialisation, `C ~ CN(0, 1)`,
/// `log dt` uniform in `[log dt_min, log dt_max]`, `D ~ N(0, 1)`. `λ`, `B` and `log dt` are
/// `ParameterRole/stateSpace` parameters (own learning rate, no weight decay).
public struct S4DLayerParameters: Layer {
  /// `log(−Re λ)`, `S × M` (`S = H`, or `2H` bidirectional).
  public let logNegativeRealLambda: Parameter
  /// `Im λ`, `S × M`.
  public let imaginaryLambda: Parameter
  /// `B`, `S × M × 2`.
  public let b: Parameter
  /// `C`, `S × M × 2`.
  public let c: Parameter
  /// `log dt`, `S`.
  public let logDt: Parameter
  /// `D`, `H`.
  public let skip: Parameter
  /// Whether the layer also reads the future (`2H` systems: `H` causal, `H` anti-causal kernels).
  public let bidirectional: Bool

  /// Seeded parameters named `name.*`.
  public init(
    name: String, channels: Int, stateSize: Int, initialization: S4DInitialization = .lin,
    dtRange: ClosedRange<Double> = 1e-3...1e-1, bidirectional: Bool = false, generator: inout SeededGenerator
  ) throws {
    self.bidirectional = bidirectional
    let systems = bidirectional ? 2 * channels : channels
    let system = try initialization.system(stateSize: stateSize)
    let modes = system.lambda.count
    let repeated = { (values: [Double]) in Array(Array(repeating: values, count: systems).joined()).map(Float.init) }
    logNegativeRealLambda = Parameter(
      name: "\(name).logNegativeRealLambda",
      value: try Tensor(shape: [systems, modes], values: repeated(system.lambda.map { Foundation.log(-$0.real) })),
      role: .stateSpace)
    imaginaryLambda = Parameter(
      name: "\(name).imaginaryLambda",
      value: try Tensor(shape: [systems, modes], values: repeated(system.lambda.map(\.imaginary))), role: .stateSpace)
    b = Parameter(
      name: "\(name).b",
      value: try Tensor(shape: [systems, modes, 2], values: repeated(system.b.flatMap { [$0.real, $0.imaginary] })),
      role: .stateSpace)
    (self.c, skip, logDt) = Initialization.outputSkipAndStep(
      name: name, outputName: "c", channels: channels, systems: systems, modes: modes, dtRange: dtRange,
      generator: &generator)
  }

  /// The S4D convolution of `u` (`B × H × L`) on `tape`.
  public func callAsFunction(_ u: Variable, on tape: Tape) throws -> Variable {
    try tape.s4dConvolution(
      u,
      S4DVariables(
        logNegativeRealLambda: tape.parameter(logNegativeRealLambda), imaginaryLambda: tape.parameter(imaginaryLambda),
        b: tape.parameter(b), c: tape.parameter(c), logDt: tape.parameter(logDt), skip: tape.parameter(skip)),
      bidirectional: bidirectional)
  }
}
