import Autodiff
import Foundation
import Models
import Reinforcement
import SeededRandom
import Testing
import Training

/// Reward 1 when a completion starts with token 0.
struct FirstTokenZeroReward: RewardFunction {
  func reward(prompt: [Int], completion: [Int]) throws -> Double { completion.first == 0 ? 1 : 0 }
}

@Suite struct GRPOTrainerTests {
  let prompts = [[1, 2], [2, 3], [3, 1], [1, 1]]

  func makeModel() throws -> GRUModel {
    try GRUModel(GRUModel.Configuration(vocabulary: 4, width: 8, depth: 1), seed: 3)
  }

  /// The exact expected reward of the policy: the mean over prompts of π(first token = 0 | prompt),
  /// from the parallel forward (independent of sampling).
  func expectedReward(_ model: GRUModel) throws -> Double {
    var total = 0.0
    for prompt in prompts {
      let logits = try model.forward([prompt]).values.suffix(4).map(Double.init)
      let normaliser = logits.map { exp($0) }.reduce(0, +)
      total += exp(logits[0]) / normaliser
    }
    return total / Double(prompts.count)
  }

  @Test func stepsRaiseTheExpectedReward() throws {
    let model = try makeModel()
    let optimizer = AdamW(groups: ParameterGroups(learningRate: 0.03, weightDecay: 0, stateSpaceLearningRate: 0.03))
    let trainer = try GRPOTrainer(
      model: model, reward: FirstTokenZeroReward(), optimizer: optimizer,
      configuration: GRPOConfiguration(groupSize: 8, maxCompletionLength: 2))
    let before = try expectedReward(model)
    var firstLosses: [Double] = []
    for step in 0..<8 {
      let metrics = try trainer.step(prompts: prompts, seed: UInt64(100 * step))
      firstLosses.append(metrics.losses[0])
      #expect(metrics.meanCompletionLength == 2)
      #expect(metrics.clipFractions == [0])
    }
    let after = try expectedReward(model)
    // Observed on this seed: 0.26 → 0.98 in 8 steps; a margin of 0.2 fails a step that does not learn or
    // learns the wrong sign.
    #expect(after > before + 0.2, "expected reward \(before) → \(after)")
    // Ratio 1, β = 0, equal lengths, dapo weights: the first update's loss is −Σ w A = 0 (float32).
    for loss in firstLosses { #expect(abs(loss) < 1e-6) }
  }

  @Test func severalIterationsWithKLTrackTheReference() throws {
    let model = try makeModel()
    let optimizer = AdamW(groups: ParameterGroups(learningRate: 0.05, weightDecay: 0, stateSpaceLearningRate: 0.05))
    let trainer = try GRPOTrainer(
      model: model, reward: FirstTokenZeroReward(), optimizer: optimizer,
      configuration: GRPOConfiguration(
        groupSize: 4, maxCompletionLength: 3, stopTokens: [3], beta: 0.04, lossAggregation: .grpo, iterations: 3))
    _ = try trainer.step(prompts: prompts, seed: 1)
    let metrics = try trainer.step(prompts: prompts, seed: 2)
    #expect(metrics.losses.count == 3 && metrics.meanKL.count == 3)
    #expect(metrics.losses.allSatisfy { $0.isFinite })
    #expect(metrics.meanKL.allSatisfy { $0 > 0 })  // the policy has moved after the first step
    #expect(optimizer.step == 6)
    // The reference is the initial model: its log-probabilities equal those of a fresh model of the
    // same seed (bit for bit), and the live parameters come back afterwards.
    let batch = try CompletionBatch(prompts: [[1, 2], [3]], completions: [[0, 1], [2, 2, 3]])
    let live = try batch.logProbabilities(under: model)
    let reference = try trainer.reference.evaluate(on: model.parameters) { try batch.logProbabilities(under: model) }
    #expect(reference == (try batch.logProbabilities(under: makeModel())))
    #expect(try batch.logProbabilities(under: model) == live)
    #expect(live != reference)
  }

  // One-token completions: every completion of a prompt is drawn from the same distribution p = softmax(z) at
  // the prompt's last position, so the step's mean entropy is the mean over the prompts of −Σ_u p_u log p_u,
  // computed here from the logits before the step (the step's update comes after its sampling forward).
  @Test func meanEntropyIsTheSamplingDistributionsEntropy() throws {
    let model = try makeModel()
    let optimizer = AdamW(groups: ParameterGroups(learningRate: 0.03, weightDecay: 0, stateSpaceLearningRate: 0.03))
    let trainer = try GRPOTrainer(
      model: model, reward: FirstTokenZeroReward(), optimizer: optimizer,
      configuration: GRPOConfiguration(groupSize: 3, maxCompletionLength: 1))
    let twoPrompts = [[1, 2], [3]]
    let entropies = try twoPrompts.map { prompt in
      let logits = try model.forward([prompt]).values.suffix(4).map(Double.init)
      let normaliser = logits.map { exp($0) }.reduce(0, +)
      return -logits.map { exp($0) / normaliser }.reduce(0.0) { $0 + $1 * log($1) }
    }
    let metrics = try trainer.step(prompts: twoPrompts, seed: 5)
    let expected = (entropies[0] + entropies[1]) / 2
    #expect(expected > 0.5 && expected < log(4))  // an untrained 4-token policy: far from deterministic
    #expect(abs(metrics.meanEntropy - expected) < 1e-5, "\(metrics.meanEntropy) vs \(expected)")
  }

  @Test func completionBatchListsOnlyCompletionTokens() throws {
    let batch = try CompletionBatch(prompts: [[5, 6], [7]], completions: [[1], [2, 3]], paddingToken: 0)
    #expect(batch.sequences == [[5, 6, 1], [7, 2, 3]])
    // Token 1 of sequence 0 sits at position 2, predicted by row 0·3 + 1; tokens 2, 3 of sequence 1
    // at positions 1, 2, predicted by rows 1·3 + 0 and 1·3 + 1.
    #expect(batch.logitRows == [1, 3, 4] && batch.completionTokens == [1, 2, 3])
    #expect(try batch.perToken([0.5, -1]) == [0.5, -1, -1])
    #expect(throws: ReinforcementError.self) { try CompletionBatch(prompts: [[1]], completions: []) }
    #expect(throws: ReinforcementError.self) { try CompletionBatch(prompts: [[]], completions: [[1]]) }
  }

  @Test func invalidConfigurationThrows() throws {
    let model = try makeModel()
    let optimizer = AdamW(groups: ParameterGroups(learningRate: 0.01, weightDecay: 0, stateSpaceLearningRate: 0.01))
    for configuration in [
      GRPOConfiguration(groupSize: 1, maxCompletionLength: 2), GRPOConfiguration(maxCompletionLength: 0),
      GRPOConfiguration(maxCompletionLength: 2, temperature: 0), GRPOConfiguration(maxCompletionLength: 2, beta: -1),
      GRPOConfiguration(maxCompletionLength: 2, iterations: 0),
    ] {
      #expect(throws: ReinforcementError.self) {
        try GRPOTrainer(
          model: model, reward: FirstTokenZeroReward(), optimizer: optimizer, configuration: configuration)
      }
    }
  }
}

