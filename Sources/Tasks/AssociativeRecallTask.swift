import Foundation
import SeededRandom

/// Multi-query associative recall, MQAR (Arora, Eyuboglu, Timalsina, Johnson, Poli, Zou, Rudra
/// & Ré 2023, "Zoology: Measuring and Improving Recall in Efficient Language Models", §3): a
/// context of `pairs` key–value pairs followed by queries of every key, each query's target
/// being the value paired with it.
///
/// Tokens: filler `0`; keys `1 ..< 1 + keyCount`; values `1 + keyCount ..< vocabulary`, with
/// `keyCount = ⌊(vocabulary − 1)/2⌋` (keys and values are disjoint ranges, as in Zoology).
/// Layout of one instance:
/// - positions `2i, 2i+1` (`i < pairs`): key `k_i`, value `v_i`; the keys are distinct and
///   the values are distinct, each drawn uniformly without replacement from its range;
/// - the query region `2·pairs ..< length` (`S = length − 2·pairs` slots): key `k_i` appears
///   once, at position `2·pairs + g_i`, where the gaps `g_i` (distance from the end of the
///   context) are distinct and drawn one after another without replacement with probability
///   `∝ (g + 1)^(α − 1)` among the free slots (a power law, Zoology's `power_a = α = 0.01` by
///   default: short gaps are common, long ones rare but present); all other slots hold the filler.
///
/// The target at the query of `k_i` is `v_i`; every other position is
/// ``TaskBatch/ignoredTarget``. Unlike Zoology's language-modelling layout the value is not
/// echoed after the query, so the inputs never contain an answer after its question and
/// bidirectional models cannot copy it. Metric: per-query accuracy (each query scores one
/// position, so ``TaskBatch/accuracy(logits:classes:)``); chance is `1 / valueCount`.
public struct AssociativeRecallTask: SequenceTask, Equatable {
  /// Positions per instance.
  public let length: Int
  /// Key–value pairs in the context (= queries per instance).
  public let pairs: Int
  /// Input tokens: filler, keys and values.
  public let vocabulary: Int
  /// The power-law exponent `α` of the query gaps, `0 < α ≤ 1` (`α = 1`: uniform gaps).
  public let powerExponent: Double
  /// `(g + 1)^(α − 1)` for the slots `g` of the query region.
  private let gapWeights: [Double]

  /// A task of exactly `length` positions. Needs `pairs ≥ 1`, `vocabulary ≥ 2·pairs + 1` (enough
  /// distinct keys and values), `0 < powerExponent ≤ 1` and `length ≥ 3·pairs` (the context plus
  /// a slot per query).
  public init(length: Int, pairs: Int = 16, vocabulary: Int = 256, powerExponent: Double = 0.01) throws {
    guard pairs >= 1 else { throw TaskError.invalidParameter("associative recall needs pairs ≥ 1, got \(pairs)") }
    guard vocabulary >= 2 * pairs + 1 else {
      throw TaskError.invalidParameter(
        "associative recall with \(pairs) pairs needs vocabulary ≥ \(2 * pairs + 1), got \(vocabulary)")
    }
    guard powerExponent > 0, powerExponent <= 1 else {
      throw TaskError.invalidParameter("associative recall needs 0 < power exponent ≤ 1, got \(powerExponent)")
    }
    guard length >= 3 * pairs else {
      throw TaskError.lengthTooSmall(task: .associativeRecall, length: length, minimum: 3 * pairs)
    }
    self.length = length
    self.pairs = pairs
    self.vocabulary = vocabulary
    self.powerExponent = powerExponent
    gapWeights = (0..<(length - 2 * pairs)).map { pow(Double($0 + 1), powerExponent - 1) }
  }

  /// Equal parameters (the weights follow from them).
  public static func == (lhs: AssociativeRecallTask, rhs: AssociativeRecallTask) -> Bool {
    lhs.length == rhs.length && lhs.pairs == rhs.pairs && lhs.vocabulary == rhs.vocabulary
      && lhs.powerExponent == rhs.powerExponent
  }

  /// The filler token, 0.
  public static let filler = 0
  /// Distinct keys, `⌊(vocabulary − 1)/2⌋`.
  public var keyCount: Int { (vocabulary - 1) / 2 }
  /// Distinct values, `vocabulary − 1 − keyCount`.
  public var valueCount: Int { vocabulary - 1 - keyCount }
  /// Key tokens.
  public var keys: Range<Int> { 1..<(1 + keyCount) }
  /// Value tokens.
  public var values: Range<Int> { (1 + keyCount)..<vocabulary }
  /// The first query-region position, `2·pairs`.
  public var queryStart: Int { 2 * pairs }

  /// ``TaskName/associativeRecall``.
  public var name: TaskName { .associativeRecall }
  /// ``TaskMetric/accuracy`` (per query).
  public var metric: TaskMetric { .accuracy }
  /// Tokens over the ``vocabulary``.
  public var input: InputFormat { .tokens(vocabulary: vocabulary) }
  /// Classes over the ``vocabulary`` (targets are value tokens).
  public var output: OutputFormat { .classes(vocabulary) }
  /// `3·pairs`.
  public var minimumLength: Int { 3 * pairs }

  /// The task at another length, same pairs, vocabulary and exponent.
  public func resized(to length: Int) throws -> AssociativeRecallTask {
    try AssociativeRecallTask(length: length, pairs: pairs, vocabulary: vocabulary, powerExponent: powerExponent)
  }

  /// `pairs` distinct gaps, drawn successively with probability proportional to the weights of the
  /// still-free slots.
  private func gaps(using generator: inout SeededGenerator) -> [Int] {
    var used = [Bool](repeating: false, count: gapWeights.count)
    var remaining = gapWeights.reduce(0, +)
    var chosen: [Int] = []
    chosen.reserveCapacity(pairs)
    for _ in 0..<pairs {
      let u = generator.nextUnitInterval() * remaining
      var cumulative = 0.0
      var pick = -1
      for g in 0..<gapWeights.count where !used[g] {
        pick = g  // the last free slot absorbs rounding at the top end
        cumulative += gapWeights[g]
        if u < cumulative { break }
      }
      used[pick] = true
      remaining -= gapWeights[pick]
      chosen.append(pick)
    }
    return chosen
  }

  /// One instance.
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    let pairKeys = generator.distinctShuffled(pairs, below: keyCount).map { $0 + keys.lowerBound }
    let pairValues = generator.distinctShuffled(pairs, below: valueCount).map { $0 + values.lowerBound }
    var inputs = [Int](repeating: Self.filler, count: length)
    var targets = [Int](repeating: TaskBatch.ignoredTarget, count: length)
    for i in 0..<pairs {
      inputs[2 * i] = pairKeys[i]
      inputs[2 * i + 1] = pairValues[i]
    }
    for (i, gap) in gaps(using: &generator).enumerated() {
      inputs[queryStart + gap] = pairKeys[i]
      targets[queryStart + gap] = pairValues[i]
    }
    return TaskExample(inputs: .tokens(inputs), targets: .classes(targets))
  }
}
