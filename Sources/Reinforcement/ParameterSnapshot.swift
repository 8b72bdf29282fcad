import Autodiff

/// A frozen copy of a model's parameter values, such as the reference policy of GRPO and PPO: the
/// initial parameters, kept while the live ones are optimised.
///
/// ``evaluate(on:_:)`` puts the copied values into the live parameters for the duration of a
/// closure and restores the live values afterwards (also when the closure throws), so one model
/// object serves as policy and reference without a second copy of its structure.
public struct ParameterSnapshot: Sendable {
  /// The copied values, in the order of the parameters they came from.
  public let values: [Tensor]

  /// A copy of the current values of `parameters`.
  public init(_ parameters: [Parameter]) { values = parameters.map(\.value) }

  /// Runs `body` with `parameters` holding the snapshot's values, then restores their own.
  /// - Throws: ``ReinforcementError/shapeMismatch(_:)`` for parameters other than the copied ones
  ///   (count or shapes), and whatever `body` throws.
  public func evaluate<Result>(on parameters: [Parameter], _ body: () throws -> Result) throws -> Result {
    guard parameters.count == values.count, zip(parameters, values).allSatisfy({ $0.value.shape == $1.shape }) else {
      throw ReinforcementError.shapeMismatch("the snapshot holds other parameters than the \(parameters.count) given")
    }
    let live = parameters.map(\.value)
    for (parameter, value) in zip(parameters, values) { parameter.value = value }
    defer { for (parameter, value) in zip(parameters, live) { parameter.value = value } }
    return try body()
  }
}
