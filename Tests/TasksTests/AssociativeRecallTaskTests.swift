import Foundation
import SeededRandom
import Tasks
import Testing

@Suite("Multi-query associative recall")
struct AssociativeRecallTaskTests {
  /// `count` instances drawn straight from the generator (no split filtering, so the statistics
  /// are the generator's own).
  private func draws(_ task: AssociativeRecallTask, count: Int, seed: UInt64) -> [(inputs: [Int], targets: [Int])] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
      let example = task.example(using: &generator)
      guard case .tokens(let inputs) = example.inputs, case .classes(let targets) = example.targets else {
        Issue.record("expected tokens and classes")
        return ([], [])
      }
      return (inputs, targets)
    }
  }

  // Independent solver on the blank-filler layout (odd length: the last position is filler):
  // read the key–value pairs of the context into a dictionary; every query-region position
  // holding a key is at an even offset and scored with that key's value; each key is queried
  // exactly once; keys and values come from Zoology's ranges 1 ..< V/2 and V/2 ..< V; every other
  // position holds the blank 0, so a value occurs only in the context (never after its query).
  @Test func answersAreThePairedValues() throws {
    let task = try AssociativeRecallTask(length: 129, pairs: 8, vocabulary: 64, randomFiller: false)
    #expect(task.keys == 1..<32 && task.values == 32..<64 && task.querySlots == 56)
    for batch in try batches(task, count: 8, size: 16) {
      for (row, target) in zip(tokens(batch), classes(batch)) {
        var memory: [Int: Int] = [:]
        for i in 0..<8 {
          #expect(task.keys.contains(row[2 * i]) && task.values.contains(row[2 * i + 1]))
          memory[row[2 * i]] = row[2 * i + 1]
        }
        #expect(memory.count == 8, "keys are distinct")
        #expect(Set(memory.values).count == 8, "values are distinct")
        #expect(target[0..<16].allSatisfy { $0 == TaskBatch.ignoredTarget })
        var queried: [Int] = []
        for t in 16..<129 {
          if let value = memory[row[t]] {
            queried.append(row[t])
            #expect((t - 16) % 2 == 0 && t < 128, "queries at even offsets of the query region")
            #expect(target[t] == value)
          } else {
            #expect(row[t] == AssociativeRecallTask.filler && target[t] == TaskBatch.ignoredTarget)
          }
        }
        #expect(queried.sorted() == memory.keys.sorted())
      }
    }
  }

  // Zoology's default random filler: the scored positions are exactly the queries (even offsets,
  // one per context key, target its value); the other positions of the query region hold tokens
  // uniform over the whole vocabulary (χ², 5 σ); and the token right after a query equals its
  // value no more often than chance 1/V (5 σ of the binomial count), so the value is not echoed.
  @Test func randomFillerIsUniformAndNeverEchoesTheValue() throws {
    let task = try AssociativeRecallTask(length: 96, pairs: 8, vocabulary: 40)
    #expect(task.randomFiller && task.keys == 1..<20 && task.values == 20..<40)
    var fillerCounts = [Int](repeating: 0, count: 40)
    var afterQuery = 0
    var echoes = 0
    for (row, target) in draws(task, count: 3000, seed: 11) {
      let context = Dictionary(uniqueKeysWithValues: (0..<8).map { (row[2 * $0], row[2 * $0 + 1]) })
      let scored = scoredPositions(target)
      #expect(scored.count == 8 && scored.allSatisfy { $0 >= 16 && ($0 - 16) % 2 == 0 })
      #expect(Set(scored.map { row[$0] }) == Set(context.keys))
      #expect(scored.allSatisfy { target[$0] == context[row[$0]] })
      for t in 16..<96 where !scored.contains(t) { fillerCounts[row[t]] += 1 }
      for q in scored where q + 1 < 96 {
        afterQuery += 1
        if row[q + 1] == target[q] { echoes += 1 }
      }
    }
    let fit = chiSquare(observed: fillerCounts, probabilities: [Double](repeating: 1.0 / 40, count: 40))
    #expect(fit.statistic < fit.critical, "\(fit) \(fillerCounts)")
    let mean = Double(afterQuery) / 40
    #expect(abs(Double(echoes) - mean) < 5 * (mean * (1 - 1.0 / 40)).squareRoot(), "\(echoes) of \(afterQuery)")
  }

  // The gaps are Zoology's successive sampling without replacement from the power law over the
  // S = (L − 2P)/2 slots: the first pair's query slot g₀ has P(g₀ = g) = p_g with
  // p_g ∝ (g + 1)^(α − 1), and the second pair's P(g₁ = g) = Σ_{h ≠ g} p_h·p_g / (1 − p_h)
  // (drawn among the slots left). Both are pinned by χ² over 20 000 instances (5 σ), for
  // Zoology's α = 0.01, for α = 0.5 and for the uniform α = 1.
  @Test(arguments: [0.01, 0.5, 1.0])
  func gapsAreSuccessivePowerLawDraws(alpha: Double) throws {
    let task = try AssociativeRecallTask(length: 88, pairs: 4, vocabulary: 64, powerExponent: alpha)
    let slots = 40
    #expect(task.querySlots == slots)
    let weights = (0..<slots).map { pow(Double($0 + 1), alpha - 1) }
    let p = weights.map { $0 / weights.reduce(0, +) }
    let second = (0..<slots).map { g in (0..<slots).filter { $0 != g }.reduce(0.0) { $0 + p[$1] * p[g] / (1 - p[$1]) } }
    var firstCounts = [Int](repeating: 0, count: slots)
    var secondCounts = [Int](repeating: 0, count: slots)
    for (row, target) in draws(task, count: 20_000, seed: 5) {
      // The query of pair i is the scored position whose target is the pair's value (random filler
      // may repeat the key elsewhere, never the target).
      let slotOf = { (pair: Int) -> Int in (8..<88).first { target[$0] == row[2 * pair + 1] }! - 8 }
      firstCounts[slotOf(0) / 2] += 1
      secondCounts[slotOf(1) / 2] += 1
    }
    let first = chiSquare(observed: firstCounts, probabilities: p)
    #expect(first.statistic < first.critical, "α = \(alpha): \(first) \(firstCounts)")
    let following = chiSquare(observed: secondCounts, probabilities: second)
    #expect(following.statistic < following.critical, "α = \(alpha): \(following) \(secondCounts)")
    if alpha < 1 {
      // The power law is visible: the first slot is the most frequent, the last the least.
      #expect(firstCounts[0] == firstCounts.max() && firstCounts[slots - 1] < firstCounts[0] / 2)
    }
  }

  @Test func badParametersThrow() {
    #expect(throws: TaskError.lengthTooSmall(task: .associativeRecall, length: 39, minimum: 40)) {
      _ = try AssociativeRecallTask(length: 39, pairs: 10)
    }
    #expect(throws: TaskError.self) { _ = try AssociativeRecallTask(length: 64, pairs: 0) }
    #expect(throws: TaskError.self) { _ = try AssociativeRecallTask(length: 64, pairs: 8, vocabulary: 17) }
    #expect(throws: TaskError.self) { _ = try AssociativeRecallTask(length: 64, powerExponent: 0) }
    #expect(throws: TaskError.self) { _ = try AssociativeRecallTask(length: 64, powerExponent: 1.5) }
    #expect(throws: Never.self) { _ = try AssociativeRecallTask(length: 64, pairs: 8, vocabulary: 18) }
    #expect(throws: Never.self) { _ = try AssociativeRecallTask(length: 40, pairs: 10) }
  }
}
