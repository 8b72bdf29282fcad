import Foundation
import SeededRandom

/// Multi-query associative recall, MQAR (Arora, Eyuboglu, Timalsina, Johnson, Poli, Zou, Rudra
/// & Ré 2023, "Zoology: Measuring and Improving Recall in Efficient Language Models", §3), with
/// the instance distribution of Zoology's generator (`multiquery_ar` in
/// `zoology/data/associative_recall.py`): a context of `pairs` key–value pairs, then a query
/// region in which every key is asked once, the target at a query being the key's value.
///
/// Tokens (Zoology's split of the vocabulary `V`): keys `1 ..< ⌊V/2⌋`, values `⌊V/2⌋ ..< V`.
/// With `P = pairs`, `L = length` and `S = ⌊(L − 2P)/2⌋` query slots, one instance is:
/// - positions `2i, 2i+1` (`i < P`): key `k_i`, value `v_i`; the keys are distinct and the values
///   are distinct, each drawn uniformly without replacement from its range;
/// - slot gaps `g_0, …, g_{P−1}`, distinct, drawn one after another without replacement from
///   `0 ..< S` with probability `∝ (g + 1)^(α − 1)` among the slots still free (successive
///   sampling, which is what numpy's `choice(S, P, replace=False, p=…)` does), so `g_0` has
///   exactly the power law `p_g = (g + 1)^(α − 1) / Σ_h (h + 1)^(α − 1)`; Zoology's default
///   `α = 0.01`: short gaps are common, long ones rare but present; `α = 1`: uniform;
/// - key `k_i` is queried at position `2P + 2·g_i` (queries only at even offsets of the query
///   region), where the target is `v_i`; every other position has target
///   ``TaskBatch/ignoredTarget``;
/// - every other position holds filler: with `randomFiller` (Zoology's `random_non_queries`, the
///   default) a token uniform over the whole vocabulary `0 ..< V`, keys and values included;
///   otherwise the blank ``filler`` token 0.
///
/// The value is not placed after its query (the position after a query is filler, as in Zoology),
/// so the inputs never hold an answer right after its question: a bidirectional model must recall
/// it from the context too. With random filler a value token can still occur anywhere by chance
/// (probability `1/V` per filler position), exactly as in Zoology. Metric: per-query accuracy
/// (each query scores one position, so ``TaskBatch/accuracy(logits:classes:)``); chance is
/// `1 / valueCount`.
///
/// Deviations from Zoology, none of which changes the distribution of an instance: the random
/// stream (a ``SeededGenerator`` rather than numpy's and torch's), so the instances for a seed
/// differ while their law is the same; train / validation / test disjoint by content hash
/// (``Split``) rather than drawn from two seeds; an odd `length` is accepted (Zoology asserts an
/// even one; the last position is then always filler); Zoology's check `V > L` is not imposed;
/// the power-law exponent is limited to `0 < α ≤ 1`. The defaults (16 pairs, vocabulary 256) are
/// this suite's; Zoology's sweeps use vocabulary 8192, lengths 64 – 512 and 4 – 64 pairs: pass
/// those to compare with its figures.
public struct AssociativeRecallTask: SequenceTask, Equatable {
  /// Positions per instance.
  public let length: Int
  /// Key–value pairs in the context (= queries per instance).
  public let pairs: Int
  /// Input tokens: the vocabulary `V`, split into keys and values.
  public let vocabulary: Int
  /// The power-law exponent `α` of the query gaps, `0 < α ≤ 1` (`α = 1`: uniform gaps).
  public let powerExponent: Double
  /// Whether non-query positions of the query region hold uniform random tokens (Zoology's
  /// default) rather than the blank ``filler``.
  public let randomFiller: Bool
  /// `(g + 1)^(α − 1)` for the query slots `g`.
  private let gapWeights: [Double]

