import Reinforcement

/// What one `ssm rl` step logs: a line of `metrics.jsonl`. The fields every algorithm has come
/// first; the others are absent (`nil`, not written) for an algorithm without them.
struct RLStepRecord: Codable, Equatable {
  var step: Int
  /// Mean task reward of the step's sampled completions.
  var rewardMean: Double
  /// Population standard deviation of those rewards.
  var rewardStandardDeviation: Double
  /// Mean completion length in tokens.
  var meanCompletionLength: Double
  /// The (policy) loss of the step's last update.
  var loss: Double
  /// Fraction of completion tokens the ratio clip cut in the last update.
  var clipFraction: Double
  /// Mean k3 KL to the reference over completion tokens (GRPO: the current policy's in the last
  /// update; PPO: the sampling policy's), 0 when β = 0.
  var kl: Double
  /// GRPO: fraction of prompts whose completions all scored alike.
  var zeroStandardDeviationFraction: Double?
  /// GRPO and PPO: mean entropy (nats) of the sampling policy over completion tokens.
  var entropy: Double?
  /// PPO: the clipped value loss of the last update.
  var valueLoss: Double?
  /// PPO: `1 − Var(R − V)/Var(R)` of the critic at sampling time.
  var explainedVariance: Double?
  /// PPO-ptx: the supervised loss of the last update.
  var ptxLoss: Double?
  /// Exact match of greedy completions on held-out test-split prompts, when evaluated this step.
  var heldOutExactMatch: Double?

  /// The record of a GRPO step (step number and evaluation filled in by the caller).
  init(_ metrics: GRPOStepMetrics) {
    step = 0
    rewardMean = metrics.rewardMean
    rewardStandardDeviation = metrics.rewardStandardDeviation
    meanCompletionLength = metrics.meanCompletionLength
    loss = metrics.losses.last ?? 0
    clipFraction = metrics.clipFractions.last ?? 0
    kl = metrics.meanKL.last ?? 0
    zeroStandardDeviationFraction = metrics.zeroStandardDeviationFraction
    entropy = metrics.meanEntropy
  }

  /// The record of a supervised step (`--algorithm sft`): the loss is the answers' negative
  /// log-likelihood, the reward the greedy exact match of the step's problems (a rate of 0 or 1 per
  /// problem, so its standard deviation is `√(m(1 − m))`), no clip and no KL.
  init(_ metrics: SupervisedStepMetrics) {
    step = 0
    rewardMean = metrics.exactMatch
    rewardStandardDeviation = (metrics.exactMatch * (1 - metrics.exactMatch)).squareRoot()
    meanCompletionLength = metrics.meanAnswerLength
    loss = metrics.loss
    clipFraction = 0
    kl = 0
  }

  /// The record of a PPO step (step number and evaluation filled in by the caller).
  init(_ metrics: PPOStepMetrics) {
    step = 0
    rewardMean = metrics.rewardMean
    rewardStandardDeviation = metrics.rewardStandardDeviation
    meanCompletionLength = metrics.meanCompletionLength
    loss = metrics.policyLosses.last ?? 0
    clipFraction = metrics.clipFractions.last ?? 0
    kl = metrics.meanKL
    entropy = metrics.meanEntropy
    valueLoss = metrics.valueLosses.last
    explainedVariance = metrics.explainedVariance
    ptxLoss = metrics.ptxLosses.last
  }
}
