import Models
import Tasks

/// Everything that defines a training run; stored in every checkpoint so a run can be
/// resumed or evaluated from the checkpoint alone.
public struct RunConfiguration: Codable, Sendable, Equatable {
  /// The task, any of the suite with its parameters (`TaskConfiguration`).
  public var task: TaskConfiguration
  /// The model, of any family. Checkpoints written when only S4 models could be trained
  /// store a bare S4 configuration here; it decodes as `ModelConfiguration.s4(_:)`.
  public var model: ModelConfiguration
  /// Sequences per step.
  public var batch: Int
  /// Optimisation steps.
  public var steps: Int
  /// The optimiser; absent in checkpoints written before runs recorded it, meaning AdamW.
  public var optimizer: OptimizerConfiguration
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
  /// Steps between evaluations on 128 instances of the validation split (`nil`: none).
  public var evaluateEvery: Int?
  /// A checkpoint whose parameters a new run starts from instead of its seeded initialisation
  /// (same model shape; the optimiser, schedule and step count start afresh): a second stage
  /// with its own learning-rate schedule, or fine-tuning. `nil`: the seeded initialisation.
  public var initializedFrom: String?
  /// Medusa training: heads on the backbone of ``initializedFrom`` (required then), frozen in stage 1,
  /// trained with the heads in stage 2 (``MedusaConfiguration``); `nil`: the model itself is trained.
  public var medusa: MedusaConfiguration?

  /// A configuration; ``validate()`` checks it. An S4 model with DPLR layers and no
  /// kernel horizon gets the task's length as its horizon (see
  /// `ModelConfiguration.withKernelHorizon(_:)`): its trained `C̃` is defined at the length it
  /// trains on.
  public init(
    task: TaskConfiguration, model: ModelConfiguration, batch: Int = 16, steps: Int,
    optimizer: OptimizerConfiguration = .adamW, learningRate: Float = 3e-3, weightDecay: Float = 0.01,
    stateSpaceLearningRate: Float = 1e-3, warmupSteps: Int = 50, gradientClip: Float = 1, seed: UInt64 = 0,
    checkpointEvery: Int = 100, evaluateEvery: Int? = nil, initializedFrom: String? = nil,
    medusa: MedusaConfiguration? = nil
  ) {
    self.task = task
    self.model = model.withKernelHorizon(task.length)
    self.batch = batch
    self.steps = steps
    self.optimizer = optimizer
    self.learningRate = learningRate
    self.weightDecay = weightDecay
    self.stateSpaceLearningRate = stateSpaceLearningRate
    self.warmupSteps = warmupSteps
    self.gradientClip = gradientClip
    self.seed = seed
    self.checkpointEvery = checkpointEvery
    self.evaluateEvery = evaluateEvery
    self.initializedFrom = initializedFrom
    self.medusa = medusa
  }

  /// The task of this run, built from ``task`` (`TaskConfiguration/make()`).
  public func makeTask() throws -> any SequenceTask { try task.make() }

  /// What step `step` (0-based) of the run trains on: batch `step` of `task`'s `train` split
  /// (`task` is this configuration's ``makeTask()``) at `seed + 1`, a pure function of the step (so a
  /// resumed run reads the same batches).
  public func trainingBatch(step: Int, of task: any SequenceTask) throws -> TaskBatch {
    try TrainingLoop.batch(of: task, size: batch, step: step, seed: dataSeed)
  }

  /// The seed of the training batches, `seed + 1`.
  var dataSeed: UInt64 { seed &+ 1 }

  /// The task's metric (`TaskMetric`) of `model` on `examples` instances of `split` at `seed`
  /// (``evaluate(_:on:examples:seed:split:length:batch:)``): the `test` split (the default, for
  /// `ssm eval` and comparisons) or the `validation` split (evaluations during training); no
  /// training batch contains an instance of either.
  public func evaluate(_ model: any SequenceModel, examples: Int, seed: UInt64, split: Split = .test) throws
    -> Double
  {
    try Training.evaluate(model, on: makeTask(), examples: examples, seed: seed, split: split)
  }

  /// The configuration the run builds its model from: ``model`` with the kernel horizon of
  /// DPLR layers set to the task's length when it has none (older checkpoints, or a ``model``
  /// assigned after initialisation).
  public var resolvedModel: ModelConfiguration { model.withKernelHorizon(task.length) }

  /// The model of this run initialised from ``seed``, built from ``resolvedModel``.
  public func makeModel() throws -> any SequenceModel {
    try resolvedModel.build(seed: seed)
  }

