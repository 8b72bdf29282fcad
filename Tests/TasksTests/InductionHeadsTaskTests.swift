import SeededRandom
import Tasks
import Testing

@Suite("Induction heads")
struct InductionHeadsTaskTests {
  /// `count` input rows and answers drawn straight from the generator (no split filtering).
  private func draws(_ task: InductionHeadsTask, count: Int, seed: UInt64) -> [(inputs: [Int], answer: Int)] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
      let example = task.example(using: &generator)
      guard case .tokens(let inputs) = example.inputs, case .classes(let targets) = example.targets else {
        Issue.record("expected tokens and classes")
        return ([], -1)
      }
      return (inputs, targets[task.length - 1])
    }
  }

  // Independent solver: find the first trigger; the answer is the token after it. With one
  // trigger it occurs exactly twice (once in 0 ..< length − 3, once at the end); only the end is
  // scored.
  @Test(arguments: [8, 33, 200])
  func answerFollowsTheFirstTrigger(length: Int) throws {
    let task = try InductionHeadsTask(length: length, alphabet: 5)
    #expect(task.triggerPositions == 0..<(length - 3))
    for batch in try batches(task, count: 4, size: 16) {
      for (row, target) in zip(tokens(batch), classes(batch)) {
        let triggers = row.indices.filter { row[$0] == task.trigger }
        #expect(triggers.count == 2 && triggers.last == length - 1)
        let first = triggers[0]
        #expect(first >= 0 && first < length - 3)
        #expect(scoredPositions(target) == [length - 1])
        #expect(target[length - 1] == row[first + 1])
        #expect((0..<5).contains(target[length - 1]))
      }
    }
  }

  // H3 / safari: the trigger position is uniform over 0 ..< length − 3 (χ² over 20 000
  // instances, 5 σ), and the other tokens, the answer included, are uniform over the alphabet.
  @Test func triggerPositionAndTokensAreUniform() throws {
    let task = try InductionHeadsTask(length: 40, alphabet: 6)
    var positions = [Int](repeating: 0, count: 37)
    var answers = [Int](repeating: 0, count: 6)
    var others = [Int](repeating: 0, count: 6)
    for (row, answer) in draws(task, count: 20_000, seed: 3) {
      let first = row.firstIndex(of: task.trigger)!
      positions[first] += 1
      answers[answer] += 1
      for t in 0..<39 where t != first && t != first + 1 { others[row[t]] += 1 }
    }
    let position = chiSquare(observed: positions, probabilities: [Double](repeating: 1.0 / 37, count: 37))
    #expect(position.statistic < position.critical, "\(position) \(positions)")
    let answer = chiSquare(observed: answers, probabilities: [Double](repeating: 1.0 / 6, count: 6))
    #expect(answer.statistic < answer.critical, "\(answer) \(answers)")
    let other = chiSquare(observed: others, probabilities: [Double](repeating: 1.0 / 6, count: 6))
    #expect(other.statistic < other.critical, "\(other) \(others)")
  }

  // The multi-trigger variant, by an independent solver: the triggers before the end sit at
  // increasing positions at least 2 apart, each followed by the same token, which is the answer.
  // Their positions follow safari's law, computed here by enumerating all 6³ equally likely
  // ordered draws of 3 positions from 0 ..< 6 (length 9), each sorted and thinned (a position is
  // dropped when within 1 of the last one kept), mixed half and half with a single uniform
  // trigger; χ² of the 20 000 drawn position sets against it (5 σ).
  @Test func multipleTriggersFollowSafarisLaw() throws {
    let task = try InductionHeadsTask(length: 9, alphabet: 4, triggers: 3)
    var law: [[Int]: Double] = [:]
    for p in 0..<6 { law[[p], default: 0] += 0.5 / 6 }
    for a in 0..<6 {
      for b in 0..<6 {
        for c in 0..<6 {
          var kept: [Int] = []
          for p in [a, b, c].sorted() where kept.isEmpty || p >= kept.last! + 2 { kept.append(p) }
          law[kept, default: 0] += 0.5 / 216
        }
      }
    }
    let sets = law.keys.sorted { $0.lexicographicallyPrecedes($1) }
    var counts = [Int](repeating: 0, count: sets.count)
    for (row, answer) in draws(task, count: 20_000, seed: 8) {
      #expect(row[8] == task.trigger)
      let placed = (0..<8).filter { row[$0] == task.trigger }
      #expect(zip(placed, placed.dropFirst()).allSatisfy { $1 - $0 >= 2 })
      #expect(placed.allSatisfy { row[$0 + 1] == answer })
      guard let index = sets.firstIndex(of: placed) else {
        Issue.record("trigger set \(placed) has probability 0")
        continue
      }
      counts[index] += 1
    }
    let fit = chiSquare(observed: counts, probabilities: sets.map { law[$0]! })
    #expect(fit.statistic < fit.critical, "\(fit)")
    #expect(counts.filter { $0 > 0 }.count == sets.count, "every possible trigger set occurs")
  }

  // Train at one length, test at a longer one: the test batch has the longer length, the
  // trigger range scales with it, and the answers remain recoverable.
  @Test func lengthGeneralisation() throws {
    let task = try InductionHeadsTask(length: 32, triggers: 2)
    let test = try task.batch(64, split: .test, index: 0, seed: 3, length: 256)
    #expect(test.length == 256)
    #expect(try task.resized(to: 256).triggers == 2)
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
    #expect(throws: TaskError.self) { _ = try InductionHeadsTask(length: 64, triggers: 0) }
  }
}
