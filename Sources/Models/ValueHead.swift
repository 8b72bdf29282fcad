import Autodiff

/// A scalar head on a backbone's last hidden state (``SequenceModel/hiddenStates(_:on:training:generator:)``),
/// as PPO's critic reads it: at every position the value
///
///     V = h w + c        (w: `H × 1`, c: `1`)
///
/// of the hidden state `h` (`… × H`), the estimate of the return from that position on. It attaches
/// to the hidden state the way ``MedusaHead`` does, with one output instead of `V`.
///
/// `w` and `c` start at zero, so an untrained head predicts `V = 0` everywhere, the mean of
/// normalised rewards, and its first gradients reach only `w` and `c` (the trunk's gradient is
/// `∂ℒ/∂V · wᵀ = 0`), so the critic's trunk starts moving only once the head has a direction.
public struct ValueHead: Module {
  /// `w`, `H × 1`.
  public let weight: Parameter
  /// `c`, `1`.
  public let bias: Parameter

  /// A zero head of width `width` named `name.weight`, `name.bias`.
  /// - Throws: `AutodiffError/invalidArgument(_:)` for a width below 1.
  public init(name: String = "value", width: Int) throws {
    guard width >= 1 else { throw AutodiffError.invalidArgument("value head width \(width) must be ≥ 1") }
    weight = Parameter(name: "\(name).weight", value: Tensor(shape: [width, 1]))
    bias = Parameter(name: "\(name).bias", value: Tensor(shape: [1]))
  }

  /// `H`.
  public var width: Int { weight.value.shape[0] }

  /// The values `… × 1` of hidden states `hidden` (`… × H`) on `tape`.
  public func callAsFunction(_ hidden: Variable, on tape: Tape) throws -> Variable {
    try Self.values(hidden, weight: tape.parameter(weight), bias: tape.parameter(bias), on: tape)
  }

  /// `h w + c` on `tape` for any variables of the shapes above.
  public static func values(_ hidden: Variable, weight: Variable, bias: Variable, on tape: Tape) throws -> Variable {
    try tape.linear(hidden, weight: weight, bias: bias)
  }
}
