import SeededRandom

/// ListOps (Nangia & Bowman 2018, "ListOps: A Diagnostic Dataset for Latent Tree Learning"; the
/// long-sequence version of Tay et al. 2021, "Long Range Arena"): a nested expression of the
/// operators MAX, MIN, MED (median) and SM (sum modulo 10) over the digits 0 – 9, e.g.
/// `[MAX 4 3 [MIN 2 3 ] 1 0 [MED 1 5 8 9 2 ] ] = 5`; the model must output its value, a 10-way
/// classification. Tokens: ``ListOpsToken``.
///
/// Generation (budgeted, so that expressions fill a given length):
/// 1. a target size `n` is uniform in `max(4, ⌈length/2⌉) … length`, clipped to the capacity
///    `C(maxDepth)` of a tree of that depth (``capacity(depth:)``);
/// 2. the root is an operator node with budget `n` and depth allowance `maxDepth`. An operator
///    node with budget `B` and allowance `d` takes a uniform operator and a uniform argument count
///    `k` from `max(2, ⌈(B − 2)/C(d − 1)⌉)` (enough to hold the budget) to
///    `min(maxArguments, B − 2)`. If `d = 1` every argument is a digit. Otherwise each argument is
///    independently a digit with probability 1/4 and a sub-expression otherwise (digits become
///    sub-expressions again, first to last, while the sub-expressions could not hold the
///    budget); the `B − 2 − #digits` tokens left are split among the sub-expressions by a uniform
///    random composition (shares above `C(d − 1)` are clipped and the excess handed to siblings
///    in order), and a sub-expression whose share is below 4 tokens becomes a digit (an operator
///    needs ≥ 4: itself, two arguments, `]`); the others recurse with allowance `d − 1`;
/// 3. digits are uniform over 0 – 9.
///
/// So every expression has between 2 and `maxArguments` arguments per operator, depth
/// (a digit has depth 0, an operator 1 + its deepest argument) between 1 and `maxDepth`, and at
/// most `n ≤ length` tokens (usually close to `n`). The expression is **right-aligned**: padding
/// fills positions `0 ..< length − size`, the expression ends at the last position, and the
/// label (the expression's value, class `0 … 9`) is the target at the last position only, so a
/// causal model answers after reading the whole expression (rather than pooling, as LRA's
/// encoder models do). Metric: accuracy; defaults `maxDepth = 10`, `maxArguments = 5` (LRA's).
public struct ListOpsTask: SequenceTask, Equatable {
  /// Positions per instance (padding plus expression).
  public let length: Int
  /// The maximum nesting depth (≥ 1).
  public let maxDepth: Int
  /// The maximum number of arguments of an operator (≥ 2).
  public let maxArguments: Int

  /// A task of exactly `length ≥ 4` positions.
  public init(length: Int, maxDepth: Int = 10, maxArguments: Int = 5) throws {
    guard maxDepth >= 1, maxArguments >= 2 else {
      throw TaskError.invalidParameter("ListOps needs maxDepth ≥ 1 and maxArguments ≥ 2")
    }
    guard length >= 4 else { throw TaskError.lengthTooSmall(task: .listOps, length: length, minimum: 4) }
    self.length = length
    self.maxDepth = maxDepth
    self.maxArguments = maxArguments
  }

  /// ``TaskName/listOps``.
  public var name: TaskName { .listOps }
  /// ``TaskMetric/accuracy``.
  public var metric: TaskMetric { .accuracy }
  /// Tokens over ``ListOpsToken/vocabulary``.
  public var input: InputFormat { .tokens(vocabulary: ListOpsToken.vocabulary) }
  /// 10 classes (the digit values; class `c` is also token `c`).
  public var output: OutputFormat { .classes(10) }
  /// 4 (`[OP d d ]`).
  public var minimumLength: Int { 4 }

