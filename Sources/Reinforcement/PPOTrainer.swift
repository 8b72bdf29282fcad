import Autodiff
import Generation
import Models
import SeededRandom
import Training

/// Proximal policy optimisation for language policies (Schulman et al. 2017; Ziegler et al. 2019;
/// Ouyang et al. 2022) with the stabilisers of PPO-max (Zheng et al. 2023), on any token
/// ``SequenceModel`` against a ``RewardFunction``.
///
/// One ``step(prompts:seed:demonstrations:)``:
/// 1. samples `S` completions of every prompt from the current policy (completion `i` of prompt
///    `j` with seed `seed + j·S + i`), scores them (`R_b`) and, with a reward clip, normalises the
///    scores by the running statistics of every reward seen (``RewardNormalizer``);
/// 2. records, for every completion token `k` (one forward pass each, no gradients): the sampling
///    policy's log-probability `ℓ_old,k` and entropy, the reference's `ℓ_ref,k` when `β > 0` (the
///    reference = the policy at construction, a ``ParameterSnapshot``), and the critic's value
///    `V_old,k` (``Critic``);
/// 3. turns each completion into per-token rewards `r_t = −β(ℓ_old,t − ℓ_ref,t) + 𝟙[t = T−1] R̂_b`
///    (``KLShapedRewards``), advantages and returns by ``GeneralizedAdvantageEstimation`` (γ, λ,
///    `V_T = 0`: the completion ends), and whitens the advantages over the batch's tokens
///    (``AdvantageWhitening``);
/// 4. makes `μ` passes over the completions, each shuffled (seeded by `seed`) into `M`
///    minibatches, one update per minibatch minimising
///
///        ℒ = Σ_k w_k [−J(ℓ_k − ℓ_old,k; A_k)] + c_V Σ_k w_k ℓ_V(V_k; V_old,k, R_k) + c_ptx ℒ_ptx,
///
///    with `w_k = 1/K_m` over the minibatch's `K_m` tokens, `J` the ``ClippedSurrogate``
///    (``Tape/grpoLoss(logProbabilities:samplingLogProbabilities:referenceLogProbabilities:advantages:weights:surrogate:beta:)``
///    with `β = 0`: PPO's KL lives in the reward), `ℓ_V` the ``ClippedValueLoss``
///    (``Tape/clippedValueLoss(_:oldValues:returns:weights:epsilon:)``) and `ℒ_ptx` the mean
///    negative log-likelihood of the demonstrations' answers (PPO-ptx); the policy's and the
///    critic's gradients are each clipped to the global norm, then each optimiser steps.
///
/// Forward passes run without dropout, so the first update's ratios are exactly 1. One process:
/// PPO has no data-parallel mode here (``GRPOTrainer`` has).
public final class PPOTrainer<Model: SequenceModel> {
  /// The policy being optimised (its parameters change in place).
  public let model: Model
  /// The value model.
  public let critic: Critic<Model>
  /// The reward of a completion.
  public let reward: any RewardFunction
  /// The optimiser of the policy's parameters.
  public let optimizer: any Optimizer
  /// The optimiser of ``Critic/trainableParameters``.
  public let criticOptimizer: any Optimizer
  /// The settings.
  public let configuration: PPOConfiguration
  /// The reference policy's parameters: the model's at construction.
  public let reference: ParameterSnapshot
  /// The running reward statistics (`nil` without a reward clip); part of the state a resumed
  /// run restores.
  public var rewardNormalizer: RewardNormalizer?

