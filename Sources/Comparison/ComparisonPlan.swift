import Models
import Tasks
import Training

/// What `ssm compare` runs: every (task, model, length) cell trained with the same settings
/// and step/time budget, with models sized to one parameter budget, evaluated on the task's
/// held-out test split.
public struct ComparisonPlan: Codable, Sendable, Equatable {
  /// Tasks: token tasks (scored by accuracy) and tasks with real-valued inputs and outputs
  /// (adding, delay, reconstruct: feature models, scored by mean squared error).
  public var tasks: [TaskName]
  /// Model families.
  public var models: [ModelFamily]
  /// Sequence lengths, each run for every task and model.
  public var lengths: [Int]
  /// Residual blocks of every model.
  public var depth: Int
  /// Parameters each model is sized to, within ``ModelFamily/parameterTolerance`` (see
  /// ``ModelFamily/matched(vocabulary:parameterBudget:depth:length:inputChannels:)``).
  public var parameterBudget: Int
  /// Optimisation, identical for every cell.
  public var training: TaskTrainingSettings
  /// Test instances per evaluation.
  public var evaluationExamples: Int
  /// Contexts of the per-token generation latency measurement.
  public var latencyContexts: [Int]
  /// Further lengths every cell's model is also evaluated at (length generalisation: trained at
  /// the cell's length, tested at these), or `nil` for none.
  public var evaluationLengths: [Int]?

  /// A plan; ``validate()`` checks it.
  public init(
    tasks: [TaskName], models: [ModelFamily], lengths: [Int], depth: Int = 2, parameterBudget: Int,
    training: TaskTrainingSettings, evaluationExamples: Int = 256, latencyContexts: [Int] = [256, 1024, 4096],
    evaluationLengths: [Int]? = nil
  ) {
    self.evaluationLengths = evaluationLengths
    self.tasks = tasks
    self.models = models
    self.lengths = lengths
    self.depth = depth
    self.parameterBudget = parameterBudget
    self.training = training
    self.evaluationExamples = evaluationExamples
    self.latencyContexts = latencyContexts
  }

  /// The cells in run order: task, then length, then model.
  public var cells: [ComparisonCell.Key] {
    tasks.flatMap { task in
      lengths.sorted().flatMap { length in
        models.map { ComparisonCell.Key(task: task, model: $0, length: length) }
      }
    }
  }

  /// Checks the plan: non-empty lists without repeats, tasks a model can be shaped for
  /// (``ModelFamily/shape(for:)``), lengths each task admits,
  /// positive sizes and valid training settings.
  public func validate() throws {
    guard !tasks.isEmpty, !models.isEmpty, !lengths.isEmpty else {
      throw ComparisonError.invalidPlan("give at least one task, model and length")
    }
    guard Set(tasks).count == tasks.count, Set(models).count == models.count, Set(lengths).count == lengths.count
    else { throw ComparisonError.invalidPlan("tasks, models and lengths must not repeat") }
    guard depth >= 1, parameterBudget >= 1, evaluationExamples >= 1 else {
      throw ComparisonError.invalidPlan("depth, parameter budget and evaluation examples must be ≥ 1")
    }
    guard latencyContexts.allSatisfy({ $0 >= 1 }) else {
      throw ComparisonError.invalidPlan("latency contexts must be ≥ 1")
    }
    try training.validate()
    for task in tasks {
      for length in lengths + (evaluationLengths ?? []) where length < task.minimumLength {
        throw ComparisonError.invalidPlan(
          "length \(length) is too small for \(task.rawValue) (minimum \(task.minimumLength))")
      }
      _ = try ModelFamily.shape(for: task.make(length: max(lengths.max()!, task.minimumLength)))
    }
  }
}
