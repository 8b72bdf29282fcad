import Constraints

/// Everything that controls one call of ``generate(_:prompt:options:)``.
///
/// The options apply in HuggingFace `transformers`' order: first the *processors* of every
/// strategy, ``repetitionPenalty`` → ``noRepeatNgramSize`` → ``minNewTokens``; then the
/// strategy's own processing: for ``DecodingStrategy/sampling(_:)`` the *warpers* temperature →
/// top-k → top-p → min-p → typical, then a draw; nothing more for greedy decoding and beam search.
/// Greedy decoding and sampling process logits; beam search processes log-probabilities (see
/// ``BeamSearchParameters/processorInput``).
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
  /// `n ≥ 0` (`0`: off): no `n`-gram occurs twice in prompt + generated tokens; a token that
  /// would complete an `n`-gram already present is removed.
  /// See ``LogitsProcessor/applyNoRepeatNgram(_:history:size:)``.
  public var noRepeatNgramSize: Int
  /// `m ≥ 0` (`0`: off): the stop tokens are removed while fewer than `m` tokens have been
  /// generated, so no sequence stops before its `m`-th new token (HuggingFace's
  /// `min_new_tokens`). `m > maxNewTokens` is allowed: no stop token is ever emitted.
  public var minNewTokens: Int
  /// A constraint on the generated text
  /// (``LogitsProcessor/applyConstraint(_:index:state:remainingTokens:)``), `nil` for none: only
  /// tokens that keep the output a prefix of a string of the constrained language that can still
  /// end within ``maxNewTokens`` are allowed, and stop tokens only once it is a complete string.
  /// Its `TokenIndex/stopTokens` must equal ``stopTokens`` and its vocabulary the model's. With
  /// `maxNewTokens ≥ TokenIndex.distanceToEnd[start]` every sequence ends with a complete string
  /// and a stop token (unless ``minNewTokens`` or ``noRepeatNgramSize`` remove the only way to
  /// end); with fewer it can be cut off in the middle of a string.
  public var constraint: TokenIndex?
  /// How the next token is chosen.
  public var strategy: DecodingStrategy
  /// The seed of the `SeededGenerator` that sampling draws from: the same
  /// model, prompt and options give the same output (sample `i` of
  /// ``SamplingParameters/numReturnSequences`` draws from seed `seed + i`).
  /// Unused by greedy decoding and beam search.
  public var seed: UInt64

  /// Options with the given fields; by default greedy decoding with no stop tokens and no
  /// processor.
  public init(
    maxNewTokens: Int, stopTokens: Set<Int> = [], repetitionPenalty: Double = 1, noRepeatNgramSize: Int = 0,
    minNewTokens: Int = 0, constraint: TokenIndex? = nil, strategy: DecodingStrategy = .greedy, seed: UInt64 = 0
  ) {
    self.maxNewTokens = maxNewTokens
    self.stopTokens = stopTokens
    self.repetitionPenalty = repetitionPenalty
    self.noRepeatNgramSize = noRepeatNgramSize
    self.minNewTokens = minNewTokens
    self.constraint = constraint
    self.strategy = strategy
    self.seed = seed
  }
}

/// How ``generate(_:prompt:options:)`` chooses tokens.
public enum DecodingStrategy: Sendable, Equatable {
  /// The most likely next token, `argmax_v z_v` of the processed logits `z`; ties go to the
  /// lowest token index.
  case greedy
  /// Random draws from the processed and warped distribution, see ``SamplingParameters``.
  case sampling(SamplingParameters)
  /// HuggingFace beam search, see ``BeamSearchParameters``.
  case beamSearch(BeamSearchParameters)
}