  /// A trainer of `model` judged by `critic` (sharing `model`'s trunk or holding a copy); the
  /// reference policy is a copy of the model's current parameters.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for an invalid configuration, a feature
  ///   model, or a critic whose trunk is neither `model` (shared) nor disjoint from it (separate).
  public init(
    model: Model, critic: Critic<Model>, reward: any RewardFunction, optimizer: any Optimizer,
    criticOptimizer: any Optimizer, configuration: PPOConfiguration
  ) throws {
    try configuration.validate()
    guard model.inputChannels == nil else {
      throw ReinforcementError.invalidParameter("PPO needs a token model, not one reading real-valued features")
    }
    let (policy, trunk) = (model.parameters, critic.trunk.parameters)
    let consistent =
      switch critic.kind {
      case .shared: policy.count == trunk.count && zip(policy, trunk).allSatisfy { $0 === $1 }
      case .separate: !trunk.contains { parameter in policy.contains { $0 === parameter } }
      }
    guard consistent else {
      throw ReinforcementError.invalidParameter(
        "a \(critic.kind.rawValue) critic must \(critic.kind == .shared ? "be built on" : "hold a copy of") the policy")
    }
    self.model = model
    self.critic = critic
    self.reward = reward
    self.optimizer = optimizer
    self.criticOptimizer = criticOptimizer
    self.configuration = configuration
    self.reference = ParameterSnapshot(policy)
    self.rewardNormalizer = try configuration.rewardClip.map { try RewardNormalizer(clip: $0) }
  }

  /// Samples, scores and optimises on `prompts`; `demonstrations` (prompts with their reference
  /// answers as completions) feed the PPO-ptx term and are required when `c_ptx > 0`.
  /// - Throws: ``ReinforcementError`` for no prompts, fewer completions than minibatches, missing
  ///   demonstrations or a non-finite reward; generation, model and optimiser errors pass through
  ///   (a non-finite gradient leaves the parameters unchanged).
  public func step(prompts: [[Int]], seed: UInt64, demonstrations: CompletionBatch? = nil) throws -> PPOStepMetrics {
    let c = configuration
    guard !prompts.isEmpty else { throw ReinforcementError.invalidParameter("a PPO step needs at least one prompt") }
    guard prompts.count * c.samplesPerPrompt >= c.minibatches else {
      throw ReinforcementError.invalidParameter(
        "\(prompts.count * c.samplesPerPrompt) completions cannot fill \(c.minibatches) minibatches")
    }
    if c.ptxCoefficient > 0, demonstrations == nil {
      throw ReinforcementError.invalidParameter("PPO-ptx (c_ptx = \(c.ptxCoefficient)) needs demonstrations")
    }
    var sequencePrompts: [[Int]] = []
    var completions: [[Int]] = []
    var rewards: [Double] = []
    for (j, prompt) in prompts.enumerated() {
      let options = GenerationOptions(
        maxNewTokens: c.maxCompletionLength, stopTokens: c.stopTokens,
        strategy: .sampling(SamplingParameters(temperature: c.temperature, numReturnSequences: c.samplesPerPrompt)),
        seed: seed &+ UInt64(j * c.samplesPerPrompt))
      for result in try generate(model, prompt: prompt, options: options) {
        sequencePrompts.append(prompt)
        completions.append(result.tokens)
        rewards.append(try reward.reward(prompt: prompt, completion: result.tokens))
      }
    }
    try requireFinite(rewards, "reward")
    let rollout = try Rollout(
      prompts: sequencePrompts, completions: completions,
      rewards: try rewardNormalizer?.normalize(rewards) ?? rewards, trainer: self)
    let batch = rollout.batch

    var metrics = PPOStepMetrics(
      rewardMean: mean(rewards), rewardStandardDeviation: populationStandardDeviation(rewards),
      meanCompletionLength: mean(batch.completionLengths.map(Double.init)), meanKL: rollout.meanKL,
      meanEntropy: mean(rollout.entropies), explainedVariance: rollout.explainedVariance)
    var shuffler = SeededGenerator(seed: seed ^ 0x5050_4F5F_5348_5546)
    for _ in 0..<c.epochs {
      let order = shuffled(Array(batch.completionLengths.indices), using: &shuffler)
      for part in 0..<c.minibatches {
        let members = Array(order[(part * order.count / c.minibatches)..<((part + 1) * order.count / c.minibatches)])
        try update(on: rollout.minibatch(members), demonstrations: demonstrations, metrics: &metrics)
      }
    }
    return metrics
  }