  /// A task of exactly `length` positions. Needs `pairs ≥ 1`, `vocabulary ≥ 2·pairs + 2` (enough
  /// distinct keys `1 ..< ⌊V/2⌋`), `0 < powerExponent ≤ 1` and `length ≥ 4·pairs` (Zoology's
  /// bound: a query slot per pair).
  public init(
    length: Int, pairs: Int = 16, vocabulary: Int = 256, powerExponent: Double = 0.01, randomFiller: Bool = true
  ) throws {
    guard pairs >= 1 else { throw TaskError.invalidParameter("associative recall needs pairs ≥ 1, got \(pairs)") }
    guard vocabulary >= 2 * pairs + 2 else {
      throw TaskError.invalidParameter(
        "associative recall with \(pairs) pairs needs vocabulary ≥ \(2 * pairs + 2) (keys 1 ..< vocabulary/2), "
          + "got \(vocabulary)")
    }
    guard powerExponent > 0, powerExponent <= 1 else {
      throw TaskError.invalidParameter("associative recall needs 0 < power exponent ≤ 1, got \(powerExponent)")
    }
    guard length >= 4 * pairs else {
      throw TaskError.lengthTooSmall(task: .associativeRecall, length: length, minimum: 4 * pairs)
    }
    self.length = length
    self.pairs = pairs
    self.vocabulary = vocabulary
    self.powerExponent = powerExponent
    self.randomFiller = randomFiller
    gapWeights = (0..<((length - 2 * pairs) / 2)).map { pow(Double($0 + 1), powerExponent - 1) }
  }

  /// Equal parameters (the weights follow from them).
  public static func == (lhs: AssociativeRecallTask, rhs: AssociativeRecallTask) -> Bool {
    lhs.length == rhs.length && lhs.pairs == rhs.pairs && lhs.vocabulary == rhs.vocabulary
      && lhs.powerExponent == rhs.powerExponent && lhs.randomFiller == rhs.randomFiller
  }

  /// The blank filler token, 0 (never a key or a value), used when ``randomFiller`` is off.
  public static let filler = 0
  /// Distinct keys, `⌊V/2⌋ − 1`.
  public var keyCount: Int { vocabulary / 2 - 1 }
  /// Distinct values, `V − ⌊V/2⌋`.
  public var valueCount: Int { vocabulary - vocabulary / 2 }
  /// Key tokens, `1 ..< ⌊V/2⌋`.
  public var keys: Range<Int> { 1..<(vocabulary / 2) }
  /// Value tokens, `⌊V/2⌋ ..< V`.
  public var values: Range<Int> { (vocabulary / 2)..<vocabulary }
  /// The first query-region position, `2·pairs`.
  public var queryStart: Int { 2 * pairs }
  /// Query slots `S = ⌊(length − 2·pairs)/2⌋`; slot `g` is position `queryStart + 2g`.
  public var querySlots: Int { gapWeights.count }

  /// ``TaskName/associativeRecall``.
  public var name: TaskName { .associativeRecall }
  /// ``TaskMetric/accuracy`` (per query).
  public var metric: TaskMetric { .accuracy }
  /// Tokens over the ``vocabulary``.
  public var input: InputFormat { .tokens(vocabulary: vocabulary) }
  /// Classes over the ``vocabulary`` (targets are value tokens).
  public var output: OutputFormat { .classes(vocabulary) }
  /// `4·pairs`.
  public var minimumLength: Int { 4 * pairs }

  /// The task at another length, every other parameter unchanged.
  public func resized(to length: Int) throws -> AssociativeRecallTask {
    try AssociativeRecallTask(
      length: length, pairs: pairs, vocabulary: vocabulary, powerExponent: powerExponent, randomFiller: randomFiller)
  }

  /// `pairs` distinct slots, drawn successively with probability proportional to the weights of
  /// the still-free slots; the `i`-th draw is the gap of pair `i`.
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
    var isFiller = [Bool](repeating: true, count: length)
    for i in 0..<pairs {
      inputs[2 * i] = pairKeys[i]
      inputs[2 * i + 1] = pairValues[i]
      isFiller[2 * i] = false
      isFiller[2 * i + 1] = false
    }
    for (i, gap) in gaps(using: &generator).enumerated() {
      let position = queryStart + 2 * gap
      inputs[position] = pairKeys[i]
      targets[position] = pairValues[i]
      isFiller[position] = false
    }
    if randomFiller {
      for position in 0..<length where isFiller[position] { inputs[position] = generator.index(below: vocabulary) }
    }
    return TaskExample(inputs: .tokens(inputs), targets: .classes(targets))
  }
}
