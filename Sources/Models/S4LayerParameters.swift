import Autodiff
import Foundation
import HiPPO
import Numerics
import SeededRandom

/// The trainable parameters of an S4 (DPLR) convolution layer (`H` channels, `M = N/2` modes,
/// rank `R`), initialised from a HiPPO measure's DPLR form: `Λ`, `P̃`, `B̃` of
/// `HiPPO/Measure/dplr(stateSize:rank:)` in every channel (stored as `log(−Re λ)`, `Im λ`),
/// `C̃ ~ CN(0, 1)`, `log dt` uniform in `[log dt_min, log dt_max]`, `D ~ N(0, 1)`. `Λ`, `P`, `B`
/// and `log dt` are `ParameterRole/stateSpace` parameters.
public struct S4LayerParameters {
  /// `log(−Re λ)`, `H × M`.
  public let logNegativeRealLambda: Parameter
  /// `Im λ`, `H × M`.
  public let imaginaryLambda: Parameter
  /// `P`, `H × R × M × 2`.
  public let p: Parameter
  /// `B`, `H × M × 2`.
  public let b: Parameter
  /// `C̃`, `H × M × 2`.
  public let tildeC: Parameter
  /// `log dt`, `H`.
  public let logDt: Parameter
  /// `D`, `H`.
  public let skip: Parameter

  /// Seeded parameters named `name.*`.
  /// - Throws: for a measure whose DPLR eigenvalues are not strictly stable (`Re λ ≥ 0`,
  ///   e.g. LegT), which the Cauchy kernel cannot evaluate reliably.
  public init(
    name: String, channels: Int, stateSize: Int, measure: Measure = .legs, dtRange: ClosedRange<Double> = 1e-3...1e-1,
    generator: inout SeededGenerator
  ) throws {
    let dplr = try measure.dplr(stateSize: stateSize)
    guard dplr.lambda.allSatisfy({ $0.real < 0 }) else {
      throw AutodiffError.invalidArgument("the DPLR form of \(measure) has Re λ ≥ 0; use legs or tlagt")
    }
    let (modes, rank) = (dplr.lambda.count, dplr.p.rows)
    let repeated = { (values: [Float]) in Array(Array(repeating: values, count: channels).joined()) }
    logNegativeRealLambda = Parameter(
      name: "\(name).logNegativeRealLambda",
      value: try Tensor(
        shape: [channels, modes], values: repeated(dplr.lambda.map { Float(Foundation.log(-$0.real)) })),
      role: .stateSpace)
    imaginaryLambda = Parameter(
      name: "\(name).imaginaryLambda",
      value: try Tensor(shape: [channels, modes], values: repeated(dplr.lambda.map { Float($0.imaginary) })),
      role: .stateSpace)
    p = Parameter(
      name: "\(name).p",
      value: try Tensor(shape: [channels, rank, modes, 2], values: repeated(Tensor.interleaved(dplr.p.elements))),
      role: .stateSpace)
    b = Parameter(
      name: "\(name).b", value: try Tensor(shape: [channels, modes, 2], values: repeated(Tensor.interleaved(dplr.b))),
      role: .stateSpace)
    (self.tildeC, skip, logDt) = Initialization.outputSkipAndStep(
      name: name, outputName: "tildeC", channels: channels, systems: channels, modes: modes, dtRange: dtRange,
      generator: &generator)
  }

  /// All seven parameters.
  public var parameters: [Parameter] { [logNegativeRealLambda, imaginaryLambda, p, b, tildeC, logDt, skip] }

  /// The S4 convolution of `u` (`B × H × L`) on `tape`.
  public func callAsFunction(_ u: Variable, on tape: Tape) throws -> Variable {
    try tape.s4Convolution(
      u,
      S4Variables(
        logNegativeRealLambda: tape.parameter(logNegativeRealLambda), imaginaryLambda: tape.parameter(imaginaryLambda),
        p: tape.parameter(p), b: tape.parameter(b), tildeC: tape.parameter(tildeC), logDt: tape.parameter(logDt),
        skip: tape.parameter(skip)))
  }
}