  /// One optimiser update of the policy and the critic on a minibatch, appending its losses and
  /// clip fraction to `metrics`.
  private func update(on minibatch: Rollout, demonstrations: CompletionBatch?, metrics: inout PPOStepMetrics) throws {
    let c = configuration
    let batch = minibatch.batch
    let (policyParameters, criticParameters) = (model.parameters, critic.trainableParameters)
    for parameter in policyParameters + criticParameters { parameter.zeroGradient() }
    let weights = [Double](repeating: 1 / Double(batch.completionTokens.count), count: batch.completionTokens.count)
    let tape = Tape()
    var unused = SeededGenerator(seed: 0)
    let logits = try model.logits(batch.sequences, on: tape, training: false, generator: &unused)
    let logProbabilities = try tape.tokenLogProbabilities(logits, rows: batch.logitRows, tokens: batch.completionTokens)
    let policyLoss = try tape.grpoLoss(
      logProbabilities: logProbabilities, samplingLogProbabilities: minibatch.samplingLogProbabilities,
      referenceLogProbabilities: nil, advantages: minibatch.advantages, weights: weights, surrogate: c.surrogate,
      beta: 0)
    let values = try critic.values(batch.sequences, rows: batch.logitRows, on: tape)
    let valueLoss = try tape.clippedValueLoss(
      values, oldValues: minibatch.oldValues, returns: minibatch.returns, weights: weights, epsilon: c.valueClip)
    var loss = try tape.add(policyLoss, tape.scale(valueLoss, by: Float(c.valueCoefficient)))
    if c.ptxCoefficient > 0, let demonstrations {
      let demonstrationLogits = try model.logits(
        demonstrations.sequences, on: tape, training: false, generator: &unused)
      let likelihoods = try tape.tokenLogProbabilities(
        demonstrationLogits, rows: demonstrations.logitRows, tokens: demonstrations.completionTokens)
      let ptxLoss = tape.scale(tape.mean(likelihoods), by: -1)
      loss = try tape.add(loss, tape.scale(ptxLoss, by: Float(c.ptxCoefficient)))
      metrics.ptxLosses.append(Double(tape.value(ptxLoss).scalar))
    }
    try tape.backward(loss)
    let current = tape.value(logProbabilities).values.map(Double.init)
    let clipped = current.indices.filter {
      c.surrogate.isClipped(
        logRatio: current[$0] - minibatch.samplingLogProbabilities[$0], advantage: minibatch.advantages[$0])
    }
    metrics.policyLosses.append(Double(tape.value(policyLoss).scalar))
    metrics.valueLosses.append(Double(tape.value(valueLoss).scalar))
    metrics.clipFractions.append(Double(clipped.count) / Double(current.count))
    if let norm = c.maxGradientNorm {
      _ = clipGradients(policyParameters, maximumNorm: norm)
      _ = clipGradients(criticParameters, maximumNorm: norm)
    }
    try optimizer.update(policyParameters, learningRateFactor: 1)
    try criticOptimizer.update(criticParameters, learningRateFactor: 1)
  }

  /// What a step records at sampling time, per completion token in the order of
  /// ``CompletionBatch/logitRows``.
  struct Rollout {
    let prompts: [[Int]]
    let completions: [[Int]]
    let batch: CompletionBatch
    let samplingLogProbabilities: [Double]
    let entropies: [Double]
    let oldValues: [Double]
    let advantages: [Double]
    let returns: [Double]
    let meanKL: Double
    let explainedVariance: Double