  /// Checks every field; the model must read and write what the task has: tokens with the
  /// task's vocabulary (``tokenVocabulary(of:)``), or its input channels and output values
  /// (``featureChannels(of:)``).
  public func validate() throws {
    try checkModelShape(
      inputChannels: model.inputChannels, vocabulary: model.vocabulary, fits: makeTask(), exactVocabulary: true)
    if let transformer = model.as(TransformerModel.Configuration.self), transformer.positions == .learned,
      transformer.contextLength < task.length
    {
      throw TrainingError.invalidState(
        "learned positions cover \(transformer.contextLength) tokens, fewer than the task length \(task.length)")
    }
    guard batch >= 1, steps >= 1, checkpointEvery >= 1, warmupSteps >= 0, (evaluateEvery ?? 1) >= 1 else {
      throw TrainingError.invalidState("batch, steps, checkpoint and evaluation intervals must be ≥ 1")
    }
    try validateOptimizerSettings(
      learningRate: learningRate, stateSpaceLearningRate: stateSpaceLearningRate, gradientClip: gradientClip,
      weightDecay: weightDecay)
    try optimizer.validate()
    if let medusa {
      try medusa.validate()
      guard initializedFrom != nil else {
        throw TrainingError.invalidState(
          "Medusa training needs a backbone checkpoint to start from (--initialize-from)")
      }
      guard model.inputChannels == nil else {
        throw TrainingError.invalidState("Medusa heads predict tokens; the model reads real-valued features")
      }
    }
  }
}

extension RunConfiguration {
  /// The task fields of checkpoints written before runs stored a `TaskConfiguration`: the task's
  /// name (absent before runs named their task, meaning copying), length, the copying task's
  /// count and alphabet (stored for every task) and the text task's corpus.
  private enum LegacyTaskKeys: String, CodingKey {
    case taskName, taskLength, taskCount, taskAlphabet, taskCorpus
  }

  /// Decodes a configuration as stored in a checkpoint. Fields that older checkpoints lack take
  /// their defaults: ``optimizer`` is AdamW, ``evaluateEvery``, ``initializedFrom`` and ``medusa`` `nil`; a
  /// checkpoint without ``task`` stores its task in the legacy fields (``LegacyTaskKeys``), whose
  /// copying parameters apply to copying runs only.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    if container.contains(.task) {
      task = try container.decode(TaskConfiguration.self, forKey: .task)
    } else {
      let legacy = try decoder.container(keyedBy: LegacyTaskKeys.self)
      let name = try legacy.decodeIfPresent(TaskName.self, forKey: .taskName) ?? .copying
      let length = try legacy.decode(Int.self, forKey: .taskLength)
      switch name {
      case .copying:
        task = TaskConfiguration(
          .copying, length: length, count: try legacy.decode(Int.self, forKey: .taskCount),
          alphabet: try legacy.decode(Int.self, forKey: .taskAlphabet))
      case .text:
        task = TaskConfiguration(
          .text, length: length, corpus: try legacy.decodeIfPresent(String.self, forKey: .taskCorpus))
      default: task = TaskConfiguration(name, length: length)
      }
    }
    model = try container.decode(ModelConfiguration.self, forKey: .model)
    batch = try container.decode(Int.self, forKey: .batch)
    steps = try container.decode(Int.self, forKey: .steps)
    optimizer = try container.decodeIfPresent(OptimizerConfiguration.self, forKey: .optimizer) ?? .adamW
    learningRate = try container.decode(Float.self, forKey: .learningRate)
    weightDecay = try container.decode(Float.self, forKey: .weightDecay)
    stateSpaceLearningRate = try container.decode(Float.self, forKey: .stateSpaceLearningRate)
    warmupSteps = try container.decode(Int.self, forKey: .warmupSteps)
    gradientClip = try container.decode(Float.self, forKey: .gradientClip)
    seed = try container.decode(UInt64.self, forKey: .seed)
    checkpointEvery = try container.decode(Int.self, forKey: .checkpointEvery)
    evaluateEvery = try container.decodeIfPresent(Int.self, forKey: .evaluateEvery)
    initializedFrom = try container.decodeIfPresent(String.self, forKey: .initializedFrom)
    medusa = try container.decodeIfPresent(MedusaConfiguration.self, forKey: .medusa)
  }
}

extension RunConfiguration {
  /// This configuration with ``resolvedModel`` as its model, for comparisons that must not depend
  /// on whether the kernel horizon was recorded.
  var normalized: RunConfiguration {
    var copy = self
    copy.model = resolvedModel
    return copy
  }
}
