import SeededRandom

/// Byte-level language modelling on a ``TextCorpus``: predict every next byte of real text.
///
/// **Tokens.** The 256 byte values `0 … 255` and the document separator ``separator`` = 256
/// (vocabulary 257). Text is modelled as raw bytes, so UTF-8 multi-byte characters are several
/// tokens.
///
/// **Splits.** Each document belongs to one ``Split`` by the content hash of its bytes,
/// `Split.owning(hash: Split.contentHash(tokens: bytes))` (≈ 80 / 10 / 10 % of the documents):
/// the splits are disjoint by construction, and duplicate documents fall in the same split. The
/// stream `S` of a split is the concatenation, in corpus order, of its documents, each followed
/// by the separator: `S = d₁ ⟨256⟩ d₂ ⟨256⟩ … d_m ⟨256⟩`, `n = |S|` tokens.
///
/// **Instances.** An instance of length `L` is a window of `L + 1` consecutive tokens of a
/// split's stream at offset `o`: inputs `x_t = S[o + t]`, targets the next tokens
/// `y_t = S[o + t + 1]`, `t = 0 ..< L`, every position scored (the separator is a target too, so
/// a model learns where documents end). Training batch `index` of a split at `seed` holds `size`
/// windows at offsets drawn uniformly from `0 ..< n − L` by `split.generator(seed:index:)`
/// (``examples(_:split:generator:)``). Held-out evaluation reads the consecutive non-overlapping
/// windows `o = k·L` instead (``consecutiveWindows(_:of:)``), a deterministic cover of the stream.
///
/// Metric: ``TaskMetric/bitsPerByte`` (``TaskBatch/bitsPerByte(logits:classes:)``): targets that
/// are the separator are not counted. Every split must hold at least `L + 1` tokens.
///
/// ```swift
/// let task = try TextTask(length: 256)   // Debian's fortunes, TextCorpus.defaultPath
/// let batch = try task.batch(16, split: .train, index: step, seed: 1)
/// ```
public struct TextTask: SequenceTask {
  /// The document separator token, 256 (after the 256 byte values).
  public static let separator = 256
  /// Token and class count: 256 byte values and the separator.
  public static let vocabulary = 257

  /// Positions per instance.
  public let length: Int
  /// The split streams, shared by every length of the task.
  private let streams: Streams

  /// The token stream and document count of each split of a corpus.
  private struct Streams: Sendable {
    let tokens: [Split: [UInt16]]
    let documents: [Split: Int]

    init(corpus: TextCorpus) {
      var tokens: [Split: [UInt16]] = [:]
      var documents: [Split: Int] = [:]
      for split in Split.allCases {
        tokens[split] = []
        documents[split] = 0
      }
      for document in corpus.documents {
        let split = Split.owning(hash: Split.contentHash(tokens: document.map(Int.init)))
        tokens[split]! += document.map(UInt16.init)
        tokens[split]!.append(UInt16(TextTask.separator))
        documents[split]! += 1
      }
      self.tokens = tokens
      self.documents = documents
    }
  }

  /// The streams of the default corpus, read once per process.
  private static let defaultStreams: Result<Streams, TaskError> = {
    do {
      return .success(Streams(corpus: try TextCorpus(contentsOf: TextCorpus.defaultPath)))
    } catch let error as TaskError {
      return .failure(error)
    } catch {
      return .failure(.corpusUnreadable(path: TextCorpus.defaultPath))
    }
  }()

  /// The task on `corpus` with windows of `length ≥ 1` positions.
  /// - Throws: ``TaskError/lengthTooSmall(task:length:minimum:)`` for `length < 1`,
  ///   ``TaskError/invalidParameter(_:)`` when a split holds fewer than `length + 1` tokens.
  public init(corpus: TextCorpus, length: Int) throws {
    try self.init(streams: Streams(corpus: corpus), length: length)
  }

  /// The task on the default corpus, Debian's fortunes at ``TextCorpus/defaultPath`` (read once
  /// per process and shared).
  /// - Throws: as ``init(corpus:length:)``, and the errors of ``TextCorpus/init(contentsOf:)``
  ///   (``TaskError/corpusNotFound(path:)`` when the `fortunes` package is not installed).
  public init(length: Int) throws {
    // Checked here too so that a bad length fails without reading the corpus.
    guard length >= 1 else { throw TaskError.lengthTooSmall(task: .text, length: length, minimum: 1) }
    try self.init(streams: Self.defaultStreams.get(), length: length)
  }

