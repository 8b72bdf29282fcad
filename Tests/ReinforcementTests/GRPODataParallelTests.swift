import Models
import Reinforcement
import TestSupport
import Testing
import Training
import TrainingTestSupport

@Suite struct GRPODataParallelTests {
  static let prompts = [[1, 2], [2, 3], [3, 1], [1, 1]]
  static let steps = 4

  /// The parameters after ``steps`` GRPO steps of a fresh model (seed 3), alone or as one process
  /// of a data-parallel run, with the metrics of every step.
  static func fineTune(lossAggregation: LossAggregation, reducer: any GradientReducer) throws
    -> (parameters: [[Float]], metrics: [GRPOStepMetrics])
  {
    let model = try GRUModel(GRUModel.Configuration(vocabulary: 4, width: 8, depth: 1), seed: 3)
    let optimizer = AdamW(groups: ParameterGroups(learningRate: 0.01, weightDecay: 0, stateSpaceLearningRate: 0.01))
    // Stop token 3: completions of 1…3 tokens, so the grpo (per-sequence) and dapo (per-token)
    // weights both depend on the whole batch's lengths; β > 0 and two iterations exercise the KL
    // and clip statistics.
    let trainer = try GRPOTrainer(
      model: model, reward: FirstTokenZeroReward(), optimizer: optimizer,
      configuration: GRPOConfiguration(
        groupSize: 4, maxCompletionLength: 3, stopTokens: [3], beta: 0.04, lossAggregation: lossAggregation,
        iterations: 2),
      reducer: reducer)
    let metrics = try (0..<steps).map { try trainer.step(prompts: prompts, seed: UInt64(100 * $0)) }
    return (model.parameters.map(\.value.values), metrics)
  }

  // K simulated processes (threads with a lockstep reducer), each sampling its K-th of the
  // prompts, take the single-process steps: the same completions (their rewards and lengths are
  // equal exactly: sampling is seeded per global prompt, not per process), bitwise equal
  // parameters on every process, and the single-process parameters up to float32 summation order:
  // max|Δθ| over all parameters ≤ 1e-5 · max|θ| (a wrongly weighted part, e.g. normalised by one
  // process's tokens or sequences, is off by a factor K). The scale is the model's, not each
  // tensor's: a zero-initialised bias has max|θ| ≈ lr · steps, and Adam's sign-like steps turn the
  // float32 rounding of a gradient component that nearly cancels into a visible share of that
  // (measured per tensor: up to 1.7e-5 for K = 4, dapo; ≤ 1e-5 in the other cases). The losses
  // agree to 1e-5 relative (or 1e-6 absolute near the first iteration's 0).
  @Test(arguments: [2, 4], [LossAggregation.grpo, .dapo])
  func processesTakeTheSingleProcessSteps(processCount: Int, lossAggregation: LossAggregation) throws {
    let single = try Self.fineTune(lossAggregation: lossAggregation, reducer: SingleProcessReducer())
    let parallel = try runInLockstep(processCount: processCount) { _, reducer in
      try Self.fineTune(lossAggregation: lossAggregation, reducer: reducer)
    }
    for rank in 1..<processCount { #expect(parallel[rank].parameters == parallel[0].parameters, "rank \(rank)") }
    let difference = relativeError(
      parallel[0].parameters.flatMap { $0 }, single.parameters.flatMap { $0 }.map(Double.init))
    #expect(difference <= 1e-5)
    for (one, many) in zip(single.metrics, parallel[0].metrics) {
      #expect(one.rewardMean == many.rewardMean)
      #expect(one.meanCompletionLength == many.meanCompletionLength)
      #expect(one.zeroStandardDeviationFraction == many.zeroStandardDeviationFraction)
      #expect(one.clipFractions == many.clipFractions)
      for (a, b) in zip(one.losses + one.meanKL + [one.meanEntropy], many.losses + many.meanKL + [many.meanEntropy]) {
        #expect(abs(a - b) <= 1e-6 + 1e-5 * abs(a), "\(a) vs \(b)")
      }
    }
    // The comparison means something only if the steps moved the parameters far beyond the bound.
    let initial = try GRUModel(GRUModel.Configuration(vocabulary: 4, width: 8, depth: 1), seed: 3).parameters
    let moved = zip(initial, single.parameters).map { relativeError($0.value.values, $1.map(Double.init)) }.max() ?? 0
    #expect(moved > 1e-2, "the steps moved the parameters by only \(moved)")
  }

  // A prompt count the processes do not divide is refused by name before anything is sampled.
  @Test func indivisiblePromptsAreRefused() throws {
    #expect(
      throws: ReinforcementError.invalidParameter(
        "3 prompts do not divide among 2 processes; choose a multiple of 2")
    ) {
      _ = try runInLockstep(processCount: 2) { _, reducer in
        let model = try GRUModel(GRUModel.Configuration(vocabulary: 4, width: 8, depth: 1), seed: 3)
        let trainer = try GRPOTrainer(
          model: model, reward: FirstTokenZeroReward(),
          optimizer: AdamW(groups: ParameterGroups(learningRate: 0.01, weightDecay: 0, stateSpaceLearningRate: 0.01)),
          configuration: GRPOConfiguration(groupSize: 2, maxCompletionLength: 1), reducer: reducer)
        return try trainer.step(prompts: [[1], [2], [3]], seed: 0)
      }
    }
  }
}
