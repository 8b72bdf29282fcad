import SeededRandom
import Tasks
import Testing

@Suite("The task suite: common API, shapes, splits and seeds")
struct TaskSuiteTests {
  // Every task, at several lengths: exact length, consistent shapes and formats, and scored
  // positions as declared (classes: in range; values: positions inside the sequence).
  @Test(arguments: [64, 100, 257])
  func shapesAreConsistent(length: Int) throws {
    for task in try allTasks(length: length) {
      #expect(task.length == length, "\(task.name)")
      let batch = try task.batch(5, split: .train, index: 0, seed: 7)
      #expect(batch.size == 5 && batch.length == length, "\(task.name)")
      switch (task.input, batch.inputs) {
      case (.tokens(let vocabulary), .tokens(let rows)):
        #expect(rows.count == 5 && rows.allSatisfy { $0.count == length }, "\(task.name)")
        #expect(rows.joined().allSatisfy { (0..<vocabulary).contains($0) }, "\(task.name)")
      case (.features(let c), .features(let values, let channels)):
        #expect(c == channels && values.count == 5 * length * channels, "\(task.name)")
        #expect(values.allSatisfy { $0.isFinite }, "\(task.name)")
      default: Issue.record("\(task.name): input format and batch disagree")
      }
      switch (task.output, batch.targets) {
      case (.classes(let count), .classes(let rows)):
        #expect(task.metric == .accuracy, "\(task.name)")
        #expect(rows.count == 5 && rows.allSatisfy { $0.count == length }, "\(task.name)")
        for row in rows {
          #expect(!scoredPositions(row).isEmpty, "\(task.name)")
          #expect(row.allSatisfy { $0 == TaskBatch.ignoredTarget || (0..<count).contains($0) }, "\(task.name)")
        }
      case (.values(let c), .values(let values, let channels, let positions)):
        #expect(task.metric == .meanSquaredError, "\(task.name)")
        #expect(c == channels && values.count == 5 * positions.count * channels, "\(task.name)")
        #expect(!positions.isEmpty && positions.allSatisfy { (0..<length).contains($0) }, "\(task.name)")
        #expect(zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 }, "\(task.name)")
        #expect(batch.scoredMask(instance: 0).filter { $0 }.count == positions.count, "\(task.name)")
      default: Issue.record("\(task.name): output format and batch disagree")
      }
    }
  }

  // Names round-trip through their command-line spelling and build the task they name.
  @Test func namesBuildTheirTasks() throws {
    for name in generatedTaskNames {
      #expect(TaskName(rawValue: name.rawValue) == name)
      let task = try name.make(length: 128)
      #expect(task.name == name)
    }
    #expect(TaskName(rawValue: "selective-copying") == .selectiveCopying)
  }

