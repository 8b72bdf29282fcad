import Tasks
import Testing

@Suite("Scoring helpers")
struct ScoringTests {
  /// Logits of `size · length` rows over `classes` with a 1 at `predicted[b][t]`.
  private func oneHot(_ predicted: [[Int]], classes: Int) -> [Float] {
    var logits: [Float] = []
    for row in predicted {
      for p in row { logits += (0..<classes).map { $0 == p ? 1 : 0 } }
    }
    return logits
  }

  // Accuracy counts scored positions only; exact match counts sequences; by-position splits it.
  @Test func accuracyOverScoredPositions() throws {
    let ignored = TaskBatch.ignoredTarget
    let batch = TaskBatch(
      size: 2, length: 3, inputs: .tokens([[0, 0, 0], [0, 0, 0]]),
      targets: .classes([[ignored, 1, 2], [ignored, ignored, 0]]))
    // Instance 0: position 1 right, position 2 wrong; instance 1: position 2 right; the
    // unscored positions predict garbage that must not count.
    let logits = oneHot([[2, 1, 0], [1, 2, 0]], classes: 3)
    #expect(try batch.accuracy(logits: logits, classes: 3) == Accuracy(correct: 2, total: 3))
    #expect(try batch.exactMatch(logits: logits, classes: 3) == Accuracy(correct: 1, total: 2))
    let byPosition = try batch.accuracyByPosition(logits: logits, classes: 3)
    #expect(
      byPosition == [Accuracy(correct: 0, total: 0), Accuracy(correct: 1, total: 1), Accuracy(correct: 1, total: 2)])
    #expect((Accuracy(correct: 2, total: 3) + Accuracy(correct: 1, total: 1)).value == 0.75)
    #expect(throws: TaskError.self) { _ = try batch.accuracy(logits: logits, classes: 4) }
    #expect(throws: TaskError.self) { _ = try batch.meanSquaredError(predictions: [0], layout: .everyPosition) }
  }

  // Ties go to the lowest class.
  @Test func argmaxTiesGoToTheLowestClass() throws {
    let batch = TaskBatch(size: 1, length: 1, inputs: .tokens([[0]]), targets: .classes([[1]]))
    #expect(try batch.accuracy(logits: [0.5, 0.5, 0.1], classes: 3).correct == 0)
    #expect(try batch.accuracy(logits: [0.4, 0.5, 0.1], classes: 3).correct == 1)
  }

  // MSE over scored positions and channels, in both prediction layouts.
  @Test func meanSquaredErrorLayouts() throws {
    // 2 instances, length 3, 2 channels, scored positions [1, 2].
    let batch = TaskBatch(
      size: 2, length: 3, inputs: .features([Float](repeating: 0, count: 6), channels: 1),
      targets: .values([1, 2, 3, 4, 5, 6, 7, 8], channels: 2, positions: [1, 2]))
    let gathered: [Float] = [1, 2, 3, 4, 5, 6, 7, 10]  // one error of 2 → sum 4 over 8 terms
    let score = try batch.meanSquaredError(predictions: gathered, layout: .scoredPositions)
    #expect(score == SquaredError(sum: 4, count: 8) && score.mean == 0.5)
    // Every position: position 0 holds junk that must be ignored.
    let dense: [Float] = [99, 99, 1, 2, 3, 4, -9, -9, 5, 6, 7, 10]
    #expect(try batch.meanSquaredError(predictions: dense, layout: .everyPosition) == score)
    #expect(throws: TaskError.self) { _ = try batch.meanSquaredError(predictions: gathered, layout: .everyPosition) }
    #expect(throws: TaskError.self) { _ = try batch.accuracy(logits: gathered, classes: 1) }
    #expect(batch.scoredMask(instance: 1) == [false, true, true])
  }

  // Stacking rejects examples that disagree with the declared shape.
  @Test func stackingChecksShapes() {
    let example = TaskExample(inputs: .tokens([1, 2]), targets: .classes([TaskBatch.ignoredTarget, 1]))
    #expect(throws: TaskError.self) {
      _ = try TaskBatch(stacking: [example], length: 3, input: .tokens(vocabulary: 3), output: .classes(3))
    }
    #expect(throws: TaskError.self) {
      _ = try TaskBatch(stacking: [example], length: 2, input: .features(channels: 1), output: .classes(3))
    }
    #expect(throws: TaskError.self) {
      _ = try TaskBatch(stacking: [], length: 2, input: .tokens(vocabulary: 3), output: .classes(3))
    }
  }
}
