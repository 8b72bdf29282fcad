import Autodiff
import Foundation
import HiPPO
import LayerOperations
import Numerics
import SeededRandom

/// The trainable parameters of an S4 (DPLR) convolution layer (`H` channels, `S` systems,
/// `M = N/2` modes, rank `R`), initialised from a HiPPO measure's DPLR form: `Λ`, `P̃`, `B̃` of
/// `HiPPO/Measure/dplr(stateSize:rank:)` in every system (stored as `log(−Re λ)`, `Im λ`),
/// `C̃ ~ CN(0, 1)`, `log dt` uniform in `[log dt_min, log dt_max]`, `D ~ N(0, 1)`. `Λ`, `P`, `B`
/// and `log dt` are `ParameterRole/stateSpace` parameters. `S = H`, or `2H` for a bidirectional
/// layer (the last `H` systems act anti-causally, see `Tape.s4Convolution(_:_:bidirectional:horizon:)`).
///
/// ## The kernel horizon
///
/// S4 trains `C̃ = C (I − Ā^{L_h})` rather than `C`, the output vector of the kernel's generating
/// function truncated at a fixed horizon ``horizon`` `L_h`. The layer computes the function of
/// `C = C̃ (I − Ā^{L_h})⁻¹` at every input length: shorter inputs use the first taps of the
/// horizon's kernel, longer ones double the horizon with the exact `C̃` conversion, and the
/// recurrent mode steps with that `C` (see `Tape.s4Convolution(_:_:bidirectional:horizon:)`).
/// Training runs set the horizon to their sequence length; checkpoints record it.
///
/// ## Marginally stable measures
///
/// The normal part of a HiPPO operator is `A + PᵀP = cI + S` (`S` skew-symmetric), so every
/// DPLR eigenvalue has `Re λ = c`. LegS (`c = −½`) and TLagT(β > 0) (`c = −β/2`) are strictly
/// stable; LegT, the official LagT and FouT have `c = 0`: their operators decay through the
/// `−PP*` term, but `Λ` alone lies on the imaginary axis, where `log(−Re λ)` is undefined and
/// the Cauchy sums `Σ 1/((2/dt)(1 − z) − (1 + z)λ)` can meet a pole on the unit circle. Such measures are refused
/// unless `minimumDecay` `ε > 0` is given: then every `Re λ` is clamped to at most `−ε`,
///
///     λ′ = min(Re λ, −ε) + i Im λ,
///
/// which for `c = 0` is the shifted operator `A′ = A − εI` (every mode decays at least at rate
/// `ε`), and `log(−Re λ′) = log ε` is learned from there. This is what the official S4 code does
/// (`Re λ` clamped to `≤ −1e-4` before taking the logarithm), so ``officialMinimumDecay`` is
/// `1e-4`; a larger `ε` trades a shorter memory (`e^{−εt}`) for better conditioned Cauchy sums.
public struct S4LayerParameters: Layer {
  /// `log(−Re λ)`, `S × M`.
  public let logNegativeRealLambda: Parameter
  /// `Im λ`, `S × M`.
  public let imaginaryLambda: Parameter
  /// `P`, `S × R × M × 2`.
  public let p: Parameter
  /// `B`, `S × M × 2`.
  public let b: Parameter
  /// `C̃`, `S × M × 2`.
  public let tildeC: Parameter
  /// `log dt`, `S`.
  public let logDt: Parameter
  /// `D`, `H`.
  public let skip: Parameter
  /// Whether the layer also reads the future (`2H` systems: `H` causal, `H` anti-causal kernels).
  public let bidirectional: Bool
  /// `L_h ≥ 1`, the length at which ``tildeC`` is defined (see "The kernel horizon").
  public let horizon: Int

  /// The horizon of layers built without one: 1 024 positions.
  public static let defaultHorizon = 1024

  /// The clamp `ε = 1e-4` of the official S4 code for eigenvalues with `Re λ = 0` (see
  /// "Marginally stable measures").
  public static let officialMinimumDecay = 1e-4

