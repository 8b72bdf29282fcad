import Foundation
import Generation
import Models
import SeededRandom
import Testing

/// Speculative decoding on real models of every family (greedy identity, rollback), its
/// throughput law on context-free distributions, and its refusals.
@Suite struct SpeculativeDecodingTests {
  static let vocabulary = 7

  static func transformer(seed: UInt64) throws -> TransformerModel {
    try TransformerModel(.init(vocabulary: vocabulary, width: 16, depth: 2, heads: 2, contextLength: 128), seed: seed)
  }
  static func s4d(seed: UInt64) throws -> S4Model {
    try S4Model(.init(vocabulary: vocabulary, width: 16, depth: 2, stateSize: 8), seed: seed)
  }
  static func gru(seed: UInt64) throws -> GRUModel {
    try GRUModel(.init(vocabulary: vocabulary, width: 16, depth: 2), seed: seed)
  }

  static let prompt = [3, 1, 4, 1, 5]

  /// Greedy speculative decoding returns the target's greedy tokens: `draft` → `target` with
  /// fixed and adaptive draft lengths.
  func expectGreedyIdentity<Target: SequenceModel, Draft: SequenceModel>(target: Target, draft: Draft) throws {
    let options = GenerationOptions(maxNewTokens: 24)
    let expected = try generate(target, prompt: Self.prompt, options: options)[0]
    for length in [DraftLength.fixed(1), .fixed(3), .fixed(6), .adaptive(initial: 2)] {
      let result = try speculativeGenerate(
        target: target, draft: draft, prompt: Self.prompt, options: options,
        speculation: SpeculativeParameters(draftLength: length))[0]
      #expect(result.generation.tokens == expected.tokens, "\(length)")
      // The target's float32 logits come from chunked prefills instead of single steps: they
      // agree to ~1e-6 relative, so the summed log-probabilities of 24 tokens to 1e-4.
      #expect(abs(result.generation.score - expected.score) <= 1e-4 * max(1, abs(expected.score)))
      #expect(result.targetPasses >= 1 && result.acceptedDraftTokens <= result.draftedTokens)
      #expect(result.generation.tokens.count == result.acceptedDraftTokens + result.targetPasses)
    }
  }

  @Test func greedyIdentityS4DDraftForTransformer() throws {
    try expectGreedyIdentity(target: Self.transformer(seed: 1), draft: Self.s4d(seed: 2))
  }

  @Test func greedyIdentityTransformerDraftForS4D() throws {
    try expectGreedyIdentity(target: Self.s4d(seed: 3), draft: Self.transformer(seed: 4))
  }

  // A model drafting for itself: every draft token is accepted (up to chunked-vs-step rounding
  // at exact ties, absent at these seeds), so each pass emits k + 1 tokens.
  @Test func greedyIdentitySelfDraft() throws {
    let model = try Self.transformer(seed: 5)
    try expectGreedyIdentity(target: model, draft: model)
    let result = try speculativeGenerate(
      target: model, draft: model, prompt: Self.prompt, options: GenerationOptions(maxNewTokens: 24),
      speculation: SpeculativeParameters(draftLength: .fixed(3)))[0]
    #expect(result.acceptedDraftTokens == result.draftedTokens)
    #expect(result.targetPasses == 6)
  }

  /// After sampled rounds with rejections, both decoder states hold what a replay of only the
  /// kept tokens gives: the logits after the pending token equal those of a fresh state that
  /// read the whole history.
  func expectRollbackEqualsReplay<Target: SequenceModel, Draft: SequenceModel>(target: Target, draft: Draft) throws {
    let options = GenerationOptions(maxNewTokens: 40, strategy: .sampling(SamplingParameters()), seed: 9)
    var decoder = try SpeculativeDecoder(
      target: target, draft: draft, prompt: Self.prompt, options: options,
      speculation: SpeculativeParameters(draftLength: .fixed(4)))
    var generator = SeededGenerator(seed: 9)
    var rejections = 0
    while !decoder.finished {
      let before = decoder.acceptedDraftTokens
      let drafted = decoder.draftedTokens
      try decoder.round(draws: &generator)
      if decoder.acceptedDraftTokens - before < decoder.draftedTokens - drafted { rejections += 1 }
      try expectStateMatchesReplay(target, state: decoder.targetState, history: decoder.history)
      try expectStateMatchesReplay(draft, state: decoder.draftState, history: decoder.history)
    }
    #expect(rejections >= 3, "the test needs partial acceptances to roll back")
  }

