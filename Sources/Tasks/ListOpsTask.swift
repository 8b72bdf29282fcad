import SeededRandom

/// ListOps (Nangia & Bowman 2018, "ListOps: A Diagnostic Dataset for Latent Tree Learning") in
/// its Long Range Arena form (Tay et al. 2021), with the instance distribution of LRA's generator
/// (`generate_tree` and the length filter of `lra_benchmarks/data/listops.py`): a nested
/// expression of the operators MAX, MIN, MED (median) and SM (sum modulo 10) over the digits
/// 0 – 9, e.g. `[MAX 4 3 [MIN 2 3 ] 1 0 [MED 1 5 8 9 2 ] ] = 5`; the model outputs its value, a
/// 10-way classification. Tokens: ``ListOpsToken``.
///
/// Generation (LRA's, with `D = maxDepth`, `A = maxArguments`):
/// 1. a tree is drawn top-down from the root at level 1: a node at level `d < D` is an operator
///    with probability 1/4 and a digit otherwise (a node at level `D` is always a digit); an
///    operator is uniform over the four, with a number of arguments uniform over `2 … A`, each
///    an independent node at level `d + 1`; a digit is uniform over 0 – 9. Operators therefore nest
///    at most `D − 1` deep;
/// 2. the tree's token count `n` (a digit 1; an operator 2 — its `[OP` and `]` — plus its
///    arguments') must lie in ``expressionLengths`` `= m ..< length`, with `m = ⌊length/4⌋ + 1` by
///    default (LRA: `500 < n < 2000` at length 2000); trees outside are rejected and drawn again,
///    so an instance has the law of LRA's trees conditioned on the window.
///    ``acceptanceProbability`` is the exact probability that a tree falls in it.
///
/// The value is computed as in LRA: MAX, MIN, `MED = int(median)` (the integer part of the mean
/// of the two middle values for an even count) and `SM = sum mod 10`. The label (the expression's
/// value, class `0 … 9`) is the target at the last position only.
///
/// **Layout.** ``Layout/rightAligned`` (the default, for causal models): padding fills positions
/// `0 ..< length − n` and the expression ends at the last position, so a causal model answers
/// after reading the whole expression. ``Layout/leftAligned`` is LRA's input: the expression from
/// position 0, padding after it (LRA's encoders pool over all positions).
///
/// Deviations from LRA: the random stream (a ``SeededGenerator``, not Python's `random`), so
/// instances for a seed differ while their law is the same; splits disjoint by content hash
/// (``Split``) rather than a deduplicated pool cut into train, validation and test; the closing
/// bracket `]` is a token, as in the S4 / S5 ListOps pipelines (LRA's own TFDS tokenizer drops
/// every non-alphanumeric character, brackets included); the right-aligned layout by default
/// (above). Defaults: LRA's `maxDepth = 10`, `maxArguments = 10` and window
/// `⌊length/4⌋ < n < length`. Parameters whose window LRA's trees almost never reach
/// (``acceptanceProbability`` below ``minimumAcceptance``; at the defaults, lengths above about
/// 18 500: the acceptance falls from 3·10⁻⁴ at 16 384 to 6·10⁻⁵ at 20 000) are rejected with an
/// error rather than sampled for ever.
public struct ListOpsTask: SequenceTask, Equatable {
  /// Where the expression sits in the sequence.
  public enum Layout: String, Equatable, Sendable, CaseIterable {
    /// Padding first, the expression ending at the last position (for causal models).
    case rightAligned
    /// The expression first, padding after it (LRA's layout).
    case leftAligned
  }

  /// Positions per instance (padding plus expression).
  public let length: Int
  /// The most tree levels, digits included (LRA's `max_depth`, ≥ 2): operators nest at most
  /// `maxDepth − 1` deep.
  public let maxDepth: Int
  /// The most arguments of an operator (LRA's `max_args`, ≥ 2).
  public let maxArguments: Int
  /// The shortest accepted expression as given (`nil`: `⌊length/4⌋ + 1`, rescaled by
  /// ``resized(to:)``).
  public let minimumExpressionLength: Int?
  /// Where the expression sits.
  public let layout: Layout
  /// The probability that one tree of LRA's generator has a token count in
  /// ``expressionLengths`` (the rejection sampler's acceptance rate; exact, from
  /// ``treeLengthProbabilities(maxDepth:maxArguments:below:)``).
  public let acceptanceProbability: Double

  /// The smallest ``acceptanceProbability`` accepted, `10⁻⁴` (about 10⁴ trees drawn per instance).
  public static let minimumAcceptance = 1e-4

