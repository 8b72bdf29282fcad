/// The settings of a ``GRPOTrainer``, with TRL's `GRPOConfig` names in parentheses.
public struct GRPOConfiguration: Sendable, Equatable {
  /// `G ≥ 2` completions sampled per prompt (`num_generations`).
  public var groupSize: Int
  /// The most tokens per completion, `T_max ≥ 1` (`max_completion_length`).
  public var maxCompletionLength: Int
  /// Tokens that end a completion (kept as its last token).
  public var stopTokens: Set<Int>
  /// Sampling temperature `T > 0` (`temperature`). The loss's log-probabilities (current, sampling
  /// and reference) are those of the model's untempered distribution, `log softmax(z)`; TRL uses
  /// `log softmax(z / T)`, so the two agree only at `T = 1`.
  public var temperature: Double
  /// The clipped surrogate (`epsilon`, `epsilon_high`).
  public var surrogate: ClippedSurrogate
  /// KL coefficient `β ≥ 0` (`beta`); `0` skips the reference forward pass.
  public var beta: Double
  /// Loss aggregation (`loss_type`).
  public var lossAggregation: LossAggregation
  /// Advantage scaling (`scale_rewards`).
  public var advantageScaling: AdvantageScaling
  /// Optimiser updates `μ ≥ 1` per generation batch (`num_iterations`), each on the whole batch
  /// against the same sampling log-probabilities.
  public var iterations: Int
  /// Global gradient-norm clip before each update (`max_grad_norm`), or `nil` for none.
  public var maxGradientNorm: Float?

  /// A configuration; the defaults follow TRL (`G = 8`, `ε = 0.2`, `β = 0`, `loss_type = "dapo"`,
  /// group scaling, `μ = 1`, `max_grad_norm = 1`).
  public init(
    groupSize: Int = 8, maxCompletionLength: Int, stopTokens: Set<Int> = [], temperature: Double = 1,
    surrogate: ClippedSurrogate? = nil, beta: Double = 0, lossAggregation: LossAggregation = .dapo,
    advantageScaling: AdvantageScaling = .groupStandardDeviation, iterations: Int = 1, maxGradientNorm: Float? = 1
  ) {
    self.groupSize = groupSize
    self.maxCompletionLength = maxCompletionLength
    self.stopTokens = stopTokens
    self.temperature = temperature
    self.surrogate = surrogate ?? (try! ClippedSurrogate())
    self.beta = beta
    self.lossAggregation = lossAggregation
    self.advantageScaling = advantageScaling
    self.iterations = iterations
    self.maxGradientNorm = maxGradientNorm
  }

  /// Throws ``ReinforcementError/invalidParameter(_:)`` naming the first setting out of range.
  func validate() throws {
    guard groupSize >= 2 else { throw ReinforcementError.invalidParameter("group size must be ≥ 2, got \(groupSize)") }
    guard maxCompletionLength >= 1 else {
      throw ReinforcementError.invalidParameter("max completion length must be ≥ 1, got \(maxCompletionLength)")
    }
    guard temperature.isFinite, temperature > 0 else {
      throw ReinforcementError.invalidParameter("temperature must be finite and > 0, got \(temperature)")
    }
    guard beta.isFinite, beta >= 0 else { throw ReinforcementError.invalidParameter("β must be ≥ 0, got \(beta)") }
    guard iterations >= 1 else {
      throw ReinforcementError.invalidParameter("iterations must be ≥ 1, got \(iterations)")
    }
    if let norm = maxGradientNorm, !(norm > 0 && norm.isFinite) {
      throw ReinforcementError.invalidParameter("max gradient norm must be > 0, got \(norm)")
    }
  }
}
