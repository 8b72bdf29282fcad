import Autodiff
import Models
import SeededRandom
import Tasks

/// The step loop of every training: ``TrainingRun`` and ``train(_:on:settings:progress:)`` advance
/// one. Step `s` (from 0) trains on ``batch(of:size:step:seed:)`` `s` at `dataSeed`, at the
/// learning-rate factor `f(s)` of a linear warm-up over `warmupSteps` then a cosine decay to 10 %
/// at `steps` (``LearningRateSchedule/warmupCosine(warmupSteps:totalSteps:minimumFactor:)``),
/// clipping the gradients to global norm `gradientClip`, with dropout masks drawn from one
/// generator, and lets the optimiser apply the update: a run is a pure function of these, so a
/// loop restored to a step, its optimiser state and its dropout generator continues exactly.
///
/// With a `reducer` of `K > 1` processes (data-parallel training), each process trains on its
/// ``DataParallelShard`` of the step's batch and the gradients are summed over the processes
/// before clipping, so every process takes the single-process step. Dropout masks then come from a
/// generator of the step and rank (``shardDropoutSeed(step:rank:)``), not from ``dropout``.
struct TrainingLoop {
  /// The model; its parameters are updated in place.
  let model: any SequenceModel
  /// The task whose `train` split is read.
  let task: any SequenceTask
  /// The optimiser applying the updates.
  let optimizer: any Optimizer
  /// Sequences per step.
  let batchSize: Int
  /// The seed of the training batches.
  let dataSeed: UInt64
  /// The clipping bound of the global gradient norm.
  let gradientClip: Float
  /// The learning-rate factor by step.
  let schedule: LearningRateSchedule
  /// Draws the dropout masks.
  var dropout: SeededGenerator
  /// Sums gradients over the processes of a data-parallel run.
  let reducer: any GradientReducer
  /// Steps completed.
  var step = 0
  /// Medusa training: the heads' objective on `model`, or `nil` to train `model` alone.
  let medusa: MedusaObjective?
  /// With ``medusa``: whether the model trains with the heads (Medusa-2) or stays frozen (Medusa-1).
  let medusaJoint: Bool

  /// What the optimiser updates: the Medusa heads' parameters (Medusa-1), the model's and the
  /// heads' (Medusa-2), or else the model's.
  var trainedParameters: [Parameter] {
    guard let medusa else { return model.parameters }
    return (medusaJoint ? model.parameters : []) + medusa.heads.parameters
  }

  /// A loop at step 0 with a fresh dropout generator from `dropoutSeed`, in one process or as
  /// process `reducer.rank` of a data-parallel run; with `medusa`, it trains the heads alone on
  /// the frozen `model`, or with `medusaJoint` the heads and the model together.
  init(
    model: any SequenceModel, task: any SequenceTask, optimizer: any Optimizer, batchSize: Int, steps: Int,
    warmupSteps: Int, gradientClip: Float, dataSeed: UInt64, dropoutSeed: UInt64,
    reducer: any GradientReducer = SingleProcessReducer(), medusa: MedusaObjective? = nil, medusaJoint: Bool = false
  ) {
    self.medusa = medusa
    self.medusaJoint = medusaJoint
    self.reducer = reducer
    self.model = model
    self.task = task
    self.optimizer = optimizer
    self.batchSize = batchSize
    self.dataSeed = dataSeed
    self.gradientClip = gradientClip
    schedule = .warmupCosine(warmupSteps: warmupSteps, totalSteps: steps, minimumFactor: 0.1)
    dropout = SeededGenerator(seed: dropoutSeed)
  }

  /// What step `step` (from 0) trains on: batch `step` of `task`'s `train` split at `seed`, of
  /// `size` sequences.
  static func batch(of task: any SequenceTask, size: Int, step: Int, seed: UInt64) throws -> TaskBatch {
    try task.batch(size, split: .train, index: step, seed: seed)
  }

  /// Takes step ``step`` + 1 and returns its batch loss (before the update).
  /// - Throws: ``TrainingError/nonFiniteLoss(step:detail:)`` before any parameter changes; the
  ///   task's errors.
  /// - Throws: ``TrainingError/nonFiniteLoss(step:detail:)`` before any parameter changes; the
  ///   task's errors; the reducer's errors.
  mutating func advance() throws -> Float {
    let global = try Self.batch(of: task, size: batchSize, step: step, seed: dataSeed)
    let parallel = reducer.processCount > 1
    let shard =
      try parallel ? DataParallelShard(of: global, rank: reducer.rank, processCount: reducer.processCount) : nil
    var masks = parallel ? SeededGenerator(seed: shardDropoutSeed(step: step, rank: reducer.rank)) : dropout
    let shardSum = shard.map { ShardGradientSum(reducer: reducer, weight: $0.weight) }
    let loss: Float
    if let medusa, medusaJoint {
      loss = try medusaJointTrainingStep(
        model, objective: medusa, optimizer: optimizer, batch: shard?.batch ?? global,
        maximumGradientNorm: gradientClip, learningRateFactor: schedule.factor(at: step), step: step + 1,
        dropout: &masks, shardSum: shardSum)
    } else if let medusa {
      loss = try medusaTrainingStep(
        model, objective: medusa, optimizer: optimizer, batch: shard?.batch ?? global,
        maximumGradientNorm: gradientClip,
        learningRateFactor: schedule.factor(at: step), step: step + 1, shardSum: shardSum)
    } else {
      loss = try trainingStep(
        model, optimizer: optimizer, batch: shard?.batch ?? global, maximumGradientNorm: gradientClip,
        learningRateFactor: schedule.factor(at: step), step: step + 1, dropout: &masks, shardSum: shardSum)
    }
    if !parallel { dropout = masks }
    step += 1
    return loss
  }

  /// The seed of process `rank`'s dropout masks at `step` of a data-parallel run: a mix of the
  /// dropout generator's state (which such a run leaves unchanged, so a resumed run draws the same
  /// masks), the step and the rank, distinct for every step and rank. The masks differ from the
  /// single-process run's, so runs with dropout match it in distribution only.
  func shardDropoutSeed(step: Int, rank: Int) -> UInt64 {
    dropout.state.0 ^ (UInt64(step) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(rank + 1) &* 0xBF58_476D_1CE4_E5B9)
  }
}
