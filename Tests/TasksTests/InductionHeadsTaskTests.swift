import Tasks
import Testing

@Suite("Induction heads")
struct InductionHeadsTaskTests {
  // Independent solver: find the first trigger; the answer is the token after it. The trigger
  // occurs exactly twice (once in the middle half, once at the end); only the end is scored.
  @Test(arguments: [8, 33, 200])
  func answerFollowsTheFirstTrigger(length: Int) throws {
    let task = try InductionHeadsTask(length: length, alphabet: 5)
    for batch in try batches(task, count: 4, size: 16) {
      for (row, target) in zip(tokens(batch), classes(batch)) {
        let triggers = row.indices.filter { row[$0] == task.trigger }
        #expect(triggers.count == 2 && triggers.last == length - 1)
        let first = triggers[0]
        #expect(first >= length / 4 && first < 3 * length / 4)
        #expect(scoredPositions(target) == [length - 1])
        #expect(target[length - 1] == row[first + 1])
        #expect((0..<5).contains(target[length - 1]))
      }
    }
  }

  // Train at one length, test at a longer one: the test batch has the longer length, the
  // trigger window scales with it, and the answers remain recoverable.
  @Test func lengthGeneralisation() throws {
    let task = try InductionHeadsTask(length: 32)
    let test = try task.batch(64, split: .test, index: 0, seed: 3, length: 256)
    #expect(test.length == 256)
    var farthest = 0
    for (row, target) in zip(tokens(test), classes(test)) {
      let first = row.firstIndex(of: task.trigger)!
      #expect(target[255] == row[first + 1])
      farthest = max(farthest, 255 - first)
    }
    // The recall distance exceeds anything the length-32 training instances contain.
    #expect(farthest > 32)
  }

  @Test func badParametersThrow() {
    #expect(throws: TaskError.lengthTooSmall(task: .inductionHeads, length: 7, minimum: 8)) {
      _ = try InductionHeadsTask(length: 7)
    }
    #expect(throws: TaskError.self) { _ = try InductionHeadsTask(length: 64, alphabet: 1) }
  }
}