@Suite struct GRPOFamilyTests {
  /// One GRPO step on `model`: finite metrics and every parameter that the loss reaches changed.
  func stepMovesParameters<Model: SequenceModel>(_ model: Model) throws {
    let before = model.parameters.map(\.value)
    let optimizer = AdamW(groups: ParameterGroups(learningRate: 0.01, weightDecay: 0, stateSpaceLearningRate: 0.01))
    let trainer = try GRPOTrainer(
      model: model, reward: FirstTokenZeroReward(), optimizer: optimizer,
      configuration: GRPOConfiguration(groupSize: 4, maxCompletionLength: 3, beta: 0.04, iterations: 2))
    let metrics = try trainer.step(prompts: [[1, 2], [3, 0, 1]], seed: 9)
    #expect(metrics.losses.allSatisfy { $0.isFinite } && metrics.meanKL.allSatisfy { $0.isFinite })
    let changed = zip(before, model.parameters).filter { $0 != $1.value }.count
    #expect(changed > model.parameters.count / 2, "\(changed) of \(model.parameters.count) parameters changed")
  }

  @Test func s4dPolicy() throws {
    try stepMovesParameters(
      try S4Model(S4Model.Configuration(vocabulary: 4, width: 8, depth: 1, stateSize: 4), seed: 1))
  }

  @Test func transformerPolicy() throws {
    try stepMovesParameters(
      try TransformerModel(TransformerModel.Configuration(vocabulary: 4, width: 8, depth: 1, heads: 2), seed: 1))
  }
}
