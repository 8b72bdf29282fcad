import Autodiff
import Foundation
import LayerOperations
import SeededRandom

/// A pre-norm Mamba block (Gu & Dao 2023) on `x` (`B × L × D`), with `E` expanded channels
/// (`E = expansion · D`), state size `N` and `Δ` rank `R`:
///
///     h = LayerNorm(x)
///     v = h W_in,  z = h W_z                                    (D → E each: the 2E-wide input projection)
///     v′ = SiLU(DepthwiseCausalConv₄(v) + b_conv)
///     Δ = softplus((v′ W_r) W_Δ + b_Δ),  B_t = v′ W_B,  C_t = v′ W_C   (E → R → E, E → N, E → N)
///     s = SelectiveScan(v′; Δ, A = −exp(A_log), B, C, D)
///     y = x + (s ⊙ SiLU(z)) W_out                               (E → D)
///
/// Projections carry no bias but `W_Δ` (as the official code). Initialisation as the official code: weights
/// uniform in `±1/√fan_in` (PyTorch's default), `W_Δ` uniform in `±R^{−½}`, `b_Δ` the inverse softplus of a
/// `dt` log-uniform in `[dt_min, dt_max]`, `A_log[e, n] = log(n + 1)` (S4D-Real, `A = −(n + 1)`), `D = 1`.
/// `A_log`, `D` and `b_Δ` are state space parameters (no weight decay).
public struct MambaBlock: Module {
  /// What the recurrent mode carries from one chunk to the next.
  public struct State {
    /// The convolution's input at the last `W − 1` positions, oldest first: `B × (W − 1) × E`.
    public var convolution: Tensor
    /// The selective scan's state, `B × E × N`.
    public var scan: Tensor
  }

  /// The convolution width `W`.
  public static let convolutionWidth = 4

  /// The normalisation of the branch input, `name.norm.*`.
  public let norm: LayerNorm
  /// `W_in`, `D × E`.
  public let inputProjection: Parameter
  /// `W_z`, `D × E`.
  public let gateProjection: Parameter
  /// The depthwise convolution's taps, `E × W`.
  public let convolutionWeight: Parameter
  /// The depthwise convolution's bias, `E`.
  public let convolutionBias: Parameter
  /// `W_r`, `E × R`: the low-rank input of `Δ`.
  public let stepInput: Parameter
  /// `W_B`, `E × N`.
  public let inputMatrixProjection: Parameter
  /// `W_C`, `E × N`.
  public let outputMatrixProjection: Parameter
  /// `W_Δ`, `R × E`.
  public let stepProjection: Parameter
  /// `b_Δ`, `E` (state space).
  public let stepBias: Parameter
  /// `A_log`, `E × N` (state space): `A = −exp(A_log)`.
  public let logNegativeTransition: Parameter
  /// `D`, `E` (state space).
  public let skip: Parameter
  /// `W_out`, `E × D`.
  public let outputProjection: Parameter

  /// A seeded block named `name.*`.
  /// - Parameters:
  ///   - width: `D`.
  ///   - expanded: `E`.
  ///   - stateSize: `N`.
  ///   - stepRank: `R`.
  ///   - dtRange: the range of the initial `dt` (log-uniform).
  public init(
    name: String, width: Int, expanded: Int, stateSize: Int, stepRank: Int, dtRange: ClosedRange<Double>,
    generator: inout SeededGenerator
  ) {
    func uniform(_ suffix: String, _ shape: [Int], bound: Double, role: ParameterRole = .standard) -> Parameter {
      let values = (0..<shape.reduce(1, *)).map { _ in Float((2 * generator.nextUnitInterval() - 1) * bound) }
      return Parameter(name: "\(name).\(suffix)", value: try! Tensor(shape: shape, values: values), role: role)
    }
    let (width, e, n, r) = (width, expanded, stateSize, stepRank)
    norm = LayerNorm(name: "\(name).norm", width: width)
    inputProjection = uniform("inputProjection", [width, e], bound: 1 / Double(width).squareRoot())
    gateProjection = uniform("gateProjection", [width, e], bound: 1 / Double(width).squareRoot())
    let convolutionBound = 1 / Double(Self.convolutionWidth).squareRoot()
    convolutionWeight = uniform("convolution.weight", [e, Self.convolutionWidth], bound: convolutionBound)
    convolutionBias = uniform("convolution.bias", [e], bound: convolutionBound)
    stepInput = uniform("stepInput", [e, r], bound: 1 / Double(e).squareRoot())
    inputMatrixProjection = uniform("inputMatrixProjection", [e, n], bound: 1 / Double(e).squareRoot())
    outputMatrixProjection = uniform("outputMatrixProjection", [e, n], bound: 1 / Double(e).squareRoot())
    stepProjection = uniform("stepProjection", [r, e], bound: 1 / Double(r).squareRoot())
    let (low, high) = (Foundation.log(dtRange.lowerBound), Foundation.log(dtRange.upperBound))
    let inverseSoftplus = (0..<e).map { _ -> Float in
      let dt = Foundation.exp(low + generator.nextUnitInterval() * (high - low))
      return Float(dt + Foundation.log(-Foundation.expm1(-dt)))
    }
    stepBias = Parameter(
      name: "\(name).stepBias", value: try! Tensor(shape: [e], values: inverseSoftplus), role: .stateSpace)
    logNegativeTransition = Parameter(
      name: "\(name).logNegativeTransition",
      value: try! Tensor(shape: [e, n], values: (0..<(e * n)).map { Float(Foundation.log(Double($0 % n + 1))) }),
      role: .stateSpace)
    skip = Parameter(name: "\(name).skip", value: Tensor(shape: [e], repeating: 1), role: .stateSpace)
    outputProjection = uniform("outputProjection", [e, width], bound: 1 / Double(e).squareRoot())
  }

