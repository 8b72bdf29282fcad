/// One generated continuation.
public struct GenerationResult: Sendable, Equatable {
  /// The new tokens, prompt excluded; the last one is a stop token when the sequence
  /// stopped before ``GenerationOptions/maxNewTokens``.
  public var tokens: [Int]
  /// Greedy decoding and sampling: `Σ_t log p(y_t | prompt, y_{<t})`, the log-probability of
  /// the chosen tokens under the *unprocessed* model distribution (`log_softmax` of the raw
  /// logits, float64; no processor, temperature or truncation).
  ///
  /// Beam search: the HuggingFace beam score `(Σ_t ℓ_t(y_t)) / n^α`, with `ℓ_t` the processed
  /// log-probabilities of step `t` (``BeamSearchParameters/processorInput``; the model's
  /// log-probabilities when no processor is on), `n = tokens.count` and `α` the
  /// ``BeamSearchParameters/lengthPenalty``.
  public var score: Double

  /// A result with the given tokens and score.
  public init(tokens: [Int], score: Double) {
    self.tokens = tokens
    self.score = score
  }
}
