/// The warpers of ``DecodingStrategy/sampling(_:)``, applied in HuggingFace's order
/// (`GenerationMixin._get_logits_processor`) to the processed logits `z`: temperature, then
/// top-k, then top-p, then min-p, then typical, then a draw from `softmax` of what remains.
/// Each truncation acts on the distribution the previous ones left.
public struct SamplingParameters: Sendable, Equatable {
  /// `T > 0`, finite: logits become `z / T` (`T < 1` sharpens, `T > 1` flattens).
  public var temperature: Double
  /// Keep only the `k ≥ 1` largest logits and any tied with the `k`-th (`nil`: all), see
  /// ``LogitsProcessor/applyTopK(_:k:)``.
  public var topK: Int?
  /// Nucleus sampling with `p ∈ (0, 1]` (`1`: off): keep the smallest set of most likely tokens
  /// whose probability sums to at least `p`, see ``LogitsProcessor/applyTopP(_:p:)``.
  public var topP: Double
  /// Min-p sampling with `p ∈ [0, 1]` (`0`: off): keep the tokens with `π_v ≥ p · max_u π_u`,
  /// see ``LogitsProcessor/applyMinP(_:p:)``.
  public var minP: Double
  /// Locally typical sampling with mass `τ ∈ (0, 1]` (`1`: off), see
  /// ``LogitsProcessor/applyTypical(_:mass:)``.
  public var typicalP: Double
  /// How many independent samples to draw, `≥ 1`; sample `i` (0-based) draws from a
  /// `SeededGenerator` seeded with ``GenerationOptions/seed`` `+ i` (wrapping), so it equals a
  /// one-sample run with that seed. Results come in sample order, not sorted by score.
  public var numReturnSequences: Int

  /// Sampling parameters; by default one plain sample from the model's distribution.
  public init(
    temperature: Double = 1, topK: Int? = nil, topP: Double = 1, minP: Double = 0, typicalP: Double = 1,
    numReturnSequences: Int = 1
  ) {
    self.temperature = temperature
    self.topK = topK
    self.topP = topP
    self.minP = minP
    self.typicalP = typicalP
    self.numReturnSequences = numReturnSequences
  }
}
