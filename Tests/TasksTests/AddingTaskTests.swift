import Tasks
import Testing

@Suite("The adding problem")
struct AddingTaskTests {
  // Independent solver: exactly two markers, one per half, all marker values in {0, 1}; the
  // target (the only scored position, the last) is the sum of the marked values; values lie in
  // [0, 1).
  @Test(arguments: [2, 3, 50, 101])
  func answerIsTheSumOfTheMarkedValues(length: Int) throws {
    let task = try AddingTask(length: length)
    for batch in try batches(task, count: 4, size: 32) {
      let (x, channels) = features(batch)
      let (y, outputs, positions) = values(batch)
      #expect(channels == 2 && outputs == 1 && positions == [length - 1])
      for b in 0..<32 {
        let row = x[(b * length * 2)..<((b + 1) * length * 2)].map { $0 }
        let marked = (0..<length).filter { row[2 * $0 + 1] == 1 }
        #expect((0..<length).allSatisfy { row[2 * $0 + 1] == 0 || row[2 * $0 + 1] == 1 })
        #expect((0..<length).allSatisfy { row[2 * $0] >= 0 && row[2 * $0] < 1 })
        #expect(marked.count == 2)
        #expect(marked[0] < length / 2 && marked[1] >= length / 2)
        #expect(y[b] == row[2 * marked[0]] + row[2 * marked[1]])
      }
    }
  }

  // Always predicting 1 scores MSE ≈ 1/6: the sum S of two U[0,1) has Var S = 1/6. Over
  // n = 8192 instances the estimate has standard deviation √(Var (S−1)²/n) = √((1/15 − 1/36)/n)
  // ≈ 0.0022; the tolerance 0.011 is 5 σ. Scored through the batch's own MSE helper.
  @Test func constantPredictionScoresOneSixth() throws {
    let task = try AddingTask(length: 40)
    var total = SquaredError(sum: 0, count: 0)
    for batch in try batches(task, count: 32, size: 256, seed: 11) {
      total =
        total + (try batch.meanSquaredError(predictions: [Float](repeating: 1, count: 256), layout: .scoredPositions))
    }
    #expect(total.count == 8192)
    #expect(abs(total.mean - AddingTask.constantBaselineMeanSquaredError) < 0.011, "\(total.mean)")
    #expect(abs(AddingTask.constantBaselineMeanSquaredError - 0.1667) < 1e-4)
  }

  // The marker positions are spread over each half (not fixed): both ends of each half occur.
  @Test func markersCoverBothHalves() throws {
    let task = try AddingTask(length: 10)
    var seen = Set<Int>()
    for batch in try batches(task, count: 8, size: 64) {
      let x = features(batch).values
      for i in stride(from: 1, to: x.count, by: 2) where x[i] == 1 { seen.insert((i / 2) % 10) }
    }
    #expect(seen == Set(0..<10))
  }

  @Test func badParametersThrow() {
    #expect(throws: TaskError.lengthTooSmall(task: .adding, length: 1, minimum: 2)) { _ = try AddingTask(length: 1) }
  }
}
