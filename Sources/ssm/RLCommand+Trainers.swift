import ArgumentParser
import Foundation
import Models
import Reinforcement
import Training

extension RLCommand {
  /// The trainer of ``algorithm`` on `model` with the options (each unset option at its
  /// algorithm's default), its reference policy the checkpoint. PPO's separate critic is a second
  /// instance read from ``checkpoint``.
  func makeTrainer<Model: SequenceModel, Task: VerifiableTask>(
    _ model: Model, on verifiableTask: Task, reducer: any GradientReducer
  ) throws -> any RLAlgorithmTrainer {
    let surrogate = try ClippedSurrogate(epsilon: clip)
    let reward = ExactMatchReward(task: verifiableTask)
    switch algorithm {
    case .sft:
      return SupervisedAnswerTrainer(model: model, optimizer: Self.adamW(learningRate))
    case .grpo:
      let configuration = GRPOConfiguration(
        groupSize: groupSize, maxCompletionLength: verifiableTask.answerLength, surrogate: surrogate,
        beta: klBeta ?? 0, lossAggregation: lossType ?? .dapo, iterations: epochs ?? 1)
      return try GRPOTrainer(
        model: model, reward: reward, optimizer: Self.adamW(learningRate), configuration: configuration,
        reducer: reducer)
    case .ppo:
      let configuration = PPOConfiguration(
        samplesPerPrompt: groupSize, maxCompletionLength: verifiableTask.answerLength, surrogate: surrogate,
        valueClip: valueClip ?? 0.2, valueCoefficient: valueCoefficient ?? 0.1, beta: klBeta ?? 0.05,
        gamma: gamma ?? 1, lambda: lambda ?? 0.95, rewardClip: (rewardClip ?? 5) > 0 ? rewardClip ?? 5 : nil,
        epochs: epochs ?? 4, minibatches: minibatches ?? 1, ptxCoefficient: ptxCoefficient ?? 0)
      let valueModel: Critic<Model>
      switch critic ?? .separate {
      case .shared: valueModel = try Critic(sharing: model)
      case .separate:
        guard let copy = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint)).0 as? Model else {
          throw ValidationError("the checkpoint's model could not be read a second time for the critic")
        }
        valueModel = try Critic(copying: model, into: copy)
      }
      return try PPOTrainer(
        model: model, critic: valueModel, reward: reward, optimizer: Self.adamW(learningRate),
        criticOptimizer: Self.adamW(criticLearningRate ?? learningRate), configuration: configuration)
    }
  }

  /// AdamW at `learningRate` for every parameter (state space parameters too), no weight decay.
  static func adamW(_ learningRate: Float) -> any Optimizer {
    OptimizerConfiguration.adamW.makeOptimizer(
      groups: ParameterGroups(learningRate: learningRate, weightDecay: 0, stateSpaceLearningRate: learningRate))
  }
}
