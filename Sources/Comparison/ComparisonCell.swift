import Models
import Tasks

/// The result of one (task, model, length) cell of a comparison.
public struct ComparisonCell: Codable, Sendable, Equatable {
  /// Which cell.
  public struct Key: Codable, Sendable, Hashable {
    /// The task.
    public var task: TaskName
    /// The model family.
    public var model: ModelFamily
    /// The sequence length.
    public var length: Int

    /// A cell key.
    public init(task: TaskName, model: ModelFamily, length: Int) {
      self.task = task
      self.model = model
      self.length = length
    }
  }

  /// The task.
  public var task: TaskName
  /// The model family.
  public var model: ModelFamily
  /// The sequence length.
  public var length: Int
  /// The task's metric: `TaskMetric/accuracy` (token tasks, higher is better) or
  /// `TaskMetric/meanSquaredError` (adding, delay, reconstruct; lower is better).
  public var metric: TaskMetric
  /// The metric on held-out test instances, or `nil` when the cell failed.
  public var value: Double?
  /// Trainable parameters.
  public var parameters: Int
  /// The relative deviation of ``parameters`` from the plan's budget, `(parameters − budget) / budget`
  /// (see ``ParameterMatch/deviation``); `nil` when the model could not be sized, and in results
  /// written before it was recorded.
  public var parameterDeviation: Double?
  /// The model's width (channels / model dimension).
  public var width: Int
  /// The configuration the model was built from (see
  /// ``ModelFamily/matched(vocabulary:parameterBudget:depth:length:inputChannels:)``);
  /// `nil` when the model could not be sized, and in results written before it was recorded.
  public var configuration: ModelConfiguration?
  /// Wall-clock seconds of training.
  public var trainSeconds: Double
  /// Steps taken (fewer than planned when the time budget ran out).
  public var steps: Int
  /// Training tokens per second.
  public var tokensPerSecond: Double
  /// The process's peak resident memory during the cell, in bytes (`nil` where unknown).
  public var peakMemoryBytes: Int?
  /// The seed of initialisation, data and dropout.
  public var seed: UInt64
  /// The batch loss of every step.
  public var losses: [Float]
  /// Why the cell failed, if it did.
  public var error: String?
  /// The metric of the same model at the plan's other evaluation lengths (length generalisation),
  /// or `nil` when the plan has none.
  public var otherLengths: [LengthScore]?
  /// The code revision the cell ran with (see ``RunEnvironment/gitRevision``).
  public var gitRevision: String
  /// The CPU it ran on.
  public var machine: String
  /// The processes that trained it data-parallel (1: one process; `nil` in results written before
  /// it was recorded). ``trainSeconds`` and ``tokensPerSecond`` are those of the whole job.
  public var processes: Int?

  /// The cell's key.
  public var key: Key { Key(task: task, model: model, length: length) }
}

/// A metric measured at one sequence length.
public struct LengthScore: Codable, Sendable, Equatable {
  /// The evaluation length.
  public var length: Int
  /// The metric there.
  public var value: Double
}

/// Per-token generation latency of one model family after a context.
public struct LatencyMeasurement: Codable, Sendable, Equatable {
  /// The model family.
  public var model: ModelFamily
  /// Tokens read before the timed steps.
  public var context: Int
  /// Median seconds per generated token (batch 1).
  public var secondsPerToken: Double
}
