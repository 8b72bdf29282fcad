/// The parameters of ``DecodingStrategy/beamSearch(_:)`` (HuggingFace `transformers`
/// `GenerationMixin._beam_search` semantics).
///
/// A finished hypothesis `y` with `n` generated tokens (its stop token included) scores
/// `s(y) = (Σ_{t=1}^{n} ℓ_t(y_t)) / n^lengthPenalty`, where `ℓ_t` are the processed scores of
/// step `t` (see ``processorInput``).
public struct BeamSearchParameters: Sendable, Equatable {
  /// The number of running beams `N ≥ 1`, which is also the size of the n-best list of
  /// finished hypotheses.
  public var numBeams: Int
  /// The exponent `α` of the length normalisation `n^α` (finite). Since scores are negative,
  /// `α > 0` favours longer hypotheses and `α < 0` shorter ones; `0` ranks by the plain sum.
  public var lengthPenalty: Double
  /// When the search may stop before ``GenerationOptions/maxNewTokens``.
  public var earlyStopping: EarlyStopping
  /// Which sum of log-probabilities the ``EarlyStopping/heuristic`` and ``EarlyStopping/never``
  /// tests bound.
  public var earlyStoppingBound: EarlyStoppingBound
  /// What the processors of ``GenerationOptions`` (repetition penalty, no-repeat n-gram, min
  /// new tokens) act on.
  public var processorInput: BeamProcessorInput
  /// How many finished hypotheses to return, `1 ... numBeams`, best first.
  public var numReturnSequences: Int

  /// Beam-search parameters; by default HuggingFace's defaults (`lengthPenalty = 1`,
  /// `early_stopping = False`, processors on log-probabilities) and one returned sequence.
  public init(
    numBeams: Int, lengthPenalty: Double = 1, earlyStopping: EarlyStopping = .heuristic,
    earlyStoppingBound: EarlyStoppingBound = .bestRunningBeam, processorInput: BeamProcessorInput = .logProbabilities,
    numReturnSequences: Int = 1
  ) {
    self.numBeams = numBeams
    self.lengthPenalty = lengthPenalty
    self.earlyStopping = earlyStopping
    self.earlyStoppingBound = earlyStoppingBound
    self.processorInput = processorInput
    self.numReturnSequences = numReturnSequences
  }
}

/// HuggingFace's `early_stopping`: when a beam search with `N` finished hypotheses in its
/// n-best list stops. Until `N` hypotheses are finished it never stops early.
///
/// Let `b` be the bounded sum of log-probabilities of the current step (see
/// ``EarlyStoppingBound``), `n` the number of generated tokens including this step's, `m` the
/// ``GenerationOptions/maxNewTokens``, `w` the worst score in the n-best list and `α` the
/// ``BeamSearchParameters/lengthPenalty``.
public enum EarlyStopping: Sendable, Equatable {
  /// `early_stopping=True`: stop as soon as `N` hypotheses are finished.
  case whenFull
  /// `early_stopping=False` (the default): stop when `w ≥ b / n^α`, a heuristic that can stop
  /// too early when `α > 0` (longer hypotheses could still score better).
  case heuristic
  /// `early_stopping="never"`: stop only when no running beam can beat `w`: `w ≥ b / m^α` if
  /// `α > 0`, else `w ≥ b / n^α` (with `α = 0`, the canonical beam-search stopping rule).
  case never
}

/// The sum `b` that ``EarlyStopping/heuristic`` and ``EarlyStopping/never`` bound.
public enum EarlyStoppingBound: Sendable, Equatable {
  /// The best running beam after the step, i.e. the best candidate that does not end in a
  /// stop token (`GenerationMixin._check_early_stop_heuristic` of the vectorised
  /// `_beam_search` in current releases, 5.x included; the default).
  case bestRunningBeam
  /// The best candidate of the step, stop tokens included (`BeamHypotheses.is_done` with
  /// `next_scores.max()` in the `BeamSearchScorer` of earlier releases). A finished candidate
  /// can only make this bound larger, so the search stops no earlier than with
  /// ``bestRunningBeam``.
  case bestCandidate
}

/// What beam search applies the processors of ``GenerationOptions`` to.
public enum BeamProcessorInput: Sendable, Equatable {
  /// HuggingFace: `ℓ = process(log_softmax(z))`, used as is (not renormalised). The repetition
  /// penalty then multiplies the (non-positive) log-probability of every seen token by `θ`.
  case logProbabilities
  /// `ℓ = log_softmax(process(z))`: the processed logits renormalised, as greedy decoding and
  /// sampling see them.
  case logits
}