  /// The task at another length, same depth and argument limits.
  public func resized(to length: Int) throws -> ListOpsTask {
    try ListOpsTask(length: length, maxDepth: maxDepth, maxArguments: maxArguments)
  }

  /// The most tokens an operator node with depth allowance `depth` can hold:
  /// `C(1) = 2 + maxArguments`, `C(d) = 2 + maxArguments · C(d − 1)` (saturating).
  public func capacity(depth: Int) -> Int {
    var c = 2 + maxArguments
    for _ in 1..<max(1, depth) {
      let (product, overflow) = maxArguments.multipliedReportingOverflow(by: c)
      if overflow || product > Int.max / 2 { return Int.max / 2 }
      c = 2 + product
    }
    return c
  }

  /// Appends an operator node of at most `budget` tokens (`4 ≤ budget ≤ capacity(depth)`) with
  /// depth allowance `depth ≥ 1`; returns its value.
  private func appendOperator(
    budget: Int, depth: Int, to tokens: inout [Int], using generator: inout SeededGenerator
  ) -> Int {
    let op = ListOpsToken.operators[generator.index(below: 4)]
    let inner = budget - 2
    let childCapacity = depth > 1 ? capacity(depth: depth - 1) : 1
    // Enough arguments to hold the budget if all were sub-expressions, at most maxArguments.
    let fewest = max(2, min(maxArguments, (inner + childCapacity - 1) / childCapacity))
    let k = fewest + generator.index(below: min(maxArguments, inner) - fewest + 1)
    // Each argument is a digit with probability 1/4 (always at the last level); digits turn back
    // into sub-expressions, first to last, while the sub-expressions cannot hold the rest.
    var isDigit = (0..<k).map { _ in depth == 1 || generator.index(below: 4) == 0 }
    if depth > 1 {
      var index = 0
      while isDigit.filter({ !$0 }).count * childCapacity < inner - isDigit.filter({ $0 }).count, index < k {
        isDigit[index] = false
        index += 1
      }
    }
    let subexpressions = isDigit.filter { !$0 }.count
    var shares: [Int] = []
    if subexpressions > 0 {
      let available = inner - (k - subexpressions)
      let cuts = generator.distinctSorted(subexpressions - 1, below: available - 1).map { $0 + 1 }
      shares = zip(cuts + [available], [0] + cuts).map { $0 - $1 }
      // Clip shares to the capacity and hand the excess to siblings with room, in order.
      var excess = 0
      for i in shares.indices where shares[i] > childCapacity {
        excess += shares[i] - childCapacity
        shares[i] = childCapacity
      }
      for i in shares.indices where excess > 0 {
        let room = min(excess, childCapacity - shares[i])
        shares[i] += room
        excess -= room
      }
    }
    tokens.append(op)
    var arguments: [Int] = []
    var next = 0
    for digit in isDigit {
      if !digit, shares[next] >= 4 {
        arguments.append(appendOperator(budget: shares[next], depth: depth - 1, to: &tokens, using: &generator))
      } else {
        let value = generator.index(below: 10)
        tokens.append(value)
        arguments.append(value)
      }
      if !digit { next += 1 }
    }
    tokens.append(ListOpsToken.close)
    return ListOpsToken.apply(op, to: arguments)
  }

  /// One instance: a left-padded expression and its value at the last position.
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    let smallest = max(4, (length + 1) / 2)
    let target = min(smallest + generator.index(below: length - smallest + 1), capacity(depth: maxDepth))
    var expression: [Int] = []
    expression.reserveCapacity(target)
    let value = appendOperator(budget: target, depth: maxDepth, to: &expression, using: &generator)
    var targets = [Int](repeating: TaskBatch.ignoredTarget, count: length)
    targets[length - 1] = value
    let inputs = [Int](repeating: ListOpsToken.padding, count: length - expression.count) + expression
    return TaskExample(inputs: .tokens(inputs), targets: .classes(targets))
  }
}
