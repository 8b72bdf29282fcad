import SeededRandom

/// The induction-heads task (Olsson et al. 2022, "In-context Learning and Induction Heads"; the
/// synthetic of Fu, Dao et al. 2023, "Hungry Hungry Hippos", §3.1), with the instance
/// distribution of the H3 / Hyena generator (`generate_induction_head` in HazyResearch/safari,
/// `src/dataloaders/synthetics.py`, induction length 1): a sequence of random tokens in which a
/// special trigger token appears, followed by some token; the trigger is repeated at the last
/// position and the model must predict the token that followed it (the "[A][B] … [A] → [B]"
/// pattern of an induction head).
///
/// Tokens: ordinary `0 ..< alphabet`, trigger `alphabet` (vocabulary `alphabet + 1`). With
/// `N = length`, one instance is:
/// - positions `0 ..< N − 1` hold tokens uniform over the alphabet, then:
/// - single trigger (`triggers = 1`): the trigger replaces the token at `p`, uniform over
///   ``triggerPositions`` `= 0 ..< N − 3` (safari's `[0, L − 2)` for its `L = N − 1` random
///   tokens, so the token after the trigger is never the last random one);
/// - multi-trigger variant (`triggers = k > 1`, safari's `induction_num_triggers`): with
///   probability 1/2 a single trigger as above; otherwise `k` positions drawn independently and
///   uniformly from `0 ..< N − 3`, sorted, and kept greedily when more than one position after
///   the last kept one (duplicates and neighbours dropped). The trigger goes to every kept
///   position and the token after the first kept one is copied after each of the others, so every
///   trigger is followed by the same token;
/// - the trigger again at the last position `N − 1`, the only scored position, with target the
///   token after the (first) trigger. Metric: accuracy (chance `1 / alphabet`).
///
/// Deviations from safari, none of which changes the distribution of an instance: the random
/// stream (a ``SeededGenerator``, not numpy's), so instances for a seed differ while their law is
/// the same; splits disjoint by content hash (``Split``) rather than deduplicated draws of one
/// stream; the vocabulary omits safari's unused no-op token (safari's `vocab_size = V` is
/// `alphabet = V − 2` here); only the answer is scored, as in safari's test set (its training
/// set also scores next-token prediction at every position, mostly of unpredictable random
/// tokens); one copied token (safari's `induction_len = 1`, the H3 setting).
///
/// **Length generalisation.** The task is usually trained at one length and tested at longer
/// ones, where the trigger can sit farther from the query than any training instance had it: train
/// on `task.batch(b, split: .train, index: i, seed: s)` and evaluate on
/// `task.batch(b, split: .test, index: j, seed: s, length: 4 * task.length)` (or on
/// ``resized(to:)``), which keeps the alphabet and the trigger count.
public struct InductionHeadsTask: SequenceTask, Equatable {
  /// Positions per instance.
  public let length: Int
  /// Ordinary tokens.
  public let alphabet: Int
  /// Trigger positions drawn in the multi-trigger variant (1: always a single trigger).
  public let triggers: Int

  /// A task of exactly `length ≥ 8` positions over `alphabet ≥ 2` ordinary tokens, with
  /// `triggers ≥ 1` (above 1: the multi-trigger variant).
  public init(length: Int, alphabet: Int = 16, triggers: Int = 1) throws {
    guard alphabet >= 2 else { throw TaskError.invalidParameter("induction heads needs alphabet ≥ 2, got \(alphabet)") }
    guard triggers >= 1 else { throw TaskError.invalidParameter("induction heads needs triggers ≥ 1, got \(triggers)") }
    guard length >= 8 else { throw TaskError.lengthTooSmall(task: .inductionHeads, length: length, minimum: 8) }
    self.length = length
    self.alphabet = alphabet
    self.triggers = triggers
  }

  /// `alphabet + 1`.
  public var vocabulary: Int { alphabet + 1 }
  /// The trigger token, `alphabet`.
  public var trigger: Int { alphabet }
  /// Where a trigger other than the final one may appear: `0 ..< length − 3`.
  public var triggerPositions: Range<Int> { 0..<(length - 3) }

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

  /// The task at another length, same alphabet and trigger count.
  public func resized(to length: Int) throws -> InductionHeadsTask {
    try InductionHeadsTask(length: length, alphabet: alphabet, triggers: triggers)
  }

  /// The positions of the triggers before the last position, increasing, each more than one
  /// after the previous.
  private func placedTriggers(using generator: inout SeededGenerator) -> [Int] {
    let draws = triggers > 1 && generator.index(below: 2) == 0 ? triggers : 1
    let positions = (0..<draws).map { _ in generator.index(below: triggerPositions.count) }.sorted()
    var kept: [Int] = []
    for p in positions where kept.last.map({ p - $0 > 1 }) ?? true { kept.append(p) }
    return kept
  }

  /// One instance.
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    var inputs = (0..<length).map { _ in generator.index(below: alphabet) }
    let positions = placedTriggers(using: &generator)
    let answer = inputs[positions[0] + 1]
    for p in positions {
      inputs[p] = trigger
      inputs[p + 1] = answer
    }
    inputs[length - 1] = trigger
    var targets = [Int](repeating: TaskBatch.ignoredTarget, count: length)
    targets[length - 1] = answer
    return TaskExample(inputs: .tokens(inputs), targets: .classes(targets))
  }
}