  /// `state` has read `history` but its last token: reading that token gives the logits a fresh
  /// state gives after reading all of `history` token by token. The two sides read the same
  /// tokens in other chunkings, which changes float32 rounding only (~1e-7 relative per layer);
  /// 1e-6 relative to the largest logit fails on any state that kept a dropped token (O(1e-2)).
  func expectStateMatchesReplay<Model: SequenceModel>(_ model: Model, state: Model.State, history: [Int]) throws {
    var state = state
    let logits = try model.step([history.last!], state: &state).values
    var replay = try model.initialState(batchSize: 1)
    var expected: [Float] = []
    for token in history { expected = try model.step([token], state: &replay).values }
    let scale = Double(expected.map(abs).max()!)
    let worst = zip(logits, expected).map { Double(abs($0 - $1)) }.max()!
    #expect(worst <= 1e-6 * max(1, scale), "\(Model.self): \(worst)")
  }

  @Test func rollbackS4DDraftTransformerTarget() throws {
    try expectRollbackEqualsReplay(target: Self.transformer(seed: 1), draft: Self.s4d(seed: 2))
  }

  @Test func rollbackTransformerDraftS4DTarget() throws {
    try expectRollbackEqualsReplay(target: Self.s4d(seed: 3), draft: Self.transformer(seed: 4))
  }

  @Test func rollbackTransformerDraftGRUTarget() throws {
    try expectRollbackEqualsReplay(target: Self.gru(seed: 6), draft: Self.transformer(seed: 7))
  }

  // Context-free p and q: each round emits J + 1 tokens with P(J + 1 = m) = α^{m−1}(1 − α) for
  // m ≤ k and α^k for m = k + 1 (α = Σ_v min(p_v, q_v)), mean (1 − α^{k+1}) / (1 − α).
  @Test(arguments: [1, 2, 3])
  func meanTokensPerPassMatchesTheory(k: Int) throws {
    let target = HistoryModel.constant([1, 0, -1])
    let draft = HistoryModel.constant([0, 0.5, -0.5])
    let p = Categorical.softmax([1, 0, -1])
    let q = Categorical.softmax([0, 0.5, -0.5])
    let alpha = zip(p, q).map { min($0, $1) }.reduce(0, +)
    let masses = (1...(k + 1)).map { m in m <= k ? pow(alpha, Double(m - 1)) * (1 - alpha) : pow(alpha, Double(k)) }
    let mean = masses.enumerated().map { Double($0.offset + 1) * $0.element }.reduce(0, +)
    #expect(abs(mean - (1 - pow(alpha, Double(k + 1))) / (1 - alpha)) <= 1e-12)
    let variance = masses.enumerated().map { pow(Double($0.offset + 1) - mean, 2) * $0.element }.reduce(0, +)

    let tokens = 6000
    let result = try speculativeGenerate(
      target: target, draft: draft, prompt: [0],
      options: GenerationOptions(maxNewTokens: tokens, strategy: .sampling(SamplingParameters()), seed: UInt64(k)),
      speculation: SpeculativeParameters(draftLength: .fixed(k)))[0]
    let passes = Double(result.targetPasses)
    let measured = Double(result.generation.tokens.count) / passes
    // Mean of ~tokens/mean independent rounds: standard error √(variance / rounds); 5 of them
    // bound a false failure by ~6e-7. The last ≤ k rounds, shortened by maxNewTokens, shift the
    // mean by at most k / rounds ≈ 1e-3, well inside.
    #expect(abs(measured - mean) <= 5 * (variance / passes).squareRoot(), "α = \(alpha)")
  }

  @Test func refusals() throws {
    let target = HistoryModel.hashed(vocabulary: 3, seed: 1)
    let options = GenerationOptions(maxNewTokens: 4)
    #expect(throws: GenerationError.draftVocabularyMismatch(target: 3, draft: 4)) {
      try speculativeGenerate(
        target: target, draft: HistoryModel.hashed(vocabulary: 4, seed: 1), prompt: [0], options: options)
    }
    for length in [DraftLength.fixed(0), .adaptive(initial: -1)] {
      #expect(throws: GenerationError.invalidDraftTokens(length.initial)) {
        try speculativeGenerate(
          target: target, draft: target, prompt: [0], options: options,
          speculation: SpeculativeParameters(draftLength: length))
      }
    }
    var beam = options
    beam.strategy = .beamSearch(BeamSearchParameters(numBeams: 2))
    #expect(throws: GenerationError.speculativeBeamSearch) {
      try speculativeGenerate(target: target, draft: target, prompt: [0], options: beam)
    }
    #expect(throws: GenerationError.emptyPrompt) {
      try speculativeGenerate(target: target, draft: target, prompt: [], options: options)
    }
    // The draft's context limit counts too.
    #expect(throws: GenerationError.contextLimitExceeded(promptLength: 1, maxNewTokens: 4, limit: 3)) {
      try speculativeGenerate(
        target: target, draft: HistoryModel.hashed(vocabulary: 3, seed: 2, contextLimit: 3), prompt: [0],
        options: options)
    }
  }
}
