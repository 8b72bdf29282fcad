/// What one ``PPOTrainer/step(prompts:seed:demonstrations:)`` measured (TRL's PPO statistics).
public struct PPOStepMetrics: Sendable, Equatable {
  /// Mean task reward of the sampled completions (before normalisation).
  public var rewardMean: Double
  /// Population standard deviation of those rewards.
  public var rewardStandardDeviation: Double
  /// Mean completion length in tokens.
  public var meanCompletionLength: Double
  /// Mean `k3(ℓ_old, ℓ_ref)` over completion tokens at sampling time (``K3Divergence``; 0 when
  /// `β = 0`: not computed).
  public var meanKL: Double
  /// Mean entropy `−Σ_u p_u log p_u` (nats) of the sampling policy over completion tokens.
  public var meanEntropy: Double
  /// `1 − Var(R − V_old) / Var(R)` over completion tokens: how much of the returns' variance the
  /// critic explained at sampling time (1 perfect, ≤ 0 no better than a constant; 0 when the
  /// returns do not vary).
  public var explainedVariance: Double
  /// The policy loss `ℒ_π` of each of the `μ·M` updates, in order.
  public var policyLosses: [Double]
  /// The value loss `ℒ_V` of each update.
  public var valueLosses: [Double]
  /// The PPO-ptx loss `−mean log π(demonstration)` of each update (empty when `c_ptx = 0`).
  public var ptxLosses: [Double]
  /// Fraction of the update's completion tokens whose policy gradient the clip cut.
  public var clipFractions: [Double]

  /// The measurements, every per-update list empty.
  public init(
    rewardMean: Double, rewardStandardDeviation: Double, meanCompletionLength: Double, meanKL: Double,
    meanEntropy: Double, explainedVariance: Double
  ) {
    self.rewardMean = rewardMean
    self.rewardStandardDeviation = rewardStandardDeviation
    self.meanCompletionLength = meanCompletionLength
    self.meanKL = meanKL
    self.meanEntropy = meanEntropy
    self.explainedVariance = explainedVariance
    policyLosses = []
    valueLosses = []
    ptxLosses = []
    clipFractions = []
  }
}
