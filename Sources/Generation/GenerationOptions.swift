/// Everything that controls one call of ``generate(_:prompt:options:)``.
///
/// The options apply in HuggingFace `transformers`' order: the ``repetitionPenalty`` first
/// (for every strategy), then the strategy's own processing (temperature → top-k → top-p →
/// sample for ``DecodingStrategy/sampling(_:)``; nothing for greedy and beam search).
public struct GenerationOptions: Sendable, Equatable {
  /// The most tokens to generate after the prompt (at least 1). Generation of a sequence
  /// ends earlier when it emits one of the ``stopTokens``.
  public var maxNewTokens: Int
  /// Tokens that end a sequence when it emits one; the stop token is part of the output
  /// (it is the last of ``GenerationResult/tokens``).
  public var stopTokens: Set<Int>
  /// The CTRL repetition penalty `θ > 0` (`1` leaves logits unchanged): before every step,
  /// each distinct token `v` already in prompt + generated has its logit `z_v` replaced by
  /// `z_v / θ` if `z_v > 0` and by `z_v · θ` otherwise.
  /// See ``LogitsProcessor/applyRepetitionPenalty(_:history:penalty:)``.
  public var repetitionPenalty: Double
  /// How the next token is chosen.
  public var strategy: DecodingStrategy
  /// The seed of the `SeededGenerator` that sampling draws from: the same
  /// model, prompt and options give the same output. Unused by greedy decoding and beam search.
  public var seed: UInt64

  /// Options with the given fields; by default greedy decoding with no stop tokens and no
  /// repetition penalty.
  public init(
    maxNewTokens: Int, stopTokens: Set<Int> = [], repetitionPenalty: Double = 1,
    strategy: DecodingStrategy = .greedy, seed: UInt64 = 0
  ) {
    self.maxNewTokens = maxNewTokens
    self.stopTokens = stopTokens
    self.repetitionPenalty = repetitionPenalty
    self.strategy = strategy
    self.seed = seed
  }
}

/// How ``generate(_:prompt:options:)`` chooses tokens.
public enum DecodingStrategy: Sendable, Equatable {
  /// The most likely next token, `argmax_v z_v` of the (repetition-penalised) logits `z`;
  /// ties go to the lowest token index.
  case greedy
  /// A random draw from the processed distribution, see ``SamplingParameters``.
  case sampling(SamplingParameters)
  /// HuggingFace beam search, see ``BeamSearchParameters``.
  case beamSearch(BeamSearchParameters)
}
