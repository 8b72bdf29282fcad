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
/// 3. records the sampling policy's log-probabilities `ℓ_old` of every completion token (and, when
///    `β > 0`, the reference's `ℓ_ref`, with the reference = the parameters at construction,
///    a ``ParameterSnapshot``);
/// 4. makes `μ` optimiser updates, each minimising ``Tape/grpoLoss(logProbabilities:samplingLogProbabilities:referenceLogProbabilities:advantages:weights:surrogate:beta:)``
///    over the whole batch, with ``LossAggregation`` weights and an optional global gradient clip.
///
/// Forward passes run without dropout (TRL's `disable_dropout`), so the first update's ratios
/// are exactly 1.
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

  /// A trainer of `model`; the reference policy is a copy of its current parameters.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for an invalid configuration or a
  ///   feature model.
  public init(model: Model, reward: any RewardFunction, optimizer: any Optimizer, configuration: GRPOConfiguration)
    throws
  {
    try configuration.validate()
    guard model.inputChannels == nil else {
      throw ReinforcementError.invalidParameter("GRPO needs a token model, not one reading real-valued features")
    }
    self.model = model
    self.reward = reward
    self.optimizer = optimizer
    self.configuration = configuration
    self.reference = ParameterSnapshot(model.parameters)
  }

  /// Samples, scores and optimises on `prompts` (one group of `G` completions each); completion
  /// `i` of prompt `j` is sampled with seed `seed + j·G + i`.
  /// - Throws: ``ReinforcementError`` for no prompts or a non-finite reward; generation, model and
  ///   optimiser errors pass through (a non-finite gradient leaves the parameters unchanged).
  public func step(prompts: [[Int]], seed: UInt64) throws -> GRPOStepMetrics {
    guard !prompts.isEmpty else { throw ReinforcementError.invalidParameter("a GRPO step needs at least one prompt") }
    let c = configuration
    var groupPrompts: [[Int]] = []
    var completions: [[Int]] = []
    var rewards: [Double] = []
    for (j, prompt) in prompts.enumerated() {
      let options = GenerationOptions(
        maxNewTokens: c.maxCompletionLength, stopTokens: c.stopTokens,
        strategy: .sampling(SamplingParameters(temperature: c.temperature, numReturnSequences: c.groupSize)),
        seed: seed &+ UInt64(j * c.groupSize))
      for result in try generate(model, prompt: prompt, options: options) {
        groupPrompts.append(prompt)
        completions.append(result.tokens)
        rewards.append(try reward.reward(prompt: prompt, completion: result.tokens))
      }
    }
    let advantages = try GroupAdvantages(rewards: rewards, groupSize: c.groupSize, scaling: c.advantageScaling)
    let batch = try CompletionBatch(prompts: groupPrompts, completions: completions)
    let sampling = try batch.logProbabilities(under: model)
    let parameters = model.parameters
    let referenceLogProbabilities =
      c.beta > 0 ? try reference.evaluate(on: parameters) { try batch.logProbabilities(under: model) } : nil
    let tokenAdvantages = try batch.perToken(advantages.values)
    let tokenWeights = try batch.perToken(
      c.lossAggregation.weights(completionLengths: batch.completionLengths, maxCompletionLength: c.maxCompletionLength))

    var metrics = GRPOStepMetrics(
      rewardMean: mean(rewards), rewardStandardDeviation: populationStandardDeviation(rewards),
      zeroStandardDeviationFraction: advantages.zeroStandardDeviationFraction,
      meanCompletionLength: mean(batch.completionLengths.map(Double.init)), losses: [], clipFractions: [], meanKL: [])
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
      metrics.losses.append(Double(tape.value(loss).scalar))
      metrics.clipFractions.append(
        mean(
          current.indices.map {
            c.surrogate.isClipped(logRatio: current[$0] - sampling[$0], advantage: tokenAdvantages[$0]) ? 1 : 0
          }))
      metrics.meanKL.append(
        referenceLogProbabilities.map { reference in
          mean(
            current.indices.map {
              K3Divergence.evaluate(logProbability: current[$0], referenceLogProbability: reference[$0]).value
            })
        } ?? 0)
      if let norm = c.maxGradientNorm { _ = clipGradients(parameters, maximumNorm: norm) }
      try optimizer.update(parameters, learningRateFactor: 1)
    }
    return metrics
  }
}

/// The mean of `values` (0 for none).
func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

/// The population standard deviation of `values` (0 for none).
func populationStandardDeviation(_ values: [Double]) -> Double {
  let center = mean(values)
  return mean(values.map { ($0 - center) * ($0 - center) }).squareRoot()
}
