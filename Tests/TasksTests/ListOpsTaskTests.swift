import SeededRandom
import Tasks
import Testing

/// An independent ListOps reader: a recursive-descent parser of the token sequence
/// (expression := digit | operator expression+ "]") that evaluates as it parses and records
/// depth, argument counts and the counts of each operator and digit. Token ids as documented:
/// digits 0 – 9, [MAX 10, [MIN 11, [MED 12, [SM 13, ] 14, padding 15.
private struct ListOpsReader {
  enum Failure: Error { case unexpected(Int?, at: Int) }

  let tokens: [Int]
  var position = 0
  var maxArguments = 0
  var minArguments = Int.max
  var argumentCounts: [Int] = []
  var operatorCounts = [Int](repeating: 0, count: 4)
  var digitCounts = [Int](repeating: 0, count: 10)

  init(_ tokens: [Int]) { self.tokens = tokens }

  /// Parses one expression; returns its value and depth.
  mutating func expression() throws -> (value: Int, depth: Int) {
    guard position < tokens.count else { throw Failure.unexpected(nil, at: position) }
    let token = tokens[position]
    position += 1
    if (0...9).contains(token) {
      digitCounts[token] += 1
      return (token, 0)
    }
    guard (10...13).contains(token) else { throw Failure.unexpected(token, at: position - 1) }
    var arguments: [Int] = []
    var depth = 0
    while position < tokens.count, tokens[position] != 14 {
      let (value, d) = try expression()
      arguments.append(value)
      depth = max(depth, d)
    }
    guard position < tokens.count else { throw Failure.unexpected(nil, at: position) }
    position += 1  // "]"
    guard !arguments.isEmpty else { throw Failure.unexpected(14, at: position - 1) }
    maxArguments = max(maxArguments, arguments.count)
    minArguments = min(minArguments, arguments.count)
    argumentCounts.append(arguments.count)
    operatorCounts[token - 10] += 1
    let value: Int
    switch token {
    case 10: value = arguments.max()!
    case 11: value = arguments.min()!
    case 12:
      // The statistical median, truncated to an integer.
      let s = arguments.sorted()
      let middle = Double(s.count - 1) / 2
      value = Int(((Double(s[Int(middle.rounded(.down))]) + Double(s[Int(middle.rounded(.up))])) / 2).rounded(.down))
    default: value = arguments.reduce(0, +) % 10
    }
    return (value, depth + 1)
  }
}

@Suite("ListOps")
struct ListOpsTaskTests {
  // The parser reads back every instance: padding only before the expression, which ends at the
  // last position and parses completely; the parsed value equals the label (the only scored
  // position is the last); operators nest at most maxDepth − 1 deep (LRA's levels count the
  // digits), 2 … maxArguments arguments, and the token count lies in the window
  // ⌊length/4⌋ < n < length.
  @Test(arguments: [(16, 3, 3), (128, 10, 5), (600, 10, 10), (300, 20, 4), (64, 10, 10)])
  func parserAgreesWithLabels(length: Int, maxDepth: Int, maxArguments: Int) throws {
    let task = try ListOpsTask(length: length, maxDepth: maxDepth, maxArguments: maxArguments)
    #expect(task.expressionLengths == (length / 4 + 1)..<length)
    for batch in try batches(task, count: 10, size: 20) {
      for (row, target) in zip(tokens(batch), classes(batch)) {
        #expect(row.count == length)
        let start = row.firstIndex { $0 != 15 }!
        #expect(!row[start...].contains(15))
        var reader = ListOpsReader(Array(row[start...]))
        let (value, depth) = try reader.expression()
        #expect(reader.position == length - start, "the expression ends at the last position")
        #expect(scoredPositions(target) == [length - 1])
        #expect(target[length - 1] == value, "\(ListOpsToken.render(row))")
        #expect(depth >= 1 && depth <= maxDepth - 1)
        #expect(reader.minArguments >= 2 && reader.maxArguments <= maxArguments)
        #expect(length - start > length / 4 && start >= 1, "inside the window")
      }
    }
  }