  /// Seeded parameters named `name.*`.
  ///
  /// - Parameters:
  ///   - name: the parameter name prefix.
  ///   - channels: `H`.
  ///   - stateSize: `N` (even), giving `M = N/2` stored modes.
  ///   - measure: the HiPPO measure whose DPLR form initialises `Λ`, `P`, `B`.
  ///   - minimumDecay: `nil` (default) refuses measures whose DPLR eigenvalues are not strictly
  ///     stable; `ε > 0` clamps every `Re λ` to at most `−ε` (see "Marginally stable measures").
  ///   - dtRange: the range of the log-uniform initial `dt`.
  ///   - bidirectional: `2H` systems, the last `H` anti-causal.
  ///   - horizon: `L_h ≥ 1`, the length at which the trained `C̃` is defined.
  ///   - generator: draws `C̃`, `log dt` and `D`.
  /// - Throws: for `horizon < 1`, for a measure with `Re λ ≥ −1e-9·max(1, max|λ|)` (zero up to round-off) when
  ///   `minimumDecay` is `nil`, a `minimumDecay` that is not positive and finite, and the
  ///   measure's own errors (odd `N`, no DPLR form).
  public init(
    name: String, channels: Int, stateSize: Int, measure: Measure = .legs, minimumDecay: Double? = nil,
    dtRange: ClosedRange<Double> = 1e-3...1e-1, bidirectional: Bool = false, horizon: Int = defaultHorizon,
    generator: inout SeededGenerator
  ) throws {
    guard horizon >= 1 else { throw AutodiffError.invalidArgument("kernel horizon \(horizon) must be ≥ 1") }
    let dplr = try measure.dplr(stateSize: stateSize)
    let lambda: [Complex<Double>]
    if let minimumDecay {
      guard minimumDecay.isFinite, minimumDecay > 0 else {
        throw AutodiffError.invalidArgument("minimum decay \(minimumDecay) must be positive and finite")
      }
      lambda = dplr.lambda.map { Complex(Swift.min($0.real, -minimumDecay), $0.imaginary) }
    } else {
      let roundOff = 1e-9 * Swift.max(1, dplr.lambda.map(\.length).max() ?? 0)
      guard dplr.lambda.allSatisfy({ $0.real < -roundOff }) else {
        throw AutodiffError.invalidArgument(
          "the DPLR form of \(measure.name) has Re λ = \(dplr.shift) (not strictly stable); "
            + "use legs or tlagt, or pass a minimumDecay (the official S4 code clamps at 1e-4)")
      }
      lambda = dplr.lambda
    }
    self.bidirectional = bidirectional
    self.horizon = horizon
    let systems = bidirectional ? 2 * channels : channels
    let (modes, rank) = (lambda.count, dplr.p.rows)
    let repeated = { (values: [Float]) in Array(Array(repeating: values, count: systems).joined()) }
    logNegativeRealLambda = Parameter(
      name: "\(name).logNegativeRealLambda",
      value: try Tensor(shape: [systems, modes], values: repeated(lambda.map { Float(Foundation.log(-$0.real)) })),
      role: .stateSpace)
    imaginaryLambda = Parameter(
      name: "\(name).imaginaryLambda",
      value: try Tensor(shape: [systems, modes], values: repeated(lambda.map { Float($0.imaginary) })),
      role: .stateSpace)
    p = Parameter(
      name: "\(name).p",
      value: try Tensor(shape: [systems, rank, modes, 2], values: repeated(Tensor.interleaved(dplr.p.elements))),
      role: .stateSpace)
    b = Parameter(
      name: "\(name).b", value: try Tensor(shape: [systems, modes, 2], values: repeated(Tensor.interleaved(dplr.b))),
      role: .stateSpace)
    (self.tildeC, skip, logDt) = Initialization.outputSkipAndStep(
      name: name, outputName: "tildeC", channels: channels, systems: systems, modes: modes, dtRange: dtRange,
      generator: &generator)
  }

  /// The S4 convolution of `u` (`B × H × L`) on `tape` (bidirectional when ``bidirectional``), at any `L` by
  /// way of the kernel horizon.
  public func callAsFunction(_ u: Variable, on tape: Tape) throws -> Variable {
    try tape.s4Convolution(
      u,
      S4Variables(
        logNegativeRealLambda: tape.parameter(logNegativeRealLambda), imaginaryLambda: tape.parameter(imaginaryLambda),
        p: tape.parameter(p), b: tape.parameter(b), tildeC: tape.parameter(tildeC), logDt: tape.parameter(logDt),
        skip: tape.parameter(skip)),
      bidirectional: bidirectional, horizon: horizon)
  }
}
