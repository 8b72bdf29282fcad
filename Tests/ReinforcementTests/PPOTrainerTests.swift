import Autodiff
import Foundation
import Models
import Reinforcement
import SeededRandom
import Testing
import Training

/// Reward 0 whatever the completion.
struct ConstantZeroReward: RewardFunction {
  func reward(prompt: [Int], completion: [Int]) throws -> Double { 0 }
}

@Suite struct PPOTrainerTests {
  let prompts = [[1, 2], [2, 3], [3, 1], [1, 1]]

  func makeModel(seed: UInt64 = 3) throws -> GRUModel {
    try GRUModel(GRUModel.Configuration(vocabulary: 4, width: 8, depth: 1), seed: seed)
  }

  func adamW(_ rate: Float) -> AdamW {
    AdamW(groups: ParameterGroups(learningRate: rate, weightDecay: 0, stateSpaceLearningRate: rate))
  }

  /// π(first token = 0), averaged over the prompts, from the parallel forward.
  func expectedReward(_ model: GRUModel) throws -> Double {
    var total = 0.0
    for prompt in prompts {
      let logits = try model.forward([prompt]).values.suffix(4).map(Double.init)
      total += exp(logits[0]) / logits.map { exp($0) }.reduce(0, +)
    }
    return total / Double(prompts.count)
  }

  /// With a constant reward 0, no KL (β = 0), raw rewards, no whitening and the zero value head:
  /// every per-token reward, value, advantage and return is exactly 0 and the ratios start at 1,
  /// so each update's policy loss is 0 with a zero gradient, the value loss is 0, and AdamW moves
  /// nothing (m = 0): the parameters of the policy (here sharing its trunk with the critic) and of
  /// the head are bit-identical after a step of 2 epochs × 2 minibatches.
  @Test func ratioOneAndAdvantageZeroChangeNothing() throws {
    let model = try makeModel()
    let critic = try Critic(sharing: model)
    let before = (model.parameters + critic.head.parameters).map(\.value)
    let trainer = try PPOTrainer(
      model: model, critic: critic, reward: ConstantZeroReward(), optimizer: adamW(0.05),
      criticOptimizer: adamW(0.05),
      configuration: PPOConfiguration(
        samplesPerPrompt: 2, maxCompletionLength: 2, beta: 0, rewardClip: nil, whitenAdvantages: false, epochs: 2,
        minibatches: 2))
    let metrics = try trainer.step(prompts: prompts, seed: 5)
    #expect(metrics.policyLosses == [0, 0, 0, 0] && metrics.valueLosses == [0, 0, 0, 0])
    #expect(metrics.clipFractions == [0, 0, 0, 0])
    #expect((model.parameters + critic.head.parameters).map(\.value) == before)
  }

  /// The same setting with a reward that varies moves the parameters: the test above can fail.
  @Test func aVaryingRewardMovesTheSameSetting() throws {
    let model = try makeModel()
    let critic = try Critic(sharing: model)
    let before = model.parameters.map(\.value)
    let trainer = try PPOTrainer(
      model: model, critic: critic, reward: FirstTokenZeroReward(), optimizer: adamW(0.05),
      criticOptimizer: adamW(0.05),
      configuration: PPOConfiguration(
        samplesPerPrompt: 2, maxCompletionLength: 2, beta: 0, rewardClip: nil, whitenAdvantages: false, epochs: 2,
        minibatches: 2))
    _ = try trainer.step(prompts: prompts, seed: 5)
    #expect(model.parameters.map(\.value) != before)
  }

  @Test func stepsRaiseTheExpectedReward() throws {
    let model = try makeModel()
    let critic = try Critic(copying: model, into: try makeModel(seed: 99))
    let trainer = try PPOTrainer(
      model: model, critic: critic, reward: FirstTokenZeroReward(), optimizer: adamW(0.03),
      criticOptimizer: adamW(0.03), configuration: PPOConfiguration(samplesPerPrompt: 8, maxCompletionLength: 2))
    let before = try expectedReward(model)
    var metrics: [PPOStepMetrics] = []
    for step in 0..<8 { metrics.append(try trainer.step(prompts: prompts, seed: UInt64(100 * step))) }
    let after = try expectedReward(model)
    // A margin of 0.2 fails a trainer that does not learn or learns the wrong sign (GRPO's test
    // on this model and reward rises by ≈ 0.7 in 8 steps).
    #expect(after > before + 0.2, "expected reward \(before) → \(after)")
    for step in metrics {
      #expect(step.policyLosses.count == 4 && step.valueLosses.count == 4 && step.ptxLosses.isEmpty)
      // The first update of every step samples from the current policy: ratio 1, nothing clipped.
      #expect(step.clipFractions[0] == 0)
      #expect(step.meanKL >= 0 && step.meanEntropy > 0 && step.meanEntropy <= log(4) + 1e-9)
      #expect(step.explainedVariance <= 1)
    }
    // The reward normaliser has seen every completion: 8 steps × 4 prompts × 8 samples.
    #expect(trainer.rewardNormalizer?.count == 256)
    // The critic's trunk is its own: it learned (its parameters left the policy's start) and the
    // policy's reference is still the initial policy.
    #expect(critic.trunk.parameters.map(\.value) != (try makeModel()).parameters.map(\.value))
  }