  /// A task of exactly `length` positions. Needs `maxDepth ≥ 2`, `maxArguments ≥ 2`,
  /// `minimumExpressionLength ≥ 1` when given, `length ≥` ``minimumLength`` and an
  /// ``acceptanceProbability`` of at least ``minimumAcceptance``.
  public init(
    length: Int, maxDepth: Int = 10, maxArguments: Int = 10, minimumExpressionLength: Int? = nil,
    layout: Layout = .rightAligned
  ) throws {
    guard maxDepth >= 2, maxArguments >= 2 else {
      throw TaskError.invalidParameter(
        "ListOps needs maxDepth ≥ 2 and maxArguments ≥ 2, got \(maxDepth) and \(maxArguments)")
    }
    if let shortest = minimumExpressionLength, shortest < 1 {
      throw TaskError.invalidParameter("ListOps needs minimumExpressionLength ≥ 1, got \(shortest)")
    }
    let minimum = Self.minimumLength(minimumExpressionLength: minimumExpressionLength)
    guard length >= minimum else { throw TaskError.lengthTooSmall(task: .listOps, length: length, minimum: minimum) }
    let shortest = minimumExpressionLength ?? length / 4 + 1
    let probabilities = try Self.treeLengthProbabilities(maxDepth: maxDepth, maxArguments: maxArguments, below: length)
    let acceptance = probabilities[shortest...].reduce(0, +)
    guard acceptance >= Self.minimumAcceptance else {
      throw TaskError.invalidParameter(
        "ListOps: only a fraction \(acceptance) of LRA trees (maxDepth \(maxDepth), maxArguments \(maxArguments)) "
          + "have \(shortest) ..< \(length) tokens, below \(Self.minimumAcceptance); raise maxDepth or "
          + "maxArguments, or lower minimumExpressionLength")
    }
    self.length = length
    self.maxDepth = maxDepth
    self.maxArguments = maxArguments
    self.minimumExpressionLength = minimumExpressionLength
    self.layout = layout
    acceptanceProbability = acceptance
  }

  /// The smallest length with this window: an expression of at least 4 tokens (`[OP d d ]`) and
  /// at least `minimumExpressionLength` must fit strictly below it.
  private static func minimumLength(minimumExpressionLength: Int?) -> Int {
    max(5, (minimumExpressionLength ?? 0) + 1)
  }

  /// The accepted expression token counts, `m ..< length`.
  public var expressionLengths: Range<Int> { (minimumExpressionLength ?? length / 4 + 1)..<length }

  /// ``TaskName/listOps``.
  public var name: TaskName { .listOps }
  /// ``TaskMetric/accuracy``.
  public var metric: TaskMetric { .accuracy }
  /// Tokens over ``ListOpsToken/vocabulary``.
  public var input: InputFormat { .tokens(vocabulary: ListOpsToken.vocabulary) }
  /// 10 classes (the digit values; class `c` is also token `c`).
  public var output: OutputFormat { .classes(10) }
  /// 5 (`[OP d d ]` and a padding position), or `minimumExpressionLength + 1` if larger.
  public var minimumLength: Int { Self.minimumLength(minimumExpressionLength: minimumExpressionLength) }

  /// The task at another length, every other parameter unchanged (a default window rescales).
  public func resized(to length: Int) throws -> ListOpsTask {
    try ListOpsTask(
      length: length, maxDepth: maxDepth, maxArguments: maxArguments,
      minimumExpressionLength: minimumExpressionLength, layout: layout)
  }

  /// Appends a node at tree level `level` and returns its value, or `nil` as soon as the
  /// expression has reached `length` tokens (it can only be rejected then).
  private func appendNode(level: Int, to tokens: inout [Int], using generator: inout SeededGenerator) -> Int? {
    guard tokens.count < length else { return nil }
    guard level < maxDepth, generator.index(below: 4) == 0 else {
      let digit = generator.index(below: 10)
      tokens.append(digit)
      return digit
    }
    let operation = ListOpsToken.operators[generator.index(below: 4)]
    let count = 2 + generator.index(below: maxArguments - 1)
    tokens.append(operation)
    var arguments: [Int] = []
    arguments.reserveCapacity(count)
    for _ in 0..<count {
      guard let value = appendNode(level: level + 1, to: &tokens, using: &generator) else { return nil }
      arguments.append(value)
    }
    tokens.append(ListOpsToken.close)
    return ListOpsToken.apply(operation, to: arguments)
  }

  /// One instance: trees are drawn until one falls in the window; its value is the target at the
  /// last position.
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    var expression: [Int] = []
    while true {
      expression.removeAll(keepingCapacity: true)
      if let value = appendNode(level: 1, to: &expression, using: &generator),
        expressionLengths.contains(expression.count)
      {
        let padding = [Int](repeating: ListOpsToken.padding, count: length - expression.count)
        var targets = [Int](repeating: TaskBatch.ignoredTarget, count: length)
        targets[length - 1] = value
        let inputs = layout == .rightAligned ? padding + expression : expression + padding
        return TaskExample(inputs: .tokens(inputs), targets: .classes(targets))
      }
    }
  }
}