  // The documented minimum: make(length:) succeeds (and generates) at it and throws
  // lengthTooSmall naming the same minimum one below it; the task's own minimumLength agrees.
  @Test func minimumLengthsAreExact() throws {
    for name in generatedTaskNames {
      let minimum = name.minimumLength
      let task = try name.make(length: minimum)
      #expect(task.minimumLength == minimum, "\(name)")
      let batch = try task.batch(3, split: .train, index: 0, seed: 1)
      #expect(batch.length == minimum)
      #expect(throws: TaskError.lengthTooSmall(task: name, length: minimum - 1, minimum: minimum)) {
        _ = try name.make(length: minimum - 1)
      }
      #expect(throws: TaskError.self) { _ = try name.make(length: 0) }
      #expect(throws: TaskError.self) { _ = try task.resized(to: minimum - 1) }
    }
  }

  // Zero or negative batch sizes and negative batch indices are rejected for every task.
  @Test func badBatchRequestsThrow() throws {
    for task in try allTasks(length: 64) {
      #expect(throws: TaskError.invalidBatch("batch size must be ≥ 1, got 0")) {
        _ = try task.batch(0, split: .train, index: 0, seed: 1)
      }
      #expect(throws: TaskError.self) { _ = try task.batch(-3, split: .test, index: 0, seed: 1) }
      #expect(throws: TaskError.invalidBatch("batch index must be ≥ 0, got -1")) {
        _ = try task.batch(2, split: .validation, index: -1, seed: 1)
      }
    }
  }

  // Seeds reproduce, and a batch regenerated alone equals the same batch generated in sequence.
  @Test func batchesAreReproducibleAndAddressable() throws {
    for task in try allTasks(length: 96) {
      let sequence = try batches(task, count: 4, size: 3, split: .validation, seed: 42)
      let alone = try task.batch(3, split: .validation, index: 2, seed: 42)
      #expect(alone == sequence[2], "\(task.name)")
      let again = try batches(task, count: 4, size: 3, split: .validation, seed: 42)
      #expect(again == sequence, "\(task.name)")
      // Different indices and different seeds give different batches.
      #expect(sequence[0] != sequence[1], "\(task.name)")
      #expect(try task.batch(3, split: .validation, index: 2, seed: 43) != alone, "\(task.name)")
    }
  }

  // Different splits give different instances, and every instance is owned by the split that
  // produced it (its content hash), so the splits are disjoint by construction.
  @Test func splitsAreDisjoint() throws {
    for task in try allTasks(length: 64) {
      var seen: [Split: Set<UInt64>] = [:]
      for split in Split.allCases {
        let batch = try task.batch(16, split: split, index: 0, seed: 5)
        var generator = split.generator(seed: 5, index: 0)
        let examples = try task.examples(16, split: split, generator: &generator)
        #expect(try TaskBatch(stacking: examples, length: 64, input: task.input, output: task.output) == batch)
        for example in examples {
          #expect(Split.owning(hash: example.contentHash) == split, "\(task.name)")
          seen[split, default: []].insert(example.contentHash)
        }
      }
      #expect(seen[.train]!.isDisjoint(with: seen[.validation]!), "\(task.name)")
      #expect(seen[.train]!.isDisjoint(with: seen[.test]!), "\(task.name)")
      #expect(seen[.validation]!.isDisjoint(with: seen[.test]!), "\(task.name)")
    }
  }

  // The strong guarantee on a tiny instance space (copying 4 tokens over 3 symbols: 81
  // instances): all training and test inputs ever drawn, across seeds, are disjoint sets, and
  // every instance seen belongs to exactly one split.
  @Test func tinyInstanceSpacesSplitExactly() throws {
    let task = try CopyingTask(length: 8, count: 4, alphabet: 3)
    var drawn: [Split: Set<[Int]>] = [:]
    for split in Split.allCases {
      for seed: UInt64 in 1...3 {
        for batch in try batches(task, count: 10, size: 16, split: split, seed: seed) {
          drawn[split, default: []].formUnion(tokens(batch))
        }
      }
    }
    #expect(drawn[.train]!.isDisjoint(with: drawn[.test]!))
    #expect(drawn[.train]!.isDisjoint(with: drawn[.validation]!))
    #expect(drawn[.validation]!.isDisjoint(with: drawn[.test]!))
    // Each instance was drawn by the split its hash assigns it to; every split got some.
    var owners: [Split: Int] = [:]
    for code in 0..<81 {
      let data = [code % 3, code / 3 % 3, code / 9 % 3, code / 27]
      owners[Split.owning(hash: Split.contentHash(tokens: data + [4, 4, 4, 4])), default: 0] += 1
    }
    for split in Split.allCases {
      #expect(drawn[split]!.allSatisfy { Split.owning(hash: Split.contentHash(tokens: $0)) == split })
      #expect(!drawn[split]!.isEmpty && drawn[split]!.count <= owners[split, default: 0])
    }
  }

  // A split that owns no instance of a tiny task cannot be filled: the request throws
  // splitExhausted instead of looping for ever.
  @Test func emptySplitsThrow() throws {
    var checked = false
    for alphabet in 2...12 where !checked {
      let task = try CopyingTask(length: 2, count: 1, alphabet: alphabet)
      let owners = Set((0..<alphabet).map { Split.owning(hash: Split.contentHash(tokens: [$0, alphabet + 1])) })
      guard let empty = Split.allCases.first(where: { !owners.contains($0) }) else { continue }
      #expect(throws: TaskError.splitExhausted(task: .copying, split: empty, attempts: 1000)) {
        _ = try task.batch(1, split: empty, index: 0, seed: 1)
      }
      checked = true
    }
    #expect(checked, "no tiny copying task with an empty split among alphabets 2 … 12")
  }

  // The split proportions are ≈ 80 / 10 / 10 % of hashes (20 000 distinct sequences; 5 σ).
  @Test func splitProportions() {
    var counts: [Split: Int] = [:]
    for i in 0..<20_000 { counts[Split.owning(hash: Split.contentHash(tokens: [i, i / 7])), default: 0] += 1 }
    #expect(abs(Double(counts[.train]!) / 20_000 - 0.8) < 0.015)
    #expect(abs(Double(counts[.validation]!) / 20_000 - 0.1) < 0.011)
    #expect(abs(Double(counts[.test]!) / 20_000 - 0.1) < 0.011)
  }

  // Length generalisation: one task, batches at other lengths through the length parameter.
  @Test func lengthCanDifferBetweenSplits() throws {
    for task in try allTasks(length: 64) {
      let train = try task.batch(2, split: .train, index: 0, seed: 1)
      let test = try task.batch(2, split: .test, index: 0, seed: 1, length: 256)
      #expect(train.length == 64 && test.length == 256, "\(task.name)")
      #expect(try task.resized(to: 256).length == 256, "\(task.name)")
      #expect(try task.resized(to: 256).batch(2, split: .test, index: 0, seed: 1) == test, "\(task.name)")
    }
  }

  // The stream derivation is the documented mix, and distinct indices give distinct streams.
  @Test func streamsFollowTheDocumentedMix() {
    var a = Split.train.generator(seed: 9, index: 3)
    var b = SeededGenerator(seed: Split.mix(Split.mix(Split.mix(9) ^ 0x7472_6169_6E00_0001) ^ 3))
    #expect(a.next() == b.next())
    let firsts = Set(
      (0..<1000).map { i -> UInt64 in
        var g = Split.test.generator(seed: 9, index: i)
        return g.next()
      })
    #expect(firsts.count == 1000)
  }
}
