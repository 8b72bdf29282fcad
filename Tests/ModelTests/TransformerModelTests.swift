import Autodiff
import ModelTestSupport
import Models
import TestSupport
import Testing

@Suite("Transformer decoders: cached decoding = parallel forward")
struct TransformerModelTests {
  // Float32 attention and projections in both modes; the cached single-token path sums in
  // another order (SIMD lanes) than sgemm, so results differ by rounding (~1e-6 relative per
  // layer). 1e-4 relative catches a wrong position, mask, cache slot or scale (O(1) errors).
  static let tolerance: Float = 1e-4

  @Test(arguments: PositionEncoding.allCases, [false, true])
  func stepByStepEqualsParallel(positions: PositionEncoding, tied: Bool) throws {
    let model = try TransformerModel(
      .init(
        vocabulary: 9, width: 16, depth: 2, heads: 2, positions: positions, contextLength: 64, tiedEmbeddings: tied),
      seed: 3)
    let tokens = randomTokens(batch: 3, length: 37, vocabulary: 9, seed: 8)
    #expect(try recurrentDeviation(model, tokens: tokens) <= Self.tolerance)
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [5, 11]) <= Self.tolerance)
  }

  // A cache asked for room for 8 positions gets one key tile (32); it grows to fit a whole chunk
  // (rounded up to whole tiles) or by doubling.
  @Test func cacheGrowthKeepsEveryPosition() throws {
    let model = try TransformerModel(
      .init(vocabulary: 5, width: 16, depth: 1, heads: 4, positions: .rotary, contextLength: 8), seed: 1)
    let tokens = randomTokens(batch: 2, length: 100, vocabulary: 5, seed: 2)
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [3]) <= Self.tolerance)
    var state = try model.initialState(batchSize: 1)
    #expect(state.caches[0].capacity == 32)
    _ = try model.prefill([Array(tokens[0][..<80])], state: &state)
    #expect(state.caches[0].count == 80 && state.caches[0].capacity == 96 && state.position == 80)
    _ = try model.prefill([Array(tokens[0][80..<96])], state: &state)
    #expect(state.caches[0].count == 96 && state.caches[0].capacity == 96)
    _ = try model.step([tokens[0][96]], state: &state)
    #expect(state.caches[0].count == 97 && state.caches[0].capacity == 192 && state.position == 97)
  }

  // The whole model's gradient (embeddings, attention, MLP, norms, tied decoder) against
  // central differences.
  @Test(arguments: PositionEncoding.allCases)
  func gradients(positions: PositionEncoding) throws {
    let model = try TransformerModel(
      .init(
        vocabulary: 5, width: 8, depth: 2, heads: 2, mlpRatio: 2, positions: positions, contextLength: 8,
        tiedEmbeddings: positions == .learned),
      seed: 4)
    // A larger embedding scale than GPT-2's 0.02 so every path carries gradient above rounding.
    for parameter in model.parameters where parameter.name.hasPrefix("embedding") {
      parameter.value.values = parameter.value.values.map { $0 * 40 }
    }
    let tokens = randomTokens(batch: 2, length: 6, vocabulary: 5, seed: 5)
    let targets = randomTokens(batch: 2, length: 6, vocabulary: 5, seed: 6)
    try checkModelGradients(model, tokens: tokens, targets: targets)
  }

  @Test func badInputsAreErrors() throws {
    #expect(throws: AutodiffError.self) {
      try TransformerModel(.init(vocabulary: 4, width: 10, depth: 1, heads: 3), seed: 0)
    }
    #expect(throws: AutodiffError.self) {
      try TransformerModel(.init(vocabulary: 4, width: 6, depth: 1, heads: 2, positions: .rotary), seed: 0)
    }
    let model = try TransformerModel(
      .init(vocabulary: 4, width: 8, depth: 1, heads: 2, positions: .learned, contextLength: 4), seed: 0)
    #expect(model.contextLimit == 4)
    #expect(throws: AutodiffError.self) { try model.forward([[0, 1, 2, 3, 0]]) }
    var state = try model.initialState(batchSize: 1)
    _ = try model.prefill([[0, 1, 2, 3]], state: &state)
    #expect(throws: AutodiffError.self) { try model.step([1], state: &state) }
    var pair = try model.initialState(batchSize: 2)
    #expect(throws: AutodiffError.self) { try model.step([1], state: &pair) }
    #expect(throws: AutodiffError.self) { try model.step([1, 7], state: &pair) }
  }
}
