import Autodiff
import Foundation
import Generation
import Models
import SeededRandom
import Testing

/// Medusa decoding on transformer and S4D backbones: greedy identity with trees that accept,
/// typical acceptance's output law by enumeration, and the refusals.
@Suite struct MedusaDecodingTests {
  static let vocabulary = 7
  static let prompt = [3, 1, 4, 1, 5]

  static func transformer(seed: UInt64) throws -> TransformerModel {
    try TransformerModel(.init(vocabulary: vocabulary, width: 16, depth: 2, heads: 2, contextLength: 128), seed: seed)
  }
  static func s4d(seed: UInt64) throws -> S4Model {
    try S4Model(.init(vocabulary: vocabulary, width: 16, depth: 2, stateSize: 8), seed: seed)
  }

  /// `count` heads on `model` (projections copied from its output layer) with random residual
  /// weights, so each head proposes its own tokens.
  static func heads<Model: SequenceModel>(_ count: Int, on model: Model, seed: UInt64) throws -> MedusaHeads {
    let layer = try #require(model.outputLayer)
    let heads = try MedusaHeads(count: count, outputWeight: layer.weight, outputBias: layer.bias)
    var generator = SeededGenerator(seed: seed)
    for head in heads.heads {
      let shape = head.residualWeight.value.shape
      head.residualWeight.value = try Tensor(
        shape: shape, values: (0..<(shape[0] * shape[1])).map { _ in Float(generator.nextStandardNormal()) })
    }
    return heads
  }

  /// Every token of the vocabulary at depth 1 (one of them is always the backbone's argmax, so
  /// each pass with budget for it accepts at least one candidate), then the top two of head 2
  /// below the first three and a depth-3 chain.
  static let wideTree = try! MedusaTree(
    paths: (0..<vocabulary).map { [$0] } + [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [0, 0, 0]])

