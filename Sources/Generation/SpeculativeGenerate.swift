import Models
import SeededRandom

/// Continues `prompt` with `target` by speculative decoding (Leviathan et al. 2023; Chen et al.
/// 2023): each round a cheap `draft` proposes `k` tokens, the target scores all `k + 1`
/// prefixes with one chunked `prefill` from its cached state, and each draft token `d_i` is
/// accepted with probability `min(1, p_i(d_i) / q_i(d_i))`; at the first rejection one token
/// is drawn from `norm(max(0, p_i − q_i))` and the rest dropped; if all are accepted a bonus
/// token is drawn from `p_{k+1}` (see ``SpeculativeVerification`` and `SpeculativeDecoder`).
///
/// The output has exactly the law of ``generate(_:prompt:options:)`` with the target alone, for
/// any draft: `p_i` and `q_i` are the distributions each model's step would draw from, after
/// the same processors (repetition penalty, no-repeat n-gram, min new tokens, stop tokens, the
/// ``GenerationOptions/constraint`` mask) and, when sampling, the same warpers (temperature,
/// top-k, top-p, min-p, typical); `q_i` is the draft's actual distribution (one-hot for a greedy
/// draft). With a constraint both are masked in the automaton state after the emitted and earlier
/// draft tokens, with the token budget of their position, so the draft proposes allowed tokens
/// only and the output has the law of constrained ``generate(_:prompt:options:)`` (each step
/// renormalised over the allowed tokens). Greedy decoding accepts while the
/// draft's token is the target's argmax and then takes the target's argmax, so it returns the
/// target's greedy output (up to the rounding of a chunked `prefill` against single steps,
/// which matters only at exact ties).
///
/// After a partial acceptance both states are as if only the accepted tokens had been read: a
/// transformer's caches are truncated, any other state is restored from a copy and re-reads
/// the accepted tokens (``StateCheckpoint``).
///
/// - Returns: greedy: one result; sampling: ``SamplingParameters/numReturnSequences``
///   independent results, sample `i` drawing from a `SeededGenerator` seeded with
///   ``GenerationOptions/seed`` `+ i`.
/// - Throws: ``GenerationError`` for invalid options or prompt (as ``generate(_:prompt:options:)``,
///   checked against both models' context limits), a draft of another vocabulary, a draft
///   length below 1, beam search, or non-finite logits; the models' own errors pass through.
public func speculativeGenerate<Target: SequenceModel, Draft: SequenceModel>(
  target: Target, draft: Draft, prompt: [Int], options: GenerationOptions,
  speculation: SpeculativeParameters = SpeculativeParameters()
) throws -> [SpeculativeGenerationResult] {
  guard draft.vocabulary == target.vocabulary else {
    throw GenerationError.draftVocabularyMismatch(target: target.vocabulary, draft: draft.vocabulary)
  }
  guard speculation.draftLength.initial >= 1 else {
    throw GenerationError.invalidDraftTokens(speculation.draftLength.initial)
  }
  try validate(options, prompt: prompt, vocabulary: target.vocabulary, contextLimit: target.contextLimit)
  try validate(options, prompt: prompt, vocabulary: draft.vocabulary, contextLimit: draft.contextLimit)
  let samples: Int
  switch options.strategy {
  case .greedy: samples = 1
  case .sampling(let parameters): samples = parameters.numReturnSequences
  case .beamSearch: throw GenerationError.speculativeBeamSearch
  }
  return try (0..<samples).map { sample in
    var decoder = try SpeculativeDecoder(
      target: target, draft: draft, prompt: prompt, options: options, speculation: speculation)
    var generator = SeededGenerator(seed: options.seed &+ UInt64(sample))
    return try decoder.run(draws: &generator)
  }
}