  // LRA's layout: the expression from position 0, padding after it, the label still at the last
  // position; the same generator otherwise (same instances for the same stream, shifted).
  @Test func leftAlignedLayoutIsLRAs() throws {
    let right = try ListOpsTask(length: 64)
    let left = try ListOpsTask(length: 64, layout: .leftAligned)
    #expect(try left.resized(to: 80).layout == .leftAligned)
    var a = SeededGenerator(seed: 4)
    var b = SeededGenerator(seed: 4)
    for _ in 0..<50 {
      guard case .tokens(let r) = right.example(using: &a).inputs, case .tokens(let l) = left.example(using: &b).inputs
      else {
        Issue.record("expected tokens")
        return
      }
      let expression = r.filter { $0 != ListOpsToken.padding }
      #expect(Array(l.prefix(expression.count)) == expression)
      #expect(l.dropFirst(expression.count).allSatisfy { $0 == ListOpsToken.padding })
    }
  }

  // The exact law of LRA tree lengths against independent values: a hand case (levels 2, up to 3
  // arguments: a digit with probability 3/4, else [OP d d ] or [OP d d d ] with 1/8 each); total
  // mass 1 once the bound exceeds the largest tree (levels 3, 3 arguments: 2 + 3·5 = 17 tokens);
  // and the window masses computed by numpy (a convolution recursion written separately, in
  // float64), to 1e-12 relative (summation order only).
  @Test func treeLengthLawMatchesIndependentValues() throws {
    let hand = try ListOpsTask.treeLengthProbabilities(maxDepth: 2, maxArguments: 3, below: 8)
    #expect(hand == [0, 0.75, 0, 0, 0.125, 0.125, 0, 0])
    let full = try ListOpsTask.treeLengthProbabilities(maxDepth: 3, maxArguments: 3, below: 18)
    #expect(abs(full.reduce(0, +) - 1) < 1e-14)
    let numpy: [(length: Int, maxDepth: Int, maxArguments: Int, mass: Double)] = [
      (16, 3, 3, 0.1787109375), (64, 10, 10, 0.025895620515577093), (128, 10, 5, 0.04979413464207815),
      (600, 10, 10, 0.053593318308737384), (300, 20, 4, 0.00822699912311219),
    ]
    for golden in numpy {
      let task = try ListOpsTask(length: golden.length, maxDepth: golden.maxDepth, maxArguments: golden.maxArguments)
      #expect(abs(task.acceptanceProbability / golden.mass - 1) < 1e-12, "\(golden)")
    }
    #expect(throws: TaskError.self) {
      _ = try ListOpsTask.treeLengthProbabilities(maxDepth: 0, maxArguments: 3, below: 8)
    }
  }

  // The generator's statistics over 3000 instances (length 64, LRA's defaults): the expression
  // lengths follow the exact law conditioned on the window (χ², 5 σ); operators and digits are
  // uniform (they are drawn independently of the tree's shape, so the window leaves them
  // uniform; χ², 5 σ); every argument count 2 … 10 occurs and none exceeds 10; the nesting depth
  // varies (long windows, such as 151 ..< 600 at length 600, hold almost only trees of the full depth 9).
  @Test func generatorStatisticsAreLRAs() throws {
    let task = try ListOpsTask(length: 64)
    let law = try ListOpsTask.treeLengthProbabilities(maxDepth: 10, maxArguments: 10, below: 64)
    let window = task.expressionLengths
    let conditional = window.map { law[$0] / task.acceptanceProbability }
    var lengths = [Int](repeating: 0, count: window.count)
    var operators = [Int](repeating: 0, count: 4)
    var digits = [Int](repeating: 0, count: 10)
    var argumentCounts = Set<Int>()
    var depths = Set<Int>()
    var generator = SeededGenerator(seed: 21)
    for _ in 0..<3000 {
      guard case .tokens(let row) = task.example(using: &generator).inputs else {
        Issue.record("expected tokens")
        return
      }
      let expression = row.filter { $0 != ListOpsToken.padding }
      lengths[expression.count - window.lowerBound] += 1
      var reader = ListOpsReader(expression)
      depths.insert(try reader.expression().depth)
      for i in 0..<4 { operators[i] += reader.operatorCounts[i] }
      for i in 0..<10 { digits[i] += reader.digitCounts[i] }
      argumentCounts.formUnion(reader.argumentCounts)
    }
    let lengthFit = chiSquare(observed: lengths, probabilities: conditional)
    #expect(lengthFit.statistic < lengthFit.critical, "\(lengthFit) \(lengths)")
    let operatorFit = chiSquare(observed: operators, probabilities: [0.25, 0.25, 0.25, 0.25])
    #expect(operatorFit.statistic < operatorFit.critical, "\(operatorFit) \(operators)")
    let digitFit = chiSquare(observed: digits, probabilities: [Double](repeating: 0.1, count: 10))
    #expect(digitFit.statistic < digitFit.critical, "\(digitFit) \(digits)")
    #expect(argumentCounts == Set(2...10))
    #expect(depths.count >= 3 && depths.allSatisfy { (1...9).contains($0) }, "\(depths)")
  }

  // The labels are not degenerate: over 2000 instances every class 0 … 9 appears, none takes
  // more than 40 %.
  @Test func everyClassAppears() throws {
    let task = try ListOpsTask(length: 64)
    var counts = [Int](repeating: 0, count: 10)
    for batch in try batches(task, count: 20, size: 100) {
      for target in classes(batch) { counts[target[63]] += 1 }
    }
    #expect(counts.allSatisfy { $0 > 0 && $0 < 800 }, "\(counts)")
  }

  // Hand-checked examples of the evaluation rules; MED is LRA's int(numpy.median(·)), whose values
  // on these lists were computed with numpy: [1, 2] → 1, [0, 9] → 4, [3, 4, 8, 9] → 6, [2, 7] → 4,
  // [1, 5, 8, 9, 2] → 5, [9, 9, 0, 0] → 4, [5, 6] → 5, [7, 0, 3] → 3.
  @Test func operatorSemantics() {
    let medians: [([Int], Int)] = [
      ([1, 2], 1), ([0, 9], 4), ([3, 4, 8, 9], 6), ([2, 7], 4), ([1, 5, 8, 9, 2], 5), ([9, 9, 0, 0], 4), ([5, 6], 5),
      ([7, 0, 3], 3),
    ]
    for (arguments, value) in medians {
      #expect(ListOpsToken.apply(ListOpsToken.median, to: arguments) == value, "\(arguments)")
    }
    #expect(ListOpsToken.apply(ListOpsToken.sumModulo, to: [9, 8, 7]) == 4)
    #expect(ListOpsToken.apply(ListOpsToken.maximum, to: [4, 3, 1]) == 4)
    #expect(ListOpsToken.apply(ListOpsToken.minimum, to: [4, 3, 1]) == 1)
    #expect(ListOpsToken.render([10, 4, 13, 3, 9, 14, 14]) == "[MAX 4 [SM 3 9 ] ]")
  }

  // A default window rescales with the length; an explicit one is kept and bounds the length.
  @Test func windowFollowsTheLength() throws {
    let task = try ListOpsTask(length: 64)
    #expect(try task.resized(to: 2000).expressionLengths == 501..<2000)
    let fixed = try ListOpsTask(length: 64, minimumExpressionLength: 10)
    #expect(fixed.expressionLengths == 10..<64 && fixed.minimumLength == 11)
    #expect(try fixed.resized(to: 128).expressionLengths == 10..<128)
    #expect(throws: TaskError.lengthTooSmall(task: .listOps, length: 10, minimum: 11)) {
      _ = try fixed.resized(to: 10)
    }
  }

  @Test func badParametersThrow() {
    #expect(throws: TaskError.lengthTooSmall(task: .listOps, length: 4, minimum: 5)) { _ = try ListOpsTask(length: 4) }
    #expect(throws: TaskError.self) { _ = try ListOpsTask(length: 64, maxDepth: 1) }
    #expect(throws: TaskError.self) { _ = try ListOpsTask(length: 64, maxArguments: 1) }
    #expect(throws: TaskError.self) { _ = try ListOpsTask(length: 64, minimumExpressionLength: 0) }
    // LRA trees of at most 4 levels and 5 arguments almost never have 151 … 599 tokens
    // (probability 2·10⁻²⁰ by numpy): rejected, not sampled for ever.
    #expect(throws: TaskError.self) { _ = try ListOpsTask(length: 600, maxDepth: 4, maxArguments: 5) }
  }
}
