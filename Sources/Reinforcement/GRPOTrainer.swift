import Autodiff
import Generation
import Models
import SeededRandom
import Training

/// Group relative policy optimisation (Shao et al. 2024, DeepSeekMath §4.1) of any token
/// ``SequenceModel`` against a ``RewardFunction``.
///
/// One ``step(prompts:seed:)``:
/// 1. samples `G` completions of every prompt from the current policy (`Generation.generate`,
///    sampling at the configured temperature, at most `T_max` tokens);
/// 2. scores them and computes ``GroupAdvantages`` per prompt;
/// 3. records the sampling policy's log-probabilities `ℓ_old` and entropies of every completion
///    token (``CompletionBatch/tokenStatistics(under:)``, the forward PPO's rollout uses; and, when
///    `β > 0`, the reference's `ℓ_ref`, with the reference = the parameters at construction,
///    a ``ParameterSnapshot``);
/// 4. makes `μ` optimiser updates, each minimising ``Tape/grpoLoss(logProbabilities:samplingLogProbabilities:referenceLogProbabilities:advantages:weights:surrogate:beta:)``
///    over the whole batch, with ``LossAggregation`` weights and an optional global gradient clip.
///
/// Forward passes run without dropout (TRL's `disable_dropout`), so the first update's ratios
/// are exactly 1.
///
/// Data-parallel (a ``reducer`` of `K > 1` processes, each with its own trainer on the same
/// parameters): process `r` samples, scores and back-propagates prompts `r·P/K ..< (r+1)·P/K` of
/// the `P` global prompts (`K` must divide `P`), each sampled with its global seed, so the
/// completions are those of one process. The loss is linear in the per-token terms,
/// `ℒ = Σ_r Σ_{k ∈ r} w_k ℓ_k`, with the ``LossAggregation`` weights `w_k` of the whole generation
/// batch (from all processes' completion lengths), so the gradients `∇ℒ_r` of each process's part
/// sum (``ShardGradientSum``, weight 1, in rank order) to the single-process gradient up to
/// float32 summation order; clipping and the update then run identically everywhere.
public final class GRPOTrainer<Model: SequenceModel> {
  /// The policy being optimised (its parameters change in place).
  public let model: Model
  /// The reward of a completion.
  public let reward: any RewardFunction
  /// The optimiser applied to ``model``'s parameters.
  public let optimizer: any Optimizer
  /// The settings.
  public let configuration: GRPOConfiguration
  /// The reference policy's parameters: the model's at construction.
  public let reference: ParameterSnapshot
  /// Sums gradients and statistics over the processes of a data-parallel run.
  public let reducer: any GradientReducer

  /// A trainer of `model`, alone or as process `reducer.rank` of a data-parallel run; the
  /// reference policy is a copy of its current parameters.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for an invalid configuration or a
  ///   feature model.
  public init(
    model: Model, reward: any RewardFunction, optimizer: any Optimizer, configuration: GRPOConfiguration,
    reducer: any GradientReducer = SingleProcessReducer()
  ) throws {
    try configuration.validate()
    guard model.inputChannels == nil else {
      throw ReinforcementError.invalidParameter("GRPO needs a token model, not one reading real-valued features")
    }
    self.model = model
    self.reward = reward
    self.optimizer = optimizer
    self.configuration = configuration
    self.reference = ParameterSnapshot(model.parameters)
    self.reducer = reducer
  }

