/// One instance of a task: an input sequence of the task's length and its targets.
///
/// ``SequenceTask/example(using:)`` draws these; ``SequenceTask/batch(_:split:index:seed:)``
/// stacks them into a ``TaskBatch``.
public struct TaskExample: Equatable, Sendable {
  /// The input sequence.
  public enum Inputs: Equatable, Sendable {
    /// `length` token ids.
    case tokens([Int])
    /// `length × channels` values, row-major (position-major).
    case features([Float])
  }

  /// What the model must produce.
  public enum Targets: Equatable, Sendable {
    /// `length` class ids, ``TaskBatch/ignoredTarget`` at unscored positions.
    case classes([Int])
    /// `positions.count × channels` values, row-major: the targets at the scored `positions`
    /// (strictly increasing, the same for every instance of a task).
    case values([Float], positions: [Int])
  }

  /// The input sequence.
  public let inputs: Inputs
  /// The targets.
  public let targets: Targets

  /// An example from its parts.
  public init(inputs: Inputs, targets: Targets) {
    self.inputs = inputs
    self.targets = targets
  }

  /// The content hash that decides the example's ``Split`` (a hash of the inputs only: the
  /// targets are a function of the inputs for every task).
  public var contentHash: UInt64 {
    switch inputs {
    case .tokens(let tokens): return Split.contentHash(tokens: tokens)
    case .features(let values): return Split.contentHash(features: values)
    }
  }
}
