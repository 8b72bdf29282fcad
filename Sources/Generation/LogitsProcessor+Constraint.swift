import Constraints

extension LogitsProcessor {
  /// The constraint mask: in state `s` of `index`, with `remainingTokens` tokens left before the
  /// token limit (this one included), every token outside
  /// `index.allowedTokens(in: s, remainingTokens:)` gets `−∞`; allowed scores are unchanged. The
  /// budget keeps only tokens from which the output can still end in time, so a decoder whose
  /// `maxNewTokens` is at least `index.distanceToEnd[index.start]` always ends with a complete
  /// string of the language and a stop token (see `TokenIndex.allowedTokens(in:remainingTokens:)`).
  ///
  /// Greedy decoding then takes the best allowed token and sampling draws from
  /// `q_t(v) = π_t(v) · 1[v allowed] / Σ_{u allowed} π_t(u)`, renormalised per step. The law of a
  /// whole sequence, `Π_t q_t(x_t)`, is **not** the model's law conditioned on the language,
  /// `p(x | x ∈ L) = p(x) / Σ_{y ∈ L} p(y)`: each step renormalises over the allowed next tokens
  /// without weighing how likely the model is to finish from each of them (see the test
  /// `renormalisedMaskIsNotTheConditionalLaw`). Beam search masks its per-step scores the same way,
  /// each beam in its own state.
  /// The allowed tokens are ascending, so the mask is written in place, one pass over the gaps.
  public static func applyConstraint(_ scores: inout [Double], index: TokenIndex, state: Int, remainingTokens: Int) {
    var next = 0
    for token in index.allowedTokens(in: state, remainingTokens: remainingTokens) {
      while next < token {
        scores[next] = -.infinity
        next += 1
      }
      next = token + 1
    }
    while next < scores.count {
      scores[next] = -.infinity
      next += 1
    }
  }
}
