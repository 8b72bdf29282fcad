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
  /// Steps completed.
  var step = 0

  /// A loop at step 0 with a fresh dropout generator from `dropoutSeed`.
  init(
    model: any SequenceModel, task: any SequenceTask, optimizer: any Optimizer, batchSize: Int, steps: Int,
    warmupSteps: Int, gradientClip: Float, dataSeed: UInt64, dropoutSeed: UInt64
  ) {
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
  mutating func advance() throws -> Float {
    let loss = try trainingStep(
      model, optimizer: optimizer, batch: Self.batch(of: task, size: batchSize, step: step, seed: dataSeed),
      maximumGradientNorm: gradientClip, learningRateFactor: schedule.factor(at: step), step: step + 1,
      dropout: &dropout)
    step += 1
    return loss
  }
}
