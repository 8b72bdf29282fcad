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
  /// The loss of each of the `μ` updates, in order.
  public var losses: [Double]
  /// Fraction of completion tokens whose gradient the clip cut, per update (0 on the first
  /// update, whose ratios are all 1).
  public var clipFractions: [Double]
  /// Mean `k3` to the reference over completion tokens, per update (0 when `β = 0`: not computed).
  public var meanKL: [Double]
}
