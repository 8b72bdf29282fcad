/// What one ``GRPOTrainer/step(prompts:seed:)`` measured (TRL's logged metrics).
public struct GRPOStepMetrics: Sendable, Equatable {
  /// Mean reward of the sampled completions.
  public var rewardMean: Double
  /// Population standard deviation of those rewards.
  public var rewardStandardDeviation: Double
  /// Fraction of prompts whose `G` rewards were all equal (no learning signal).
  public var zeroStandardDeviationFraction: Double
  /// Mean completion length in tokens.
  public var meanCompletionLength: Double
  /// Mean entropy `−Σ_u p_u log p_u` (nats) of the sampling policy over completion tokens (of the
  /// whole batch in a data-parallel run: summed in float32 over the processes).
  public var meanEntropy: Double
  /// The loss of each of the `μ` updates, in order.
  public var losses: [Double]
  /// Fraction of completion tokens whose gradient the clip cut, per update (0 on the first
  /// update, whose ratios are all 1).
  public var clipFractions: [Double]
  /// Mean `k3` to the reference over completion tokens, per update (0 when `β = 0`: not computed).
  public var meanKL: [Double]
}
