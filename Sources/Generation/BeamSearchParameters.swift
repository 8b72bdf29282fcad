/// The parameters of ``DecodingStrategy/beamSearch(_:)`` (HuggingFace `BeamSearchScorer`
/// semantics).
///
/// A finished hypothesis `y` with `n` generated tokens (its stop token included) scores
/// `s(y) = (Σ_{t=1}^{n} log p(y_t | prompt, y_{<t})) / n^lengthPenalty`, where `log p` is the
/// float64 `log_softmax` of the repetition-penalised logits.
public struct BeamSearchParameters: Sendable, Equatable {
  /// The number of running beams `N ≥ 1`, which is also the size of the n-best list of
  /// finished hypotheses.
  public var numBeams: Int
  /// The exponent `α` of the length normalisation `n^α` (finite). Since scores are negative,
  /// `α > 0` favours longer hypotheses and `α < 0` shorter ones; `0` ranks by the plain sum.
  public var lengthPenalty: Double
  /// When the search may stop before ``GenerationOptions/maxNewTokens``.
  public var earlyStopping: EarlyStopping
  /// How many finished hypotheses to return, `1 ... numBeams`, best first.
  public var numReturnSequences: Int

  /// Beam-search parameters; by default HuggingFace's defaults (`lengthPenalty = 1`,
  /// `earlyStopping = false`) and one returned sequence.
  public init(
    numBeams: Int, lengthPenalty: Double = 1, earlyStopping: EarlyStopping = .heuristic,
    numReturnSequences: Int = 1
  ) {
    self.numBeams = numBeams
    self.lengthPenalty = lengthPenalty
    self.earlyStopping = earlyStopping
    self.numReturnSequences = numReturnSequences
  }
}

/// HuggingFace's `early_stopping`: when a beam search with `N` finished hypotheses in its
/// n-best list stops. Until `N` hypotheses are finished it never stops early.
///
/// Let `b` be the best candidate sum of log-probabilities of the current step (over the top
/// `2N` candidates), `n` the number of generated tokens including this step's, `m` the
/// ``GenerationOptions/maxNewTokens``, `w` the worst score in the n-best list and `α` the
/// ``BeamSearchParameters/lengthPenalty``.
public enum EarlyStopping: Sendable, Equatable {
  /// `early_stopping=True`: stop as soon as `N` hypotheses are finished.
  case whenFull
  /// `early_stopping=False` (the default): stop when `w ≥ b / n^α`, a heuristic that can stop
  /// too early when `α > 0` (longer hypotheses could still score better).
  case heuristic
  /// `early_stopping="never"`: stop only when no running beam can beat `w`: `w ≥ b / m^α` if
  /// `α > 0`, else `w ≥ b / n^α` (the canonical beam-search stopping rule).
  case never
}