  /// Greedy Medusa decoding returns the backbone's greedy tokens for the wide tree, a chain and
  /// a tree of the root alone, and the wide tree accepts a candidate in every pass but the last.
  func expectGreedyIdentity<Model: SequenceModel>(_ model: Model, heads: MedusaHeads) throws {
    let options = GenerationOptions(maxNewTokens: 24)
    let expected = try generate(model, prompt: Self.prompt, options: options)[0]
    for tree in [Self.wideTree, .chain(depth: 3), .chain(depth: 0)] {
      let result = try medusaGenerate(
        model, heads: heads, prompt: Self.prompt, options: options, medusa: MedusaParameters(tree: tree))[0]
      #expect(result.generation.tokens == expected.tokens, "tree \(tree.paths)")
      // Tree passes against single steps: float32 logits agree to ~1e-6 relative, so the summed
      // log-probabilities of 24 tokens to 1e-4.
      #expect(abs(result.generation.score - expected.score) <= 1e-4 * max(1, abs(expected.score)))
      #expect(result.generation.tokens.count == result.acceptedDraftTokens + result.targetPasses)
      if tree == Self.wideTree { #expect(result.acceptedDraftTokens >= result.targetPasses - 1) }
      if tree.nodeCount == 1 { #expect(result.targetPasses == 24 && result.draftedTokens == 0) }
    }
  }

  @Test func greedyIdentityTransformer() throws {
    let model = try Self.transformer(seed: 1)
    try expectGreedyIdentity(model, heads: Self.heads(3, on: model, seed: 2))
  }

  @Test func greedyIdentityS4D() throws {
    let model = try Self.s4d(seed: 3)
    try expectGreedyIdentity(model, heads: Self.heads(3, on: model, seed: 4))
  }

  /// Typical acceptance at T = 1 changes the output law, shown by enumeration on a 3-token
  /// transformer with one head and a chain of one candidate, 2 new tokens: Medusa's law is
  /// `P(a, b) = p(a) · (1{b = c} if p(c | a) > min(ε, δ e^{−H(p(·|a))}) else p(b | a))`, `c` the
  /// head's top token on the prompt's last hidden state (head 1 predicts the token after the
  /// root), computed here from the parallel forward and the head on the parallel hidden states,
  /// independently of the decoder; sampling's law is `p(a) p(b | a)`. The enumerated law equals
  /// the first to 1e-6 (the decoder's float32 logits come from steps and a tree pass, the
  /// reference's from the parallel forward: they agree to ~1e-6 relative, probabilities ≤ 1) and
  /// differs from the second by a total variation above 0.01.
  @Test func typicalAcceptanceChangesTheLaw() throws {
    let model = try TransformerModel(.init(vocabulary: 3, width: 8, depth: 1, heads: 2), seed: 9)
    let heads = try Self.heads(1, on: model, seed: 10)
    let prompt = [0, 2, 1]
    let options = GenerationOptions(
      maxNewTokens: 2, strategy: .sampling(SamplingParameters()))
    let medusa = MedusaParameters(tree: .chain(depth: 1))
    let law = try exactLaw { draws -> [Int] in
      var decoder = try MedusaDecoder(model: model, heads: heads, prompt: prompt, options: options, medusa: medusa)
      return try decoder.run(draws: &draws).generation.tokens
    }
    let softmax = { (logits: ArraySlice<Float>) -> [Double] in
      let top = Double(logits.max()!)
      let e = logits.map { Foundation.exp(Double($0) - top) }
      return e.map { $0 / e.reduce(0, +) }
    }
    let first = softmax(try model.forward([prompt]).values.suffix(3))
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    let hidden = tape.value(try model.hiddenStates([prompt], on: tape, training: false, generator: &unused))
    let last = tape.constant(try Tensor(shape: [1, 8], values: Array(hidden.values.suffix(8))))
    let headLogits = tape.value(try heads(last, on: tape)[0]).values
    let candidate = headLogits.indices.max { headLogits[$0] < headLogits[$1] }!
    var (expected, sampling) = ([[Int]: Double](), [[Int]: Double]())
    var accepted = 0
    for a in 0..<3 {
      let next = softmax(try model.forward([prompt + [a]]).values.suffix(3))
      let entropy = -next.reduce(0) { $0 + ($1 > 0 ? $1 * Foundation.log($1) : 0) }
      let accepts = next[candidate] > min(0.09, 0.3 * Foundation.exp(-entropy))
      if accepts { accepted += 1 }
      for b in 0..<3 {
        expected[[a, b]] = first[a] * (accepts ? (b == candidate ? 1 : 0) : next[b])
        sampling[[a, b]] = first[a] * next[b]
      }
    }
    #expect(accepted >= 1)
    for (outcome, probability) in expected {
      #expect(abs((law[outcome] ?? 0) - probability) <= 1e-6, "\(outcome)")
    }
    let variation = 0.5 * sampling.reduce(0) { $0 + abs($1.value - (law[$1.key] ?? 0)) }
    #expect(variation > 0.01, "total variation \(variation)")
  }

  @Test func refusals() throws {
    let model = try Self.transformer(seed: 5)
    let heads = try Self.heads(2, on: model, seed: 6)
    #expect(throws: GenerationError.medusaBeamSearch) {
      try medusaGenerate(
        model, heads: heads, prompt: Self.prompt,
        options: GenerationOptions(maxNewTokens: 4, strategy: .beamSearch(BeamSearchParameters(numBeams: 2))))
    }
    #expect(throws: MedusaError.self) {
      try medusaGenerate(
        model, heads: heads, prompt: Self.prompt, options: GenerationOptions(maxNewTokens: 4),
        medusa: MedusaParameters(tree: .chain(depth: 3)))
    }
    let other = try TransformerModel(.init(vocabulary: 5, width: 16, depth: 1, heads: 2), seed: 7)
    #expect(throws: GenerationError.self) {
      try medusaGenerate(other, heads: heads, prompt: [1], options: GenerationOptions(maxNewTokens: 4))
    }
    #expect(throws: GenerationError.emptyPrompt) {
      try medusaGenerate(model, heads: heads, prompt: [], options: GenerationOptions(maxNewTokens: 4))
    }
  }
}