  /// PPO-ptx adds the supervised loss of the demonstrations: its value is the mean negative
  /// log-likelihood of their tokens under the policy before the update (exact: the first update
  /// reads the unchanged policy; float32 logits, tolerance 1e-5).
  @Test func ptxLossIsTheDemonstrationsNegativeLogLikelihood() throws {
    let model = try makeModel()
    let demonstrations = try CompletionBatch(prompts: [[1, 2], [3]], completions: [[0, 1], [2]])
    let expected = -(try demonstrations.logProbabilities(under: model)).reduce(0, +) / 3
    let trainer = try PPOTrainer(
      model: model, critic: try Critic(sharing: model), reward: FirstTokenZeroReward(), optimizer: adamW(0.01),
      criticOptimizer: adamW(0.01),
      configuration: PPOConfiguration(maxCompletionLength: 2, epochs: 1, ptxCoefficient: 0.5))
    let metrics = try trainer.step(prompts: prompts, seed: 1, demonstrations: demonstrations)
    #expect(metrics.ptxLosses.count == 1)
    #expect(abs(metrics.ptxLosses[0] - expected) <= 1e-5)
    #expect(throws: ReinforcementError.self) { try trainer.step(prompts: prompts, seed: 2) }
  }

  @Test func familiesTrainWithSeparateCritics() throws {
    // One step on an S4D and a transformer policy, each with a separate critic: finite losses and
    // the policy and the critic's trunk both moved.
    func check<Model: SequenceModel>(_ make: () throws -> Model) throws {
      let model = try make()
      let critic = try Critic(copying: model, into: try make())
      let (policyBefore, trunkBefore) = (model.parameters.map(\.value), critic.trunk.parameters.map(\.value))
      let trainer = try PPOTrainer(
        model: model, critic: critic, reward: FirstTokenZeroReward(), optimizer: adamW(0.01),
        criticOptimizer: adamW(0.01), configuration: PPOConfiguration(samplesPerPrompt: 4, maxCompletionLength: 3))
      let metrics = try trainer.step(prompts: [[1, 2], [3, 0, 1]], seed: 9)
      #expect((metrics.policyLosses + metrics.valueLosses).allSatisfy { $0.isFinite })
      #expect(model.parameters.map(\.value) != policyBefore)
      #expect(critic.trunk.parameters.map(\.value) != trunkBefore)
    }
    try check { try S4Model(S4Model.Configuration(vocabulary: 4, width: 8, depth: 1, stateSize: 4), seed: 1) }
    try check {
      try TransformerModel(TransformerModel.Configuration(vocabulary: 4, width: 8, depth: 1, heads: 2), seed: 1)
    }
  }

  @Test func invalidSettingsThrow() throws {
    let model = try makeModel()
    let critic = try Critic(sharing: model)
    for configuration in [
      PPOConfiguration(samplesPerPrompt: 0, maxCompletionLength: 2), PPOConfiguration(maxCompletionLength: 0),
      PPOConfiguration(maxCompletionLength: 2, valueClip: -1), PPOConfiguration(maxCompletionLength: 2, gamma: 1.5),
      PPOConfiguration(maxCompletionLength: 2, lambda: -0.1), PPOConfiguration(maxCompletionLength: 2, rewardClip: 0),
      PPOConfiguration(maxCompletionLength: 2, epochs: 0), PPOConfiguration(maxCompletionLength: 2, minibatches: 0),
      PPOConfiguration(maxCompletionLength: 2, ptxCoefficient: -1),
    ] {
      #expect(throws: ReinforcementError.self) {
        try PPOTrainer(
          model: model, critic: critic, reward: FirstTokenZeroReward(), optimizer: adamW(0.01),
          criticOptimizer: adamW(0.01), configuration: configuration)
      }
    }
    // A "separate" critic built on the policy's own parameters, and a copy of another shape.
    #expect(throws: ReinforcementError.self) { try Critic(copying: model, into: model) }
    #expect(throws: ReinforcementError.self) {
      try Critic(copying: model, into: try GRUModel(GRUModel.Configuration(vocabulary: 4, width: 6, depth: 1), seed: 1))
    }
    // More minibatches than completions.
    let trainer = try PPOTrainer(
      model: model, critic: critic, reward: FirstTokenZeroReward(), optimizer: adamW(0.01),
      criticOptimizer: adamW(0.01), configuration: PPOConfiguration(maxCompletionLength: 2, minibatches: 5))
    #expect(throws: ReinforcementError.self) { try trainer.step(prompts: prompts, seed: 1) }
  }
}