  /// Samples, scores and optimises on `prompts` (one group of `G` completions each); completion
  /// `i` of prompt `j` is sampled with seed `seed + j·G + i`. In a data-parallel run every process
  /// passes the same global `prompts` and `seed` and works on its share; the metrics are those of
  /// the whole batch on every process.
  /// - Throws: ``ReinforcementError`` for no prompts, a prompt count the processes do not divide
  ///   or a non-finite reward; generation, model, optimiser and reducer errors pass through (a
  ///   non-finite gradient leaves the parameters unchanged).
  public func step(prompts: [[Int]], seed: UInt64) throws -> GRPOStepMetrics {
    let c = configuration
    let share = try promptShare(of: prompts.count)
    var groupPrompts: [[Int]] = []
    var completions: [[Int]] = []
    var rewards: [Double] = []
    for j in share {
      let options = GenerationOptions(
        maxNewTokens: c.maxCompletionLength, stopTokens: c.stopTokens,
        strategy: .sampling(SamplingParameters(temperature: c.temperature, numReturnSequences: c.groupSize)),
        seed: seed &+ UInt64(j * c.groupSize))
      for result in try generate(model, prompt: prompts[j], options: options) {
        groupPrompts.append(prompts[j])
        completions.append(result.tokens)
        rewards.append(try reward.reward(prompt: prompts[j], completion: result.tokens))
      }
    }
    let advantages = try GroupAdvantages(rewards: rewards, groupSize: c.groupSize, scaling: c.advantageScaling)
    let batch = try CompletionBatch(prompts: groupPrompts, completions: completions)
    let (sampling, entropies) = try batch.tokenStatistics(under: model)
    let parameters = model.parameters
    let referenceLogProbabilities =
      c.beta > 0 ? try reference.evaluate(on: parameters) { try batch.logProbabilities(under: model) } : nil
    let tokenAdvantages = try batch.perToken(advantages.values)
    // Every completion's length and reward, in global order: the aggregation weights and the
    // metrics are those of the whole generation batch.
    let local = batch.completionLengths.count
    let gathered = try reducer.allGather(batch.completionLengths.map(Double.init) + rewards)
    let processes = 0..<reducer.processCount
    let allLengths = processes.flatMap { gathered[(2 * local * $0)..<(2 * local * $0 + local)].map { Int($0) } }
    let allRewards = processes.flatMap { gathered[(2 * local * $0 + local)..<(2 * local * ($0 + 1))] }
    let totalTokens = Double(max(allLengths.reduce(0, +), 1))
    let entropyTotal = try reducer.sum([entropies.reduce(0, +)])[0]
    let weights = try c.lossAggregation.weights(
      completionLengths: allLengths, maxCompletionLength: c.maxCompletionLength)
    let tokenWeights = try batch.perToken(Array(weights[(share.lowerBound * c.groupSize)...].prefix(local)))

    var metrics = GRPOStepMetrics(
      rewardMean: mean(allRewards), rewardStandardDeviation: populationStandardDeviation(allRewards),
      zeroStandardDeviationFraction: try GroupAdvantages(
        rewards: allRewards, groupSize: c.groupSize, scaling: c.advantageScaling
      ).zeroStandardDeviationFraction,
      meanCompletionLength: mean(allLengths.map(Double.init)), meanEntropy: entropyTotal / totalTokens, losses: [],
      clipFractions: [], meanKL: [])
    let gradientSum = reducer.processCount > 1 ? ShardGradientSum(reducer: reducer, weight: 1) : nil
    var unused = SeededGenerator(seed: 0)
    for _ in 0..<c.iterations {
      for parameter in parameters { parameter.zeroGradient() }
      let tape = Tape()
      let logits = try model.logits(batch.sequences, on: tape, training: false, generator: &unused)
      let logProbabilities = try tape.tokenLogProbabilities(
        logits, rows: batch.logitRows, tokens: batch.completionTokens)
      let loss = try tape.grpoLoss(
        logProbabilities: logProbabilities, samplingLogProbabilities: sampling,
        referenceLogProbabilities: referenceLogProbabilities, advantages: tokenAdvantages, weights: tokenWeights,
        surrogate: c.surrogate, beta: c.beta)
      try tape.backward(loss)
      let current = tape.value(logProbabilities).values.map(Double.init)
      let clipped = current.indices.reduce(0.0) {
        $0 + (c.surrogate.isClipped(logRatio: current[$1] - sampling[$1], advantage: tokenAdvantages[$1]) ? 1 : 0)
      }
      let divergence =
        referenceLogProbabilities.map { reference in
          current.indices.reduce(0.0) {
            $0 + K3Divergence.evaluate(logProbability: current[$1], referenceLogProbability: reference[$1]).value
          }
        } ?? 0
      // (loss, clipped tokens, Σ k3) of this process, summed over the processes with the gradients.
      var totals = [Double(tape.value(loss).scalar), clipped, divergence]
      if let gradientSum {
        totals = try gradientSum.apply(to: parameters, scalars: totals.map(Float.init)).map(Double.init)
      }
      metrics.losses.append(totals[0])
      metrics.clipFractions.append(totals[1] / totalTokens)
      metrics.meanKL.append(totals[2] / totalTokens)
      if let norm = c.maxGradientNorm { _ = clipGradients(parameters, maximumNorm: norm) }
      try optimizer.update(parameters, learningRateFactor: 1)
    }
    return metrics
  }

  /// The prompts `r·P/K ..< (r+1)·P/K` of `P = count` that process `r` of `K` works on.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for no prompts or a count `K` does not
  ///   divide.
  func promptShare(of count: Int) throws -> Range<Int> {
    guard count >= 1 else { throw ReinforcementError.invalidParameter("a GRPO step needs at least one prompt") }
    let processes = reducer.processCount
    guard count % processes == 0 else {
      throw ReinforcementError.invalidParameter(
        "\(count) prompts do not divide among \(processes) processes; choose a multiple of \(processes)")
    }
    let size = count / processes
    return (reducer.rank * size)..<((reducer.rank + 1) * size)
  }
}

/// The mean of `values` (0 for none).
func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

/// The population standard deviation of `values` (0 for none).
func populationStandardDeviation(_ values: [Double]) -> Double {
  let center = mean(values)
  return mean(values.map { ($0 - center) * ($0 - center) }).squareRoot()
}
