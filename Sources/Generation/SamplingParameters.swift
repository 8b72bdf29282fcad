/// The warpers of ``DecodingStrategy/sampling(_:)``, applied in HuggingFace's order to the
/// repetition-penalised logits `z`: temperature, then top-k, then top-p, then a draw from
/// `softmax` of what remains.
public struct SamplingParameters: Sendable, Equatable {
  /// `T > 0`, finite: logits become `z / T` (`T < 1` sharpens, `T > 1` flattens).
  public var temperature: Double
  /// Keep only the `k ≥ 1` largest logits (`nil`: all), see ``LogitsProcessor/applyTopK(_:k:)``.
  public var topK: Int?
  /// Nucleus sampling with `p ∈ (0, 1]` (`1`: off): keep the smallest set of most likely tokens
  /// whose probability sums to at least `p`, see ``LogitsProcessor/applyTopP(_:p:)``.
  public var topP: Double

  /// Sampling parameters; by default plain sampling from the model's distribution.
  public init(temperature: Double = 1, topK: Int? = nil, topP: Double = 1) {
    self.temperature = temperature
    self.topK = topK
    self.topP = topP
  }
}