  private init(streams: Streams, length: Int) throws {
    guard length >= 1 else { throw TaskError.lengthTooSmall(task: .text, length: length, minimum: 1) }
    for split in Split.allCases where streams.tokens[split]!.count < length + 1 {
      throw TaskError.invalidParameter(
        "text: the \(split.rawValue) split holds \(streams.tokens[split]!.count) tokens "
          + "(\(streams.documents[split]!) documents); a window of length \(length) needs \(length + 1)")
    }
    self.streams = streams
    self.length = length
  }

  /// ``TaskName/text``.
  public var name: TaskName { .text }
  /// ``TaskMetric/bitsPerByte``.
  public var metric: TaskMetric { .bitsPerByte }
  /// Tokens over the 257 of ``vocabulary``.
  public var input: InputFormat { .tokens(vocabulary: Self.vocabulary) }
  /// Classes over the 257 of ``vocabulary`` (the next token).
  public var output: OutputFormat { .classes(Self.vocabulary) }
  /// 1.
  public var minimumLength: Int { 1 }

  /// The task with windows of another length, on the same corpus.
  public func resized(to length: Int) throws -> TextTask {
    try TextTask(streams: streams, length: length)
  }

  /// The token stream `S` of `split`: its documents' bytes, each document followed by ``separator``.
  public func stream(of split: Split) -> [UInt16] { streams.tokens[split]! }

  /// The number of documents in `split`.
  public func documentCount(of split: Split) -> Int { streams.documents[split]! }

  /// `size ≥ 1` windows of `split`'s stream at offsets `o` drawn uniformly from `0 ..< n − L`
  /// (one `generator.next()` each, reduced modulo `n − L`): inputs `S[o ..< o + L]`, targets
  /// `S[o + 1 ... o + L]`.
  public func examples(_ size: Int, split: Split, generator: inout SeededGenerator) throws -> [TaskExample] {
    guard size >= 1 else { throw TaskError.invalidBatch("batch size must be ≥ 1, got \(size)") }
    let tokens = stream(of: split)
    return (0..<size).map { _ in window(at: generator.index(below: tokens.count - length), of: tokens) }
  }

  /// One window of the training stream. A text instance belongs to the split of its documents,
  /// so there is no draw over every split to filter (as the synthetic tasks do); a window of
  /// another split is ``examples(_:split:generator:)``.
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    let tokens = stream(of: .train)
    return window(at: generator.index(below: tokens.count - length), of: tokens)
  }

  /// The number of consecutive non-overlapping windows of `split`: `⌊(n − 1) / L⌋` (the last
  /// `(n − 1) mod L` targets of the stream are in none).
  public func consecutiveWindowCount(of split: Split) -> Int { (stream(of: split).count - 1) / length }

  /// The consecutive windows `k ∈ windows` of `split`, one per batch row in order: window `k`
  /// has inputs `S[k·L ..< (k + 1)·L]` and targets `S[k·L + 1 ... (k + 1)·L]`, so each is
  /// predicted with the context of its own window only. Windows `0 ..< consecutiveWindowCount(of:)`
  /// cover the stream; held-out bits per byte reads them in order.
  /// - Throws: ``TaskError/invalidBatch(_:)`` for an empty range or one outside
  ///   `0 ..< consecutiveWindowCount(of: split)`.
  public func consecutiveWindows(_ windows: Range<Int>, of split: Split) throws -> TaskBatch {
    let count = consecutiveWindowCount(of: split)
    guard !windows.isEmpty, windows.lowerBound >= 0, windows.upperBound <= count else {
      throw TaskError.invalidBatch("windows \(windows) outside 0 ..< \(count) of the \(split.rawValue) text split")
    }
    let tokens = stream(of: split)
    return try TaskBatch(
      stacking: windows.map { window(at: $0 * length, of: tokens) }, length: length, input: input, output: output)
  }

  /// The window at `offset` of `tokens`: inputs `tokens[offset ..< offset + L]`, targets shifted by one.
  private func window(at offset: Int, of tokens: [UInt16]) -> TaskExample {
    TaskExample(
      inputs: .tokens(tokens[offset..<(offset + length)].map(Int.init)),
      targets: .classes(tokens[(offset + 1)...(offset + length)].map(Int.init)))
  }
}
