import SeededRandom
import Tasks
import Testing

@Suite("Copying and selective copying")
struct CopyingTaskTests {
  // Independent solver: the answer is the first `count` tokens; scored positions are exactly
  // the last `count`; inputs are data, blanks, markers.
  @Test func copyingAnswerIsTheFirstTokens() throws {
    let task = try CopyingTask(length: 50, count: 10, alphabet: 8)
    #expect(task.delay == 30 && task.vocabulary == 10)
    for batch in try batches(task, count: 4, size: 8) {
      for (row, target) in zip(tokens(batch), classes(batch)) {
        #expect(row.count == 50)
        #expect(scoredPositions(target) == Array(40..<50))
        #expect(Array(target[40...]) == Array(row[0..<10]))
        #expect(row[0..<10].allSatisfy { (0..<8).contains($0) })
        #expect(row[10..<40].allSatisfy { $0 == 8 } && row[40...].allSatisfy { $0 == 9 })
      }
    }
  }

  // The memberwise initialiser, the vocabulary and the first draws of example(using:) (`next() mod
  // alphabet`); invalid shapes are errors.
  @Test func shapesAndFirstDraws() throws {
    let task = try CopyingTask(count: 4, delay: 16, alphabet: 4)
    #expect(task.length == 24 && task.vocabulary == 6 && CopyingTask.ignoredTarget == -100)
    var a = SeededGenerator(seed: 3)
    var b = SeededGenerator(seed: 3)
    let example = task.example(using: &a)
    #expect(
      example.inputs
        == .tokens(
          (0..<4).map { _ in Int(b.next() % 4) } + [Int](repeating: 4, count: 16) + [Int](repeating: 5, count: 4)))
    #expect(throws: TaskError.self) { _ = try CopyingTask(count: 0, delay: 1, alphabet: 4) }
    #expect(throws: TaskError.self) { _ = try CopyingTask(count: 2, delay: -1, alphabet: 4) }
    #expect(throws: TaskError.self) { _ = try CopyingTask(count: 2, delay: 1, alphabet: 1) }
  }

  // Independent solver: the non-blank tokens before the markers, in position order, are the
  // answer; there are exactly `count` of them (positions distinct); the last `count` positions
  // are markers and the only scored ones.
  @Test func selectiveCopyingAnswerIsTheDataInOrder() throws {
    let task = try SelectiveCopyingTask(length: 64, count: 8, alphabet: 6)
    #expect(task.vocabulary == 8 && task.blank == 6 && task.marker == 7)
    var firstPositions = Set<Int>()
    var lastPositions = Set<Int>()
    for batch in try batches(task, count: 40, size: 16) {
      for (row, target) in zip(tokens(batch), classes(batch)) {
        let dataPositions = (0..<56).filter { row[$0] != task.blank }
        #expect(dataPositions.count == 8)
        #expect(dataPositions.allSatisfy { (0..<6).contains(row[$0]) })
        #expect(row[56...].allSatisfy { $0 == task.marker })
        #expect(scoredPositions(target) == Array(56..<64))
        #expect(Array(target[56...]) == dataPositions.map { row[$0] })
        firstPositions.insert(dataPositions.first!)
        lastPositions.insert(dataPositions.last!)
      }
    }
    // Placement spans the whole data region: the extremes 0 and 55 both occur.
    #expect(firstPositions.contains(0) && lastPositions.contains(55))
  }

  // Every data position is about equally likely (640 instances × 8 tokens over 56 slots:
  // ≈ 91 per slot; every count within ±50 %, far beyond 5 σ ≈ 45).
  @Test func selectiveCopyingPositionsAreUniform() throws {
    let task = try SelectiveCopyingTask(length: 64, count: 8, alphabet: 6)
    var counts = [Int](repeating: 0, count: 56)
    for batch in try batches(task, count: 40, size: 16) {
      for row in tokens(batch) { for p in 0..<56 where row[p] != task.blank { counts[p] += 1 } }
    }
    #expect(counts.allSatisfy { $0 > 45 && $0 < 137 }, "\(counts)")
  }

  @Test func badParametersThrow() {
    #expect(throws: TaskError.lengthTooSmall(task: .copying, length: 5, minimum: 6)) {
      _ = try CopyingTask(length: 5, count: 3)
    }
    #expect(throws: TaskError.lengthTooSmall(task: .selectiveCopying, length: 15, minimum: 16)) {
      _ = try SelectiveCopyingTask(length: 15, count: 8)
    }
    #expect(throws: TaskError.self) { _ = try SelectiveCopyingTask(length: 64, count: 0) }
    #expect(throws: TaskError.self) { _ = try SelectiveCopyingTask(length: 64, alphabet: 1) }
  }
}
