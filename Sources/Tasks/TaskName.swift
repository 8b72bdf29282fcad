/// The tasks of the long-context suite, by name (the raw value is the command-line spelling).
///
/// ``make(length:)`` builds a task with the suite's default parameters, so a sweep over lengths
/// is one loop:
///
/// ```swift
/// for length in [256, 1024, 4096] {
///   let task = try TaskName.associativeRecall.make(length: length)
///   …
/// }
/// ```
public enum TaskName: String, CaseIterable, Sendable, Codable {
  /// ``CopyingTask``.
  case copying
  /// ``SelectiveCopyingTask``.
  case selectiveCopying = "selective-copying"
  /// ``AddingTask``.
  case adding
  /// ``DelayTask``.
  case delay
  /// ``ReconstructTask``.
  case reconstruct
  /// ``AssociativeRecallTask``.
  case associativeRecall = "associative-recall"
  /// ``InductionHeadsTask``.
  case inductionHeads = "induction-heads"
  /// ``ListOpsTask``.
  case listOps = "list-ops"
  /// ``TextTask`` on the default corpus (``TextCorpus/defaultPath``).
  case text

  /// The task at `length` with default parameters:
  ///
  /// | task | defaults | minimum length |
  /// |---|---|---|
  /// | copying | 10 data tokens over 8 symbols, delay `length − 20` | 20 |
  /// | selective copying | 16 data tokens over 16 symbols | 32 |
  /// | adding | — | 2 |
  /// | delay | lag `length / 4`, cutoff 1/16 cycle per step | 16 |
  /// | reconstruct | window `length / 4`, cutoff 1/16 cycle per step | 16 |
  /// | associative recall | Zoology's generator: 16 pairs, vocabulary 256, power law 0.01, random filler | 64 |
  /// | induction heads | 16 ordinary tokens, one trigger (H3's generator) | 8 |
  /// | ListOps | LRA's generator: depth 10, 2 – 10 arguments, `length/4 < tokens < length`, right-aligned | 5 |
  /// | text | Debian's fortunes (``TextCorpus/defaultPath``), bytes and a separator | 1 |
  ///
  /// Throws ``TaskError/lengthTooSmall(task:length:minimum:)`` below the minimum, and for text
  /// the corpus errors of ``TextCorpus/init(contentsOf:)`` (``TaskError/corpusNotFound(path:)``
  /// when Debian's `fortunes` package is not installed).
  public func make(length: Int) throws -> any SequenceTask {
    switch self {
    case .copying: return try CopyingTask(length: length)
    case .selectiveCopying: return try SelectiveCopyingTask(length: length)
    case .adding: return try AddingTask(length: length)
    case .delay: return try DelayTask(length: length)
    case .reconstruct: return try ReconstructTask(length: length)
    case .associativeRecall: return try AssociativeRecallTask(length: length)
    case .inductionHeads: return try InductionHeadsTask(length: length)
    case .listOps: return try ListOpsTask(length: length)
    case .text: return try TextTask(length: length)
    }
  }

  /// How the task is scored (each task's own `SequenceTask/metric`, known without building it:
  /// the text task needs its corpus for that).
  public var metric: TaskMetric {
    switch self {
    case .adding, .delay, .reconstruct: return .meanSquaredError
    case .text: return .bitsPerByte
    case .copying, .selectiveCopying, .associativeRecall, .inductionHeads, .listOps: return .accuracy
    }
  }

  /// The smallest length ``make(length:)`` accepts (see the table there).
  public var minimumLength: Int {
    switch self {
    case .copying: return 20
    case .selectiveCopying: return 32
    case .adding: return 2
    case .delay, .reconstruct: return 16
    case .associativeRecall: return 64
    case .inductionHeads: return 8
    case .listOps: return 5
    case .text: return 1
    }
  }
}
