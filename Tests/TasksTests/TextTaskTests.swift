import Foundation
import SeededRandom
import Tasks
import Testing

/// A corpus of `count` short documents of random lowercase letters and spaces (1 – 12 bytes),
/// every tenth one a repeat of an earlier document, drawn from `seed`.
func smallCorpus(count: Int = 240, seed: UInt64 = 5) throws -> TextCorpus {
  var generator = SeededGenerator(seed: seed)
  var documents: [[UInt8]] = []
  for index in 0..<count {
    if index % 10 == 9 {
      documents.append(documents[Int(generator.next() % UInt64(documents.count))])
    } else {
      let size = 1 + Int(generator.next() % 12)
      documents.append((0..<size).map { _ in UInt8(ascii: "a") + UInt8(generator.next() % 27) })
    }
  }
  return try TextCorpus(documents: documents.map { $0.map { $0 == UInt8(ascii: "a") + 26 ? 32 : $0 } })
}

/// The documents of a stream: the runs between separators (the stream ends with one).
func documents(ofStream stream: [UInt16]) -> [[UInt8]] {
  var documents: [[UInt8]] = []
  var current: [UInt8] = []
  for token in stream {
    if Int(token) == TextTask.separator {
      documents.append(current)
      current = []
    } else {
      current.append(UInt8(token))
    }
  }
  #expect(current.isEmpty, "the stream does not end with a separator")
  return documents
}

@Suite("Byte-level text task")
struct TextTaskTests {
  // Exhaustively on a small corpus: every document is in exactly one split, the one its content
  // hash names; each split's stream is its documents in corpus order, each followed by the
  // separator; the union of the splits is the corpus; repeated documents share a split.
  @Test func splitsPartitionTheDocuments() throws {
    let corpus = try smallCorpus()
    let task = try TextTask(corpus: corpus, length: 8)
    var owner: [[UInt8]: Split] = [:]
    var expected: [Split: [[UInt8]]] = [:]
    for document in corpus.documents {
      let split = Split.owning(hash: Split.contentHash(tokens: document.map(Int.init)))
      expected[split, default: []].append(document)
    }
    var total = 0
    for split in Split.allCases {
      let read = documents(ofStream: task.stream(of: split))
      #expect(read == expected[split, default: []], "\(split)")
      #expect(task.documentCount(of: split) == read.count)
      #expect(!read.isEmpty, "\(split) is empty")
      for document in read {
        #expect(owner[document] == nil || owner[document] == split, "a document in two splits")
        owner[document] = split
      }
      total += read.count
    }
    #expect(total == corpus.documents.count)
    #expect(Set(owner.keys) == Set(corpus.documents))
    #expect(corpus.documents.count > Set(corpus.documents).count, "the corpus should hold repeats")
  }

  // Training windows are windows of their split's stream (looked up in an index of every
  // window of L + 1 tokens), targets are the inputs shifted by one, every position is scored,
  // tokens lie in 0 … 256; over 24·(n − L) draws every offset 0 ..< n − L appears (uniform: one is
  // missed with probability (1 − 1/(n − L))^draws < e⁻²⁴ here) and none beyond.
  @Test func batchesAreWindowsOfTheirSplit() throws {
    let task = try TextTask(corpus: try smallCorpus(), length: 8)
    for split in Split.allCases {
      let stream = task.stream(of: split).map(Int.init)
      let n = stream.count
      var index: [[Int]: [Int]] = [:]
      for offset in 0..<(n - 8) { index[Array(stream[offset...(offset + 8)]), default: []].append(offset) }
      var offsets: Set<Int> = []
      for batchIndex in 0..<(n - 8) {
        let batch = try task.batch(24, split: split, index: batchIndex, seed: 3)
        #expect(batch.size == 24 && batch.length == 8)
        for (inputs, targets) in zip(tokens(batch), classes(batch)) {
          #expect(Array(inputs.dropFirst()) == Array(targets.dropLast()))
          #expect(inputs.allSatisfy { (0...256).contains($0) } && targets.allSatisfy { (0...256).contains($0) })
          let matches = index[inputs + [targets[7]]] ?? []
          #expect(!matches.isEmpty, "\(split): a window that is not in the stream")
          offsets.formUnion(matches)
        }
        #expect(batch.scoredMask(instance: 0).allSatisfy { $0 })
      }
      #expect(offsets == Set(0..<(n - 8)), "\(split): offsets drawn \(offsets.count) of \(n - 8)")
    }
  }

