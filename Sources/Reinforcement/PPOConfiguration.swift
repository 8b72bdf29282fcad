/// The settings of a ``PPOTrainer``, with TRL's `PPOConfig` names in parentheses where they exist.
public struct PPOConfiguration: Sendable, Equatable {
  /// Completions sampled per prompt, `≥ 1` (each is its own trajectory: PPO has no groups).
  public var samplesPerPrompt: Int
  /// The most tokens per completion, `T_max ≥ 1` (`response_length`).
  public var maxCompletionLength: Int
  /// Tokens that end a completion (kept as its last token).
  public var stopTokens: Set<Int>
  /// Sampling temperature `T > 0`; the loss's log-probabilities are those of the untempered
  /// distribution, as in ``GRPOConfiguration/temperature``.
  public var temperature: Double
  /// The policy's clipped surrogate (`cliprange`).
  public var surrogate: ClippedSurrogate
  /// The value clip `ε_V ≥ 0` of ``ClippedValueLoss`` (`cliprange_value`).
  public var valueClip: Double
  /// The value loss's coefficient `c_V ≥ 0` in `ℒ = ℒ_π + c_V ℒ_V + c_ptx ℒ_ptx` (`vf_coef`).
  public var valueCoefficient: Double
  /// KL coefficient `β ≥ 0` of the per-token reward ``KLShapedRewards`` (`kl_coef`); `0` skips the
  /// reference forward pass.
  public var beta: Double
  /// Discount `γ ∈ [0, 1]` (`gamma`).
  public var gamma: Double
  /// GAE's `λ ∈ [0, 1]` (`lam`).
  public var lambda: Double
  /// The clip `c > 0` of PPO-max's reward normalisation (``RewardNormalizer``), or `nil` to use the
  /// raw task rewards.
  public var rewardClip: Double?
  /// Whether advantages are whitened over the batch's tokens (``AdvantageWhitening``).
  public var whitenAdvantages: Bool
  /// Passes `μ ≥ 1` over each generation batch (`num_ppo_epochs`).
  public var epochs: Int
  /// Minibatches `M ≥ 1` per pass (`num_mini_batches`): the completions are shuffled and split
  /// into `M` near-equal parts, one optimiser update each.
  public var minibatches: Int
  /// Global gradient-norm clip of the policy's and of the critic's parameters, each before its
  /// update (`max_grad_norm`), or `nil` for none.
  public var maxGradientNorm: Float?
  /// PPO-ptx's coefficient `c_ptx ≥ 0` of the supervised loss on demonstrations (Ouyang et al.
  /// 2022); `0` switches it off.
  public var ptxCoefficient: Double

  /// A configuration; the defaults follow TRL's `PPOConfig` (`ε = ε_V = 0.2`, `c_V = 0.1`,
  /// `β = 0.05`, `γ = 1`, `λ = 0.95`, 4 epochs of 1 minibatch, `max_grad_norm = 1`) with PPO-max's
  /// reward normalisation (clip 5) and whitened advantages.
  public init(
    samplesPerPrompt: Int = 1, maxCompletionLength: Int, stopTokens: Set<Int> = [], temperature: Double = 1,
    surrogate: ClippedSurrogate? = nil, valueClip: Double = 0.2, valueCoefficient: Double = 0.1, beta: Double = 0.05,
    gamma: Double = 1, lambda: Double = 0.95, rewardClip: Double? = 5, whitenAdvantages: Bool = true,
    epochs: Int = 4, minibatches: Int = 1, maxGradientNorm: Float? = 1, ptxCoefficient: Double = 0
  ) {
    self.samplesPerPrompt = samplesPerPrompt
    self.maxCompletionLength = maxCompletionLength
    self.stopTokens = stopTokens
    self.temperature = temperature
    self.surrogate = surrogate ?? (try! ClippedSurrogate())
    self.valueClip = valueClip
    self.valueCoefficient = valueCoefficient
    self.beta = beta
    self.gamma = gamma
    self.lambda = lambda
    self.rewardClip = rewardClip
    self.whitenAdvantages = whitenAdvantages
    self.epochs = epochs
    self.minibatches = minibatches
    self.maxGradientNorm = maxGradientNorm
    self.ptxCoefficient = ptxCoefficient
  }

  /// Throws ``ReinforcementError/invalidParameter(_:)`` naming the first setting out of range.
  func validate() throws {
    func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
      guard condition else { throw ReinforcementError.invalidParameter(message()) }
    }
    try require(samplesPerPrompt >= 1, "samples per prompt must be ≥ 1, got \(samplesPerPrompt)")
    try require(maxCompletionLength >= 1, "max completion length must be ≥ 1, got \(maxCompletionLength)")
    try require(temperature.isFinite && temperature > 0, "temperature must be finite and > 0, got \(temperature)")
    try require(valueClip.isFinite && valueClip >= 0, "value clip must be ≥ 0, got \(valueClip)")
    try require(
      valueCoefficient.isFinite && valueCoefficient >= 0, "value coefficient must be ≥ 0, got \(valueCoefficient)")
    try require(beta.isFinite && beta >= 0, "β must be ≥ 0, got \(beta)")
    try require((0...1).contains(gamma), "γ must lie in [0, 1], got \(gamma)")
    try require((0...1).contains(lambda), "λ must lie in [0, 1], got \(lambda)")
    if let rewardClip {
      try require(rewardClip.isFinite && rewardClip > 0, "reward clip must be > 0, got \(rewardClip)")
    }
    try require(epochs >= 1, "epochs must be ≥ 1, got \(epochs)")
    try require(minibatches >= 1, "minibatches must be ≥ 1, got \(minibatches)")
    if let norm = maxGradientNorm {
      try require(norm > 0 && norm.isFinite, "max gradient norm must be > 0, got \(norm)")
    }
    try require(ptxCoefficient.isFinite && ptxCoefficient >= 0, "PTX coefficient must be ≥ 0, got \(ptxCoefficient)")
  }
}
