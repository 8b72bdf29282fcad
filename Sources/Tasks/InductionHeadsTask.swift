import SeededRandom

/// The induction-heads task (Olsson et al. 2022, "In-context Learning and Induction Heads"; the
/// synthetic form of Fu, Dao et al. 2023, "Hungry Hungry Hippos", §3.1): a sequence of random
/// tokens in which a special trigger token appears once in the middle, followed by a target
/// token; the trigger is repeated at the last position and the model must predict the token
/// that followed its first occurrence (the "[A][B] … [A] → [B]" pattern of an induction head).
///
/// Tokens: ordinary `0 ..< alphabet`, trigger `alphabet` (vocabulary `alphabet + 1`). Layout:
/// every position holds a uniform ordinary token except the trigger at position `p`, uniform in
/// the middle half `⌊length/4⌋ ..< ⌊3·length/4⌋`, and at the last position `length − 1`; the
/// target token at `p + 1` is uniform over the alphabet like the others. Only the last position
/// is scored, with target `input[p + 1]`. Metric: accuracy (chance `1 / alphabet`).
///
/// **Length generalisation.** The task is usually trained at one length and tested at longer
/// ones, where the trigger sits farther from the query than any training instance had it: train
/// on `task.batch(b, split: .train, index: i, seed: s)` and evaluate on
/// `task.batch(b, split: .test, index: j, seed: s, length: 4 * task.length)` (or on
/// ``resized(to:)``), which keeps the alphabet and rescales the middle-half window.
public struct InductionHeadsTask: SequenceTask, Equatable {
  /// Positions per instance.
  public let length: Int
  /// Ordinary tokens.
  public let alphabet: Int

  /// A task of exactly `length ≥ 8` positions over `alphabet ≥ 2` ordinary tokens.
  public init(length: Int, alphabet: Int = 16) throws {
    guard alphabet >= 2 else { throw TaskError.invalidParameter("induction heads needs alphabet ≥ 2, got \(alphabet)") }
    guard length >= 8 else { throw TaskError.lengthTooSmall(task: .inductionHeads, length: length, minimum: 8) }
    self.length = length
    self.alphabet = alphabet
  }

  /// `alphabet + 1`.
  public var vocabulary: Int { alphabet + 1 }
  /// The trigger token, `alphabet`.
  public var trigger: Int { alphabet }
  /// Where the first trigger may appear: `⌊length/4⌋ ..< ⌊3·length/4⌋`.
  public var triggerPositions: Range<Int> { (length / 4)..<(3 * length / 4) }

  /// ``TaskName/inductionHeads``.
  public var name: TaskName { .inductionHeads }
  /// ``TaskMetric/accuracy``.
  public var metric: TaskMetric { .accuracy }
  /// Tokens over the ``vocabulary``.
  public var input: InputFormat { .tokens(vocabulary: vocabulary) }
  /// Classes over the ``vocabulary``.
  public var output: OutputFormat { .classes(vocabulary) }
  /// 8.
  public var minimumLength: Int { 8 }

  /// The task at another length, same alphabet.
  public func resized(to length: Int) throws -> InductionHeadsTask {
    try InductionHeadsTask(length: length, alphabet: alphabet)
  }

  /// One instance.
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    var inputs = (0..<length).map { _ in generator.index(below: alphabet) }
    let p = triggerPositions.lowerBound + generator.index(below: triggerPositions.count)
    inputs[p] = trigger
    inputs[length - 1] = trigger
    var targets = [Int](repeating: TaskBatch.ignoredTarget, count: length)
    targets[length - 1] = inputs[p + 1]
    return TaskExample(inputs: .tokens(inputs), targets: .classes(targets))
  }
}
