import Autodiff
import Dispatch
import Foundation
import Models
import TestSupport
import Testing

@Suite("Transformer tape-free step = the tape's cached decoding")
struct TransformerTapeFreeStepTests {
  // The tape-free step and the tape run the same float32 arithmetic on the same kernels (LayerNorm,
  // GELU, rotary turn, the cache's single-query attention) except that the projections are sgemv
  // instead of sgemm and a chunk attends through sgemm and a row softmax: the sums run in another
  // order, ~1e-7 relative per operation, a few 1e-7 through two blocks. 1e-5 of the largest logit
  // leaves room for that, while a wrong position, a missing residual or norm, a stale cache slot
  // or a wrong scale moves logits by O(1) of their size.
  static let tolerance: Float = 1e-5

  /// The largest difference between `values` and `reference`, relative to the largest `|reference|`.
  static func deviation(_ values: [Float], _ reference: [Float]) -> Float {
    #expect(values.count == reference.count)
    let scale = reference.map { abs($0) }.max()!
    return zip(values, reference).map { abs($0 - $1) }.max()! / scale
  }

  /// The logits of `tokens` (`B × T`) fed one position at a time through `step`, laid out as a
  /// chunk's (`B × T × V`, row `b·T + t`).
  static func stepwise(_ tokens: [[Int]], vocabulary: Int, step: ([Int]) throws -> [Float]) throws -> [Float] {
    let (batch, length) = (tokens.count, tokens[0].count)
    var logits = [Float](repeating: .nan, count: batch * length * vocabulary)
    for t in 0..<length {
      let row = try step(tokens.map { $0[t] })
      for b in 0..<batch {
        logits.replaceSubrange(
          ((b * length + t) * vocabulary)..<((b * length + t + 1) * vocabulary),
          with: row[(b * vocabulary)..<((b + 1) * vocabulary)])
      }
    }
    return logits
  }

  /// From a cache holding `context` tokens (read as one chunk by the tape): 12 tape-free steps
  /// against the tape's one-token steps and against one 12-token chunk of the tape, which the
  /// tape-free chunk (`prefill` of 12 ≤ `KVCache.inPlaceChunk` tokens) also matches; then the
  /// cache rewound by 7 tokens (a rejected speculative draft) and 6 other tokens stepped, against
  /// one tape chunk of the kept and the new tokens read from the same context.
  func checkSteps(_ model: TransformerModel, batch: Int, context: Int, seed: UInt64) throws {
    let vocabulary = model.vocabulary
    let tokens = randomTokens(batch: batch, length: context + 12, vocabulary: vocabulary, seed: seed)
    let replacement = randomTokens(batch: batch, length: 6, vocabulary: vocabulary, seed: seed + 1)
    var start = try model.initialState(batchSize: batch)
    if context > 0 { _ = try model.tapePrefill(tokens.map { Array($0[..<context]) }, state: &start) }
    let decoded = tokens.map { Array($0[context...]) }

    var fast = start
    let stepped = try Self.stepwise(decoded, vocabulary: vocabulary) { try model.step($0, state: &fast).values }
    var slow = start
    let tapeStepped = try Self.stepwise(decoded, vocabulary: vocabulary) {
      try model.tapePrefill($0.map { [$0] }, state: &slow).values
    }
    var chunked = start
    let chunk = try model.tapePrefill(decoded, state: &chunked).values
    var fastChunked = start
    let fastChunk = try model.prefill(decoded, state: &fastChunked).values
    #expect(Self.deviation(stepped, tapeStepped) <= Self.tolerance, "against one-token tape steps")
    #expect(Self.deviation(stepped, chunk) <= Self.tolerance, "against a tape chunk")
    #expect(Self.deviation(fastChunk, chunk) <= Self.tolerance, "a tape-free chunk against a tape chunk")
    #expect(fastChunked.position == context + 12)
    #expect(fast.position == context + 12 && fast.caches.allSatisfy { $0.count == context + 12 })

    try fast.rewind(to: context + 5)
    let continued = try Self.stepwise(replacement, vocabulary: vocabulary) {
      try model.step($0, state: &fast).values
    }
    var replay = start
    let kept = zip(decoded, replacement).map { Array($0.0[..<5]) + $0.1 }
    let replayed = try model.tapePrefill(kept, state: &replay).values
    var tail: [Float] = []
    for b in 0..<batch {
      let (first, end): (Int, Int) = ((b * 11 + 5) * vocabulary, (b + 1) * 11 * vocabulary)
      tail += replayed[first..<end]
    }
    #expect(Self.deviation(continued, tail) <= Self.tolerance, "after rewinding")
    #expect(fast.position == context + 11)
  }

