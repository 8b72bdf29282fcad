import Tasks
import Testing

/// An independent ListOps reader: a recursive-descent parser of the token sequence
/// (expression := digit | operator expression+ "]") that evaluates as it parses and records
/// depth and argument counts. Token ids as documented: digits 0 – 9, [MAX 10, [MIN 11, [MED 12,
/// [SM 13, ] 14, padding 15.
private struct ListOpsReader {
  enum Failure: Error { case unexpected(Int?, at: Int) }

  let tokens: [Int]
  var position = 0
  var maxArguments = 0
  var minArguments = Int.max

  init(_ tokens: [Int]) { self.tokens = tokens }

  /// Parses one expression; returns its value and depth.
  mutating func expression() throws -> (value: Int, depth: Int) {
    guard position < tokens.count else { throw Failure.unexpected(nil, at: position) }
    let token = tokens[position]
    position += 1
    if (0...9).contains(token) { return (token, 0) }
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
  // position is the last); depth ≤ maxDepth, 2 … maxArguments arguments, length respected.
  @Test(arguments: [(16, 3, 3), (128, 10, 5), (600, 4, 5), (300, 20, 2)])
  func parserAgreesWithLabels(length: Int, maxDepth: Int, maxArguments: Int) throws {
    let task = try ListOpsTask(length: length, maxDepth: maxDepth, maxArguments: maxArguments)
    var sizes: [Int] = []
    var depths = Set<Int>()
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
        #expect(depth >= 1 && depth <= maxDepth)
        #expect(reader.minArguments >= 2 && reader.maxArguments <= maxArguments)
        sizes.append(length - start)
        depths.insert(depth)
      }
    }
    // Budgeted generation fills the sequence: the mean expression fills ≥ 40 % of it.
    #expect(Double(sizes.reduce(0, +)) / Double(sizes.count) >= 0.4 * Double(length), "\(sizes)")
    // Where shallower trees could also fill the length, the depth varies.
    if maxDepth >= 3 && task.capacity(depth: maxDepth - 1) >= length {
      #expect(depths.count >= 2, "depths vary: \(depths)")
    }
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

  // Hand-checked examples of the evaluation rules (the generator's own operator semantics).
  @Test func operatorSemantics() {
    #expect(ListOpsToken.apply(ListOpsToken.median, to: [1, 5, 8, 9, 2]) == 5)
    #expect(ListOpsToken.apply(ListOpsToken.median, to: [2, 7]) == 4)
    #expect(ListOpsToken.apply(ListOpsToken.sumModulo, to: [9, 8, 7]) == 4)
    #expect(ListOpsToken.apply(ListOpsToken.maximum, to: [4, 3, 1]) == 4)
    #expect(ListOpsToken.apply(ListOpsToken.minimum, to: [4, 3, 1]) == 1)
    #expect(ListOpsToken.render([10, 4, 13, 3, 9, 14, 14]) == "[MAX 4 [SM 3 9 ] ]")
  }

  @Test func badParametersThrow() {
    #expect(throws: TaskError.lengthTooSmall(task: .listOps, length: 3, minimum: 4)) { _ = try ListOpsTask(length: 3) }
    #expect(throws: TaskError.self) { _ = try ListOpsTask(length: 64, maxDepth: 0) }
    #expect(throws: TaskError.self) { _ = try ListOpsTask(length: 64, maxArguments: 1) }
  }
}
