/// One continuation from speculative decoding, with the counts that measure the draft's use.
public struct SpeculativeGenerationResult: Sendable, Equatable {
  /// The new tokens and their log-probability under the target's raw logits, as
  /// ``generate(_:prompt:options:)`` reports them for greedy decoding and sampling.
  public var generation: GenerationResult
  /// Draft tokens proposed, summed over rounds.
  public var draftedTokens: Int
  /// Draft tokens accepted and emitted (a stop token ends the count with the output).
  public var acceptedDraftTokens: Int
  /// Verification passes of the target (one chunked prefill per round; the prompt's prefill
  /// and any re-reading of accepted tokens after a rejection are not counted). New tokens per
  /// pass, `generation.tokens.count / targetPasses`, is `(1 − α^{k+1}) / (1 − α)` in expectation
  /// for context-free `p`, `q` with `α = Σ_v min(p_v, q_v)`.
  public var targetPasses: Int

  /// A result with the given fields.
  public init(generation: GenerationResult, draftedTokens: Int, acceptedDraftTokens: Int, targetPasses: Int) {
    self.generation = generation
    self.draftedTokens = draftedTokens
    self.acceptedDraftTokens = acceptedDraftTokens
    self.targetPasses = targetPasses
  }
}
