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
  /// The model, of any family. Checkpoints written when only S4 models could be trained
  /// store a bare S4 configuration here; it decodes as `ModelConfiguration.s4(_:)`.
  public var model: ModelConfiguration
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

  /// A configuration; ``validate()`` checks it. An S4 model with DPLR layers and no
  /// recurrent horizon gets `taskLength` as its horizon (see
  /// `ModelConfiguration.withRecurrentHorizon(_:)`), so that generating from the trained
  /// model step by step reproduces the convolution it was trained with.
  public init(
    taskCount: Int = 10, taskAlphabet: Int = 8, taskLength: Int, model: ModelConfiguration, batch: Int = 16,
    steps: Int, learningRate: Float = 3e-3, weightDecay: Float = 0.01, stateSpaceLearningRate: Float = 1e-3,
    warmupSteps: Int = 50, gradientClip: Float = 1, seed: UInt64 = 0, checkpointEvery: Int = 100,
    evaluateEvery: Int? = nil
  ) {
    self.taskCount = taskCount
    self.taskAlphabet = taskAlphabet
    self.taskLength = taskLength
    self.model = model.withRecurrentHorizon(taskLength)
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

  /// A configuration for an S4 model (the only family before `ModelConfiguration`).
  public init(
    taskCount: Int = 10, taskAlphabet: Int = 8, taskLength: Int, model: S4Model.Configuration, batch: Int = 16,
    steps: Int, learningRate: Float = 3e-3, weightDecay: Float = 0.01, stateSpaceLearningRate: Float = 1e-3,
    warmupSteps: Int = 50, gradientClip: Float = 1, seed: UInt64 = 0, checkpointEvery: Int = 100,
    evaluateEvery: Int? = nil
  ) {
    self.init(
      taskCount: taskCount, taskAlphabet: taskAlphabet, taskLength: taskLength, model: .s4(model), batch: batch,
      steps: steps, learningRate: learningRate, weightDecay: weightDecay,
      stateSpaceLearningRate: stateSpaceLearningRate, warmupSteps: warmupSteps, gradientClip: gradientClip, seed: seed,
      checkpointEvery: checkpointEvery, evaluateEvery: evaluateEvery)
  }

  /// The configuration the run builds its model from: ``model`` with the recurrent horizon of
  /// DPLR layers set to ``taskLength`` when it has none (older checkpoints, or a ``model``
  /// assigned after initialisation). The horizon only affects the recurrent mode.
  public var resolvedModel: ModelConfiguration { model.withRecurrentHorizon(taskLength) }

  /// The model of this run initialised from ``seed``, built from ``resolvedModel``.
  public func makeModel() throws -> any SequenceModel {
    try resolvedModel.build(seed: seed)
  }

  /// Checks every field; the task's vocabulary must equal the model's.
  public func validate() throws {
    let task = try task()
    guard model.vocabulary == task.vocabulary else {
      throw TrainingError.invalidState("model vocabulary \(model.vocabulary) ≠ task vocabulary \(task.vocabulary)")
    }
    if case .transformer(let transformer) = model, transformer.positions == .learned,
      transformer.contextLength < taskLength
    {
      throw TrainingError.invalidState(
        "learned positions cover \(transformer.contextLength) tokens, fewer than the task length \(taskLength)")
    }
    guard batch >= 1, steps >= 1, checkpointEvery >= 1, warmupSteps >= 0, (evaluateEvery ?? 1) >= 1 else {
      throw TrainingError.invalidState("batch, steps, checkpoint and evaluation intervals must be ≥ 1")
    }
    try validateOptimizerSettings(
      learningRate: learningRate, stateSpaceLearningRate: stateSpaceLearningRate, gradientClip: gradientClip,
      weightDecay: weightDecay)
  }
}

extension RunConfiguration {
  /// This configuration with ``resolvedModel`` as its model, for comparisons that must not
  /// depend on whether the recurrent horizon was recorded.
  var normalized: RunConfiguration {
    var copy = self
    copy.model = resolvedModel
    return copy
  }
}
