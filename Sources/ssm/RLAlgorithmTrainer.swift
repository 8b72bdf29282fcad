import Autodiff
import Checkpoint
import Reinforcement
import Training

/// Parameters updated by one optimiser, stored in an `ssm rl` checkpoint under `prefix`: the
/// values as `PREFIXparam.NAME`, the optimiser's state as `PREFIXoptimizer.*`.
struct RLCheckpointGroup {
  let prefix: String
  let parameters: [Parameter]
  let optimizer: any Optimizer
}

/// An algorithm's trainer as the one loop of `ssm rl` drives it: a step on training problems, and
/// the state a checkpoint holds so that a resumed run repeats the uninterrupted one exactly.
protocol RLAlgorithmTrainer: AnyObject {
  /// One step on `problems` (their prompts; PPO-ptx also reads their answers) with sampling seed
  /// `seed`: the step's record, its step number and evaluation still to be filled in.
  func step(problems: [VerifiableProblem], seed: UInt64) throws -> RLStepRecord
  /// Every trained parameter with its optimiser, the policy's (prefix `""`) first.
  var checkpointGroups: [RLCheckpointGroup] { get }
  /// State besides parameters and optimisers, as checkpoint tensors.
  func extraState() throws -> [String: StoredTensor]
  /// Restores what ``extraState()`` stored.
  func restoreExtraState(from checkpoint: SafeTensors) throws
}

extension RLAlgorithmTrainer {
  /// None.
  func extraState() throws -> [String: StoredTensor] { [:] }
  /// Nothing to restore.
  func restoreExtraState(from checkpoint: SafeTensors) throws {}
}

/// `ssm rl --algorithm sft`: the record's reward is the step's greedy exact match (teacher forced).
extension SupervisedAnswerTrainer: RLAlgorithmTrainer {
  func step(problems: [VerifiableProblem], seed: UInt64) throws -> RLStepRecord {
    RLStepRecord(try step(problems: problems))
  }

  var checkpointGroups: [RLCheckpointGroup] {
    [RLCheckpointGroup(prefix: "", parameters: model.parameters, optimizer: optimizer)]
  }
}

extension GRPOTrainer: RLAlgorithmTrainer {
  func step(problems: [VerifiableProblem], seed: UInt64) throws -> RLStepRecord {
    RLStepRecord(try step(prompts: problems.map(\.prompt), seed: seed))
  }

  var checkpointGroups: [RLCheckpointGroup] {
    [RLCheckpointGroup(prefix: "", parameters: model.parameters, optimizer: optimizer)]
  }
}

extension PPOTrainer: RLAlgorithmTrainer {
  /// The checkpoint entry of the reward normaliser's `[count, mean, Σ(r − μ)²]` (F64).
  static var rewardStatisticsEntry: String { "ppo.rewardStatistics" }

  /// PPO-ptx's demonstrations are the step's problems with their answers.
  func step(problems: [VerifiableProblem], seed: UInt64) throws -> RLStepRecord {
    let demonstrations =
      configuration.ptxCoefficient > 0
      ? try CompletionBatch(prompts: problems.map(\.prompt), completions: problems.map(\.answer)) : nil
    return RLStepRecord(try step(prompts: problems.map(\.prompt), seed: seed, demonstrations: demonstrations))
  }

  var checkpointGroups: [RLCheckpointGroup] {
    [
      RLCheckpointGroup(prefix: "", parameters: model.parameters, optimizer: optimizer),
      RLCheckpointGroup(prefix: "critic.", parameters: critic.trainableParameters, optimizer: criticOptimizer),
    ]
  }

  func extraState() throws -> [String: StoredTensor] {
    guard let normalizer = rewardNormalizer else { return [:] }
    let statistics = [Double(normalizer.count), normalizer.mean, normalizer.squaredDeviations]
    return [Self.rewardStatisticsEntry: try StoredTensor(doubles: statistics, shape: [3])]
  }

  func restoreExtraState(from checkpoint: SafeTensors) throws {
    guard let normalizer = rewardNormalizer else { return }
    guard let statistics = try checkpoint.tensors[Self.rewardStatisticsEntry]?.doubles(), statistics.count == 3,
      let count = Int(exactly: statistics[0])
    else { throw TrainingError.invalidState("the checkpoint has no reward statistics (\(Self.rewardStatisticsEntry))") }
    rewardNormalizer = try RewardNormalizer(
      clip: normalizer.clip, count: count, mean: statistics[1], squaredDeviations: statistics[2])
  }
}
