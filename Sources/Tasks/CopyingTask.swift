import SeededRandom

/// The copying memory task (Arjovsky, Shah & Bengio 2016, "Unitary Evolution Recurrent Neural
/// Networks"; as used by HiPPO, Gu et al. 2020, and S4, Gu et al. 2022): a sequence of `count`
/// data tokens drawn uniformly from `alphabet` symbols, then `delay` blank tokens, then `count`
/// marker tokens during which the model must reproduce the data in order.
///
/// Tokens: data `0 ..< alphabet`, blank `alphabet`, marker `alphabet + 1` (vocabulary
/// `alphabet + 2`). Targets are the data tokens at the last `count` positions and
/// ``ignoredTarget`` elsewhere. Length `count + delay + count`. Metric: token accuracy over the
/// `count` scored positions (chance `1 / alphabet`).
///
/// A data token is `next() mod alphabet` of the generator (bias below `alphabet / 2⁶⁴`, none for a
/// power-of-two alphabet), the draw of the original implementation, kept so that existing
/// training runs reproduce.
public struct CopyingTask: SequenceTask, Equatable {
  /// Data tokens to memorise.
  public let count: Int
  /// Blank tokens between the data and the recall markers.
  public let delay: Int
  /// Distinct data symbols.
  public let alphabet: Int
  /// The target value of positions that are not scored (equal to ``TaskBatch/ignoredTarget``).
  public static let ignoredTarget = TaskBatch.ignoredTarget

  /// A task; every size must be at least 1 (alphabet at least 2).
  public init(count: Int, delay: Int, alphabet: Int) throws {
    guard count >= 1, delay >= 0, alphabet >= 2 else {
      throw TaskError.invalidParameter("copying needs count ≥ 1, delay ≥ 0, alphabet ≥ 2")
    }
    self.count = count
    self.delay = delay
    self.alphabet = alphabet
  }

  /// Arjovsky et al.'s data tokens, 10.
  public static let defaultCount = 10
  /// Arjovsky et al.'s distinct data symbols, 8.
  public static let defaultAlphabet = 8

  /// The task of exactly `length` positions: `delay = length − 2·count` (Arjovsky et al.'s
  /// setting is ``defaultCount`` tokens over ``defaultAlphabet`` symbols). Throws
  /// ``TaskError/lengthTooSmall(task:length:minimum:)`` when `length < 2·count`.
  public init(length: Int, count: Int = defaultCount, alphabet: Int = defaultAlphabet) throws {
    guard count >= 1, alphabet >= 2 else {
      throw TaskError.invalidParameter("copying needs count ≥ 1, alphabet ≥ 2")
    }
    guard length >= 2 * count else {
      throw TaskError.lengthTooSmall(task: .copying, length: length, minimum: 2 * count)
    }
    try self.init(count: count, delay: length - 2 * count, alphabet: alphabet)
  }

  /// `alphabet + 2`.
  public var vocabulary: Int { alphabet + 2 }
  /// `2·count + delay`.
  public var length: Int { 2 * count + delay }

  /// ``TaskName/copying``.
  public var name: TaskName { .copying }
  /// ``TaskMetric/accuracy``.
  public var metric: TaskMetric { .accuracy }
  /// Tokens over the ``vocabulary``.
  public var input: InputFormat { .tokens(vocabulary: vocabulary) }
  /// Classes over the ``vocabulary`` (targets are data tokens).
  public var output: OutputFormat { .classes(vocabulary) }
  /// `2·count` (no delay).
  public var minimumLength: Int { 2 * count }

  /// The task with `delay = length − 2·count`.
  public func resized(to length: Int) throws -> CopyingTask {
    try CopyingTask(length: length, count: count, alphabet: alphabet)
  }

  /// One instance: data, blanks, markers; targets the data at the marker positions.
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    let data = (0..<count).map { _ in Int(generator.next() % UInt64(alphabet)) }
    return TaskExample(
      inputs: .tokens(data + [Int](repeating: alphabet, count: delay) + [Int](repeating: alphabet + 1, count: count)),
      targets: .classes([Int](repeating: Self.ignoredTarget, count: count + delay) + data))
  }
}
