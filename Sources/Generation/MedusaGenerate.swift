import Models
import SeededRandom

/// Continues `prompt` with `model` by Medusa decoding (Cai et al. 2024): each pass the backbone's
/// next token and a tree of its `heads`' top candidates are verified in one tree pass, and the
/// longest accepted path is emitted (see ``MedusaDecoder``).
///
/// Greedy decoding (``DecodingStrategy/greedy``) accepts a candidate exactly when it is the
/// backbone's argmax after its path, so the output is plain greedy decoding's, whatever the heads
/// propose (up to the rounding of a tree pass against single steps, which matters only at exact
/// ties). Sampling draws the root from the backbone's processed, warped distribution `p` and
/// accepts candidates by ``TypicalAcceptance`` (`p(x) > min(ε, δ·e^{−H(p)})`): the accepted
/// candidates are the heads' top tokens, not draws from `p`, so the output law is **not** that of
/// sampling from the model (the tests show the difference by enumeration).
///
/// - Returns: greedy: one result; sampling: ``SamplingParameters/numReturnSequences``
///   independent results, sample `i` drawing from a `SeededGenerator` seeded with
///   ``GenerationOptions/seed`` `+ i`. `draftedTokens` counts the candidates verified,
///   `acceptedDraftTokens` those emitted, `targetPasses` the tree passes.
/// - Throws: as ``MedusaDecoder/init(model:heads:prompt:options:medusa:)``, and for non-finite
///   logits; the model's own errors pass through.
public func medusaGenerate<Model: SequenceModel>(
  _ model: Model, heads: MedusaHeads, prompt: [Int], options: GenerationOptions,
  medusa: MedusaParameters = MedusaParameters()
) throws -> [SpeculativeGenerationResult] {
  let samples = if case .sampling(let parameters) = options.strategy { parameters.numReturnSequences } else { 1 }
  return try (0..<samples).map { sample in
    var decoder = try MedusaDecoder(model: model, heads: heads, prompt: prompt, options: options, medusa: medusa)
    var generator = SeededGenerator(seed: options.seed &+ UInt64(sample))
    return try decoder.run(draws: &generator)
  }
}
