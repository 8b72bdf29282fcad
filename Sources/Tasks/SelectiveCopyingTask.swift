import SeededRandom

/// The selective copying task (Gu & Dao 2023, "Mamba: Linear-Time Sequence Modeling with
/// Selective State Spaces", §3.1; after Jing et al. 2019): `count` data tokens placed at random
/// distinct positions among blank (noise) tokens in the first `length − count` positions, then
/// `count` marker tokens during which the model must reproduce the data tokens in their order of
/// appearance.
///
/// Tokens: data `0 ..< alphabet`, blank `alphabet`, marker `alphabet + 1` (vocabulary
/// `alphabet + 2`). The data positions are a uniformly random `count`-subset of
/// `0 ..< length − count`; each data token is uniform over the alphabet (repeats allowed). The
/// target at marker position `length − count + i` is the `i`-th data token in position order;
/// other positions are ``TaskBatch/ignoredTarget``. Unlike ``CopyingTask`` the spacing varies per
/// instance, so a time-invariant convolution cannot solve it. Metric: token accuracy over the
/// `count` scored positions (chance `1 / alphabet`). Mamba's setting: 16 tokens over 16 symbols.
public struct SelectiveCopyingTask: SequenceTask, Equatable {
  /// Positions per instance.
  public let length: Int
  /// Data tokens to copy.
  public let count: Int
  /// Distinct data symbols.
  public let alphabet: Int

  /// A task of exactly `length` positions; needs `count ≥ 1`, `alphabet ≥ 2` and
  /// `length ≥ 2·count` (room for the data before the markers).
  public init(length: Int, count: Int = 16, alphabet: Int = 16) throws {
    guard count >= 1, alphabet >= 2 else {
      throw TaskError.invalidParameter("selective copying needs count ≥ 1, alphabet ≥ 2")
    }
    guard length >= 2 * count else {
      throw TaskError.lengthTooSmall(task: .selectiveCopying, length: length, minimum: 2 * count)
    }
    self.length = length
    self.count = count
    self.alphabet = alphabet
  }

  /// `alphabet + 2`.
  public var vocabulary: Int { alphabet + 2 }
  /// The blank (noise) token, `alphabet`.
  public var blank: Int { alphabet }
  /// The marker token, `alphabet + 1`.
  public var marker: Int { alphabet + 1 }

  /// ``TaskName/selectiveCopying``.
  public var name: TaskName { .selectiveCopying }
  /// ``TaskMetric/accuracy``.
  public var metric: TaskMetric { .accuracy }
  /// Tokens over the ``vocabulary``.
  public var input: InputFormat { .tokens(vocabulary: vocabulary) }
  /// Classes over the ``vocabulary``.
  public var output: OutputFormat { .classes(vocabulary) }
  /// `2·count`.
  public var minimumLength: Int { 2 * count }

  /// The task at another length.
  public func resized(to length: Int) throws -> SelectiveCopyingTask {
    try SelectiveCopyingTask(length: length, count: count, alphabet: alphabet)
  }

  /// One instance.
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    let positions = generator.distinctSorted(count, below: length - count)
    var inputs = [Int](repeating: blank, count: length - count) + [Int](repeating: marker, count: count)
    var targets = [Int](repeating: TaskBatch.ignoredTarget, count: length)
    for (i, p) in positions.enumerated() {
      let token = generator.index(below: alphabet)
      inputs[p] = token
      targets[length - count + i] = token
    }
    return TaskExample(inputs: .tokens(inputs), targets: .classes(targets))
  }
}