  // Every position encoding, untied and tied output, from an empty cache and from caches that
  // have grown (initial room for min(256, context length) = 64 positions).
  @Test(arguments: PositionEncoding.allCases, [0, 9, 70])
  func stepsEqualTapePaths(positions: PositionEncoding, context: Int) throws {
    for tied in [false, true] {
      let model = try TransformerModel(
        .init(
          vocabulary: 11, width: 16, depth: 2, heads: 2, mlpRatio: 3, positions: positions, contextLength: 128,
          tiedEmbeddings: tied),
        seed: 5)
      try checkSteps(model, batch: 2, context: context, seed: UInt64(context) + 11)
    }
  }

  // A context long enough that the attention splits its (sequence, head) pairs over the cores
  // (count·d ≥ 2¹⁸ with d = 128).
  @Test func longContextEqualsTapePaths() throws {
    let model = try TransformerModel(
      .init(vocabulary: 13, width: 256, depth: 2, heads: 2, positions: .rotary), seed: 6)
    try checkSteps(model, batch: 1, context: 2_100, seed: 21)
  }

  // A copied state (a speculative checkpoint, a beam) and the original step on their own: each
  // equals a replay of its own tokens, bit for bit, so neither wrote into the other's cache.
  @Test func copiesStepIndependently() throws {
    let model = try TransformerModel(.init(vocabulary: 7, width: 16, depth: 2, heads: 2), seed: 7)
    func replay(_ tokens: [Int]) throws -> [Float] {
      var state = try model.initialState(batchSize: 1)
      _ = try model.prefill([[1, 4, 2]], state: &state)
      var logits: [Float] = []
      for token in tokens { logits = try model.step([token], state: &state).values }
      return logits
    }
    var original = try model.initialState(batchSize: 1)
    _ = try model.prefill([[1, 4, 2]], state: &original)
    _ = try model.step([3], state: &original)
    var copy = original
    let fromOriginal = try model.step([2], state: &original).values
    let fromCopy = try model.step([5], state: &copy).values
    let again = try model.step([6], state: &original).values
    let copyAgain = try model.step([0], state: &copy).values
    #expect(fromOriginal == (try replay([3, 2])))
    #expect(fromCopy == (try replay([3, 5])))
    #expect(again == (try replay([3, 2, 6])))
    #expect(copyAgain == (try replay([3, 5, 0])))
  }

  // Copies of one state stepped at the same time on two threads (as a server's beams might be):
  // each decodes its own tokens exactly as alone, so they share no activations. Both threads
  // start together and step 200 tokens of a model whose step takes tens of microseconds, so
  // shared buffers would be written by both mid-step.
  @Test func copiesStepConcurrently() throws {
    let model = try TransformerModel(.init(vocabulary: 7, width: 64, depth: 2, heads: 4), seed: 8)
    var state = try model.initialState(batchSize: 1)
    _ = try model.prefill([[1, 4, 2, 6]], state: &state)
    _ = try model.step([3], state: &state)
    let runs = randomTokens(batch: 2, length: 200, vocabulary: 7, seed: 9)
    let shared = SharedStart(model: model, state: state)
    let results = Results()
    let (ready, start, done) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchGroup())
    for run in 0..<2 {
      Thread.detachNewThread {
        done.enter()
        var own = shared.state
        ready.signal()
        start.wait()
        let logits = try? Self.stepwise([runs[run]], vocabulary: 7) { try shared.model.step($0, state: &own).values }
        results.set(run, logits)
        done.leave()
      }
    }
    ready.wait()
    ready.wait()
    start.signal()
    start.signal()
    done.wait()
    for run in 0..<2 {
      var alone = state
      let expected = try Self.stepwise([runs[run]], vocabulary: 7) { try model.step($0, state: &alone).values }
      #expect(results.get(run) == expected, "run \(run)")
    }
  }
}

/// A model and a decoding state handed to both threads of ``TransformerTapeFreeStepTests/copiesStepConcurrently()``;
/// each thread steps its own copy of the state.
private final class SharedStart: @unchecked Sendable {
  let model: TransformerModel
  let state: TransformerModel.State
  init(model: TransformerModel, state: TransformerModel.State) {
    self.model = model
    self.state = state
  }
}

/// The logits each thread produced.
private final class Results: @unchecked Sendable {
  private var values: [[Float]?] = [nil, nil]
  private let lock = NSLock()
  func set(_ index: Int, _ logits: [Float]?) {
    lock.lock()
    values[index] = logits
    lock.unlock()
  }
  func get(_ index: Int) -> [Float]? {
    lock.lock()
    defer { lock.unlock() }
    return values[index]
  }
}