  // Batches are pure functions of (size, split, index, seed); examples(_:split:generator:) is
  // the batch's source; example(using:) draws a training window.
  @Test func batchesAreReproducible() throws {
    let task = try TextTask(corpus: try smallCorpus(), length: 16)
    let batch = try task.batch(4, split: .validation, index: 7, seed: 11)
    #expect(try task.batch(4, split: .validation, index: 7, seed: 11) == batch)
    #expect(try task.batch(4, split: .validation, index: 8, seed: 11) != batch)
    #expect(try task.batch(4, split: .validation, index: 7, seed: 12) != batch)
    var generator = Split.validation.generator(seed: 11, index: 7)
    let examples = try task.examples(4, split: .validation, generator: &generator)
    #expect(try TaskBatch(stacking: examples, length: 16, input: task.input, output: task.output) == batch)
    // Through the generic interface too.
    let named: any SequenceTask = task
    #expect(try named.batch(4, split: .validation, index: 7, seed: 11) == batch)
    var a = SeededGenerator(seed: 2)
    var b = SeededGenerator(seed: 2)
    #expect(task.example(using: &a) == (try task.examples(1, split: .train, generator: &b))[0])
    #expect(throws: TaskError.invalidBatch("batch size must be ≥ 1, got 0")) {
      _ = try task.batch(0, split: .train, index: 0, seed: 1)
    }
    #expect(throws: TaskError.invalidBatch("batch index must be ≥ 0, got -1")) {
      _ = try task.batch(1, split: .train, index: -1, seed: 1)
    }
  }

  // Consecutive windows tile the stream from its start: windows 0 ..< W read inputs
  // S[0 ..< W·L] and targets S[1 ... W·L], with W = ⌊(n − 1)/L⌋; ranges outside throw.
  @Test func consecutiveWindowsTileTheStream() throws {
    let task = try TextTask(corpus: try smallCorpus(), length: 8)
    for split in Split.allCases {
      let stream = task.stream(of: split).map(Int.init)
      let count = task.consecutiveWindowCount(of: split)
      #expect(count == (stream.count - 1) / 8 && count * 8 + 1 <= stream.count && (count + 1) * 8 + 1 > stream.count)
      let batch = try task.consecutiveWindows(0..<count, of: split)
      #expect(tokens(batch).joined().elementsEqual(stream[0..<(count * 8)]))
      #expect(classes(batch).joined().elementsEqual(stream[1...(count * 8)]))
      #expect(
        try task.consecutiveWindows(2..<4, of: split)
          == TaskBatch(
            size: 2, length: 8, inputs: .tokens(Array(tokens(batch)[2..<4])),
            targets: .classes(Array(classes(batch)[2..<4]))))
      #expect(throws: TaskError.self) { _ = try task.consecutiveWindows(0..<(count + 1), of: split) }
      #expect(throws: TaskError.self) { _ = try task.consecutiveWindows(3..<3, of: split) }
    }
  }

  // Lengths: below 1 throws lengthTooSmall; a length that needs more tokens than a split holds
  // throws a message naming the split; resizing keeps the streams.
  @Test func lengths() throws {
    let corpus = try smallCorpus()
    #expect(throws: TaskError.lengthTooSmall(task: .text, length: 0, minimum: 1)) {
      _ = try TextTask(corpus: corpus, length: 0)
    }
    #expect(throws: TaskError.lengthTooSmall(task: .text, length: 0, minimum: 1)) { _ = try TextTask(length: 0) }
    let task = try TextTask(corpus: corpus, length: 1)
    let shortest = Split.allCases.map { task.stream(of: $0).count }.min()!
    #expect(try TextTask(corpus: corpus, length: shortest - 1).length == shortest - 1)
    #expect(throws: TaskError.self) { _ = try TextTask(corpus: corpus, length: shortest) }
    let resized = try task.resized(to: 5)
    #expect(resized.length == 5 && Split.allCases.allSatisfy { resized.stream(of: $0) == task.stream(of: $0) })
    #expect(task.input == .tokens(vocabulary: 257) && task.output == .classes(257) && task.metric == .bitsPerByte)
    #expect(task.name == .text && task.minimumLength == 1 && TextTask.separator == 256)
  }

  // Names and metrics: the command-line spellings, a Codable round trip.
  @Test func namesAndMetric() throws {
    #expect(TaskName(rawValue: "text") == .text && TaskName.text.minimumLength == 1)
    #expect(TaskMetric(rawValue: "bits-per-byte") == .bitsPerByte)
    let encoded = try JSONEncoder().encode([TaskMetric.bitsPerByte])
    #expect(String(decoding: encoded, as: UTF8.self) == "[\"bits-per-byte\"]")
    #expect(try JSONDecoder().decode([TaskMetric].self, from: encoded) == [.bitsPerByte])
  }

  // The default corpus (when installed): make(length:) builds the text task on it; its streams
  // hold every byte plus one separator per document; the share of documents per split is within
  // 5 σ of the Split module's 80 / 10 / 10 % (σ = √(p(1 − p)/N), ≈ 0.003 for N ≈ 15 000).
  @Test func defaultCorpusSplits() throws {
    guard FileManager.default.fileExists(atPath: TextCorpus.defaultPath) else {
      print("skipped: \(TextCorpus.defaultPath) is missing (apt-get install fortunes)")
      return
    }
    let task = try #require(try TaskName.text.make(length: 128) as? TextTask)
    let corpus = try TextCorpus(contentsOf: TextCorpus.defaultPath)
    let documents = Split.allCases.map { task.documentCount(of: $0) }
    #expect(documents.reduce(0, +) == corpus.documents.count)
    #expect(
      Split.allCases.map { task.stream(of: $0).count }.reduce(0, +) == corpus.byteCount + corpus.documents.count)
    let total = Double(corpus.documents.count)
    for (split, share) in zip(Split.allCases, [0.8, 0.1, 0.1]) {
      let fraction = Double(task.documentCount(of: split)) / total
      let sigma = (share * (1 - share) / total).squareRoot()
      #expect(abs(fraction - share) < 5 * sigma, "\(split): \(fraction)")
      print(
        "text split \(split.rawValue): \(task.documentCount(of: split)) documents, "
          + "\(task.stream(of: split).count) tokens")
    }
  }
}
