import Tasks
import Testing

@Suite("Multi-query associative recall")
struct AssociativeRecallTaskTests {
  // Independent solver: read the key–value pairs of the context into a dictionary, then every
  // query-region position holding a key must be scored with that key's value; each key is
  // queried exactly once; keys and values come from disjoint ranges; nothing else is scored.
  @Test func answersAreThePairedValues() throws {
    let task = try AssociativeRecallTask(length: 128, pairs: 8, vocabulary: 64)
    #expect(task.keys == 1..<32 && task.values == 32..<64)
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
        for t in 16..<128 {
          if let value = memory[row[t]] {
            queried.append(row[t])
            #expect(target[t] == value)
          } else {
            #expect(row[t] == AssociativeRecallTask.filler && target[t] == TaskBatch.ignoredTarget)
          }
        }
        #expect(queried.sorted() == memory.keys.sorted())
      }
    }
  }

  // Gaps follow a power law (α = 0.01, weight ∝ (g+1)^−0.99): the density of queries per slot,
  // in doubling gap buckets, falls monotonically, and in the tail (where sampling without
  // replacement no longer saturates) it halves when the gap doubles (ratio 0.5; accepted
  // 0.35 – 0.7, > 5 σ with ≈ 700 counts per bucket).
  @Test func gapsArePowerLawDistributed() throws {
    let task = try AssociativeRecallTask(length: 512, pairs: 16, vocabulary: 64)
    var histogram = [Int](repeating: 0, count: 480)
    for batch in try batches(task, count: 32, size: 16) {
      for target in classes(batch) { for p in scoredPositions(target) { histogram[p - 32] += 1 } }
    }
    let edges = [0, 1, 3, 7, 15, 31, 63, 127, 255, 480]
    let density = zip(edges, edges.dropFirst()).map { lo, hi in
      Double(histogram[lo..<hi].reduce(0, +)) / Double(hi - lo)
    }
    #expect(zip(density, density.dropFirst()).allSatisfy { $0 > $1 }, "\(density)")
    for k in 5..<(density.count - 1) {
      let ratio = density[k + 1] / density[k]
      #expect(ratio > 0.35 && ratio < 0.7, "bucket \(k): \(density)")
    }
    // α = 1 makes the gaps uniform: no such decay (first and last quarter within 25 %).
    let uniform = try AssociativeRecallTask(length: 512, pairs: 16, vocabulary: 64, powerExponent: 1)
    var flat = [Int](repeating: 0, count: 480)
    for batch in try batches(uniform, count: 16, size: 16) {
      for target in classes(batch) { for p in scoredPositions(target) { flat[p - 32] += 1 } }
    }
    let head = Double(flat[0..<120].reduce(0, +))
    let tail = Double(flat[360..<480].reduce(0, +))
    #expect(abs(head / tail - 1) < 0.25, "\(head) vs \(tail)")
  }

  @Test func badParametersThrow() {
    #expect(throws: TaskError.lengthTooSmall(task: .associativeRecall, length: 29, minimum: 30)) {
      _ = try AssociativeRecallTask(length: 29, pairs: 10)
    }
    #expect(throws: TaskError.self) { _ = try AssociativeRecallTask(length: 64, pairs: 0) }
    #expect(throws: TaskError.self) { _ = try AssociativeRecallTask(length: 64, pairs: 8, vocabulary: 16) }
    #expect(throws: TaskError.self) { _ = try AssociativeRecallTask(length: 64, powerExponent: 0) }
    #expect(throws: TaskError.self) { _ = try AssociativeRecallTask(length: 64, powerExponent: 1.5) }
    #expect(throws: Never.self) { _ = try AssociativeRecallTask(length: 64, pairs: 8, vocabulary: 17) }
  }
}