    /// The rollout of `prompts[b] + completions[b]`, whose completions scored `rewards[b]`
    /// (normalised when configured).
    init(prompts: [[Int]], completions: [[Int]], rewards: [Double], trainer: PPOTrainer) throws {
      let c = trainer.configuration
      let batch = try CompletionBatch(prompts: prompts, completions: completions)
      (self.prompts, self.completions, self.batch) = (prompts, completions, batch)
      let model = trainer.model
      let (sampling, entropies) = try batch.tokenStatistics(under: model)
      (samplingLogProbabilities, self.entropies) = (sampling, entropies)
      let reference =
        c.beta > 0
        ? try trainer.reference.evaluate(on: model.parameters) { try batch.logProbabilities(under: model) } : nil
      let tape = Tape(recordsGradients: false)
      let values = tape.value(try trainer.critic.values(batch.sequences, rows: batch.logitRows, on: tape))
      let oldValues = values.values.map(Double.init)
      self.oldValues = oldValues
      var advantages: [Double] = []
      var returns: [Double] = []
      var start = 0
      for (b, length) in batch.completionLengths.enumerated() {
        let tokens = start..<(start + length)
        let shaped = try KLShapedRewards.rewards(
          logProbabilities: Array(sampling[tokens]), referenceLogProbabilities: Array((reference ?? sampling)[tokens]),
          reward: rewards[b],
          beta: c.beta)
        let estimate = try GeneralizedAdvantageEstimation(
          rewards: shaped, values: Array(oldValues[tokens]), gamma: c.gamma, lambda: c.lambda)
        advantages += estimate.advantages
        returns += estimate.returns
        start += length
      }
      self.advantages =
        c.whitenAdvantages && advantages.count >= 2 ? try AdvantageWhitening.whiten(advantages) : advantages
      self.returns = returns
      meanKL =
        reference.map { reference in
          mean(
            zip(sampling, reference).map {
              K3Divergence.evaluate(logProbability: $0, referenceLogProbability: $1).value
            })
        } ?? 0
      let returnsVariance = populationVariance(returns)
      let residualVariance = populationVariance(zip(returns, oldValues).map { $0 - $1 })
      explainedVariance = returnsVariance > 0 ? 1 - residualVariance / returnsVariance : 0
    }

    private init(subsetOf rollout: Rollout, members: [Int], batch: CompletionBatch, tokens: [Int]) {
      prompts = members.map { rollout.prompts[$0] }
      completions = members.map { rollout.completions[$0] }
      self.batch = batch
      samplingLogProbabilities = tokens.map { rollout.samplingLogProbabilities[$0] }
      entropies = tokens.map { rollout.entropies[$0] }
      oldValues = tokens.map { rollout.oldValues[$0] }
      advantages = tokens.map { rollout.advantages[$0] }
      returns = tokens.map { rollout.returns[$0] }
      meanKL = rollout.meanKL
      explainedVariance = rollout.explainedVariance
    }

    /// The rollout of completions `members` (indices into the batch), in that order.
    func minibatch(_ members: [Int]) throws -> Rollout {
      var starts = [0]
      for length in batch.completionLengths { starts.append(starts[starts.count - 1] + length) }
      let sub = try CompletionBatch(
        prompts: members.map { prompts[$0] }, completions: members.map { completions[$0] })
      return Rollout(
        subsetOf: self, members: members, batch: sub, tokens: members.flatMap { Array(starts[$0]..<starts[$0 + 1]) })
    }
  }
}

/// The population variance of `values` (0 for none).
func populationVariance(_ values: [Double]) -> Double {
  let center = mean(values)
  return mean(values.map { ($0 - center) * ($0 - center) })
}

/// `values` in a seeded Fisher–Yates order (`next() mod (i + 1)` for `i = n−1 … 1`), the same on
/// every platform.
func shuffled<Element>(_ values: [Element], using generator: inout SeededGenerator) -> [Element] {
  var result = values
  for i in stride(from: result.count - 1, to: 0, by: -1) {
    result.swapAt(i, Int(generator.next() % UInt64(i + 1)))
  }
  return result
}
