import Models
import Tasks

/// Everything that defines a training run; stored in every checkpoint so a run can be
/// resumed or evaluated from the checkpoint alone.
public struct RunConfiguration: Codable, Sendable, Equatable {
  /// The copying task's data tokens.
  public var taskCount: Int
  /// The copying task's distinct data symbols.
  public var taskAlphabet: Int
  /// The copying task's total length (`delay = length − 2·count`).
  public var taskLength: Int
  /// The S4D model.
  public var model: S4Model.Configuration
  /// Sequences per step.
  public var batch: Int
  /// Optimisation steps.
  public var steps: Int
  /// Peak learning rate of the standard parameters.
  public var learningRate: Float
  /// Weight decay of the standard parameters.
  public var weightDecay: Float
  /// Learning rate of the state space parameters (no weight decay).
  public var stateSpaceLearningRate: Float
  /// Linear warm-up steps before the cosine decay (to 10 % at the end).
  public var warmupSteps: Int
  /// Maximum global gradient norm.
  public var gradientClip: Float
  /// Seed of the initialisation; data and dropout streams derive from it.
  public var seed: UInt64
  /// Steps between checkpoints (and one at the end).
  public var checkpointEvery: Int
  /// Steps between evaluations on 128 fresh instances (`nil`: none).
  public var evaluateEvery: Int?

  /// A configuration; ``validate()`` checks it.
  public init(
    taskCount: Int = 10, taskAlphabet: Int = 8, taskLength: Int, model: S4Model.Configuration, batch: Int = 16,
    steps: Int, learningRate: Float = 3e-3, weightDecay: Float = 0.01, stateSpaceLearningRate: Float = 1e-3,
    warmupSteps: Int = 50, gradientClip: Float = 1, seed: UInt64 = 0, checkpointEvery: Int = 100,
    evaluateEvery: Int? = nil
  ) {
    self.taskCount = taskCount
    self.taskAlphabet = taskAlphabet
    self.taskLength = taskLength
    self.model = model
    self.batch = batch
    self.steps = steps
    self.learningRate = learningRate
    self.weightDecay = weightDecay
    self.stateSpaceLearningRate = stateSpaceLearningRate
    self.warmupSteps = warmupSteps
    self.gradientClip = gradientClip
    self.seed = seed
    self.checkpointEvery = checkpointEvery
    self.evaluateEvery = evaluateEvery
  }

  /// The copying task of this run.
  public func task() throws -> CopyingTask {
    try CopyingTask(count: taskCount, delay: taskLength - 2 * taskCount, alphabet: taskAlphabet)
  }

  /// Checks every field; the task's vocabulary must equal the model's.
  public func validate() throws {
    let task = try task()
    guard model.vocabulary == task.vocabulary else {
      throw TrainingError.invalidState("model vocabulary \(model.vocabulary) ≠ task vocabulary \(task.vocabulary)")
    }
    guard batch >= 1, steps >= 1, checkpointEvery >= 1, warmupSteps >= 0, (evaluateEvery ?? 1) >= 1 else {
      throw TrainingError.invalidState("batch, steps, checkpoint and evaluation intervals must be ≥ 1")
    }
    for (name, value) in [
      ("learning rate", learningRate), ("state space learning rate", stateSpaceLearningRate),
      ("gradient clip", gradientClip),
    ] where !(value > 0 && value.isFinite) {
      throw TrainingError.invalidState("\(name) must be positive and finite, got \(value)")
    }
    guard weightDecay >= 0, weightDecay.isFinite else {
      throw TrainingError.invalidState("weight decay must be ≥ 0, got \(weightDecay)")
    }
  }
}