  /// Expanded channels `E`.
  public var expanded: Int { inputProjection.value.shape[1] }
  /// State size `N`.
  public var stateSize: Int { logNegativeTransition.value.shape[1] }

  /// The zero state of `batch` sequences.
  public func initialState(batch: Int) -> State {
    State(
      convolution: Tensor(shape: [batch, Self.convolutionWidth - 1, expanded]),
      scan: Tensor(shape: [batch, expanded, stateSize]))
  }

  /// The block on `x` (`B × L × D`): parallel mode from the zero state when `state` is `nil`; otherwise
  /// recurrent mode, continuing from `state` and advancing it past these `L` positions.
  public func callAsFunction(_ x: Variable, on tape: Tape, state: inout State?) throws -> Variable {
    let h = try norm(x, on: tape)
    let v = try tape.linear(h, weight: tape.parameter(inputProjection), bias: nil)
    let z = try tape.linear(h, weight: tape.parameter(gateProjection), bias: nil)
    let convolved = try tape.depthwiseCausalConvolution(
      v, weight: tape.parameter(convolutionWeight), bias: tape.parameter(convolutionBias),
      history: state?.convolution)
    let activated = tape.silu(convolved)
    let low = try tape.linear(activated, weight: tape.parameter(stepInput), bias: nil)
    let delta = tape.softplus(
      try tape.linear(low, weight: tape.parameter(stepProjection), bias: tape.parameter(stepBias)))
    let b = try tape.linear(activated, weight: tape.parameter(inputMatrixProjection), bias: nil)
    let c = try tape.linear(activated, weight: tape.parameter(outputMatrixProjection), bias: nil)
    let scan = try tape.selectiveScan(
      activated, delta: delta, a: Self.negativeExponential(tape.parameter(logNegativeTransition), on: tape), b: b,
      c: c, skip: tape.parameter(skip), initialState: state?.scan)
    let gated = try tape.multiply(scan.output, tape.silu(z))
    let output = try tape.linear(gated, weight: tape.parameter(outputProjection), bias: nil)
    if let previous = state {
      state = State(
        convolution: try Self.lastPositions(Self.convolutionWidth - 1, of: previous.convolution, then: tape.value(v)),
        scan: scan.finalState)
    }
    return try tape.add(x, output)
  }

  /// `A = −exp(A_log)` elementwise, `∂ℒ/∂A_log = ∂ℒ/∂A ⊙ A`.
  private static func negativeExponential(_ logarithm: Variable, on tape: Tape) -> Variable {
    let values = tape.value(logarithm).values.map { -Foundation.exp($0) }
    let shape = tape.value(logarithm).shape
    return tape.record(value: try! Tensor(shape: shape, values: values), inputs: [logarithm]) { g in
      [try Tensor(shape: shape, values: zip(g.values, values).map { $0 * $1 })]
    }
  }

  /// The last `count` positions of `history` (`B × count × E`) followed by `x` (`B × L × E`): `B × count × E`.
  private static func lastPositions(_ count: Int, of history: Tensor, then x: Tensor) throws -> Tensor {
    let (batch, length, channels) = (x.shape[0], x.shape[1], x.shape[2])
    var values: [Float] = []
    values.reserveCapacity(batch * count * channels)
    for sequence in 0..<batch {
      let rows =
        history.values[(sequence * count * channels)..<((sequence + 1) * count * channels)]
        + x.values[(sequence * length * channels)..<((sequence + 1) * length * channels)]
      values += rows.suffix(count * channels)
    }
    return try Tensor(shape: [batch, count, channels], values: values)
  }
}
