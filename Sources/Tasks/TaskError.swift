/// Why a task, a batch request or a score could not be made.
///
/// Every validation in the Tasks module throws one of these; the messages name the task and
/// the violated condition so that a benchmark sweep fails with a readable reason.
public enum TaskError: Error, Equatable, CustomStringConvertible {
  /// A task parameter outside its documented range (the detail names the rule).
  case invalidParameter(String)
  /// A length below the smallest one the task admits with its other parameters.
  case lengthTooSmall(task: TaskName, length: Int, minimum: Int)
  /// A batch request with a non-positive size or a negative batch index.
  case invalidBatch(String)
  /// Predictions or logits whose shape does not match the batch being scored.
  case shapeMismatch(String)
  /// Rejection sampling found no instance of the requested split: the instance space of the
  /// task is too small for every split to be non-empty (see ``Split``).
  case splitExhausted(task: TaskName, split: Split, attempts: Int)

  /// A one-line message naming the task or request and the violated rule.
  public var description: String {
    switch self {
    case .invalidParameter(let detail): return "invalid task: \(detail)"
    case .lengthTooSmall(let task, let length, let minimum):
      return "invalid task: \(task.rawValue) needs length ≥ \(minimum) with these parameters, got \(length)"
    case .invalidBatch(let detail): return "invalid batch: \(detail)"
    case .shapeMismatch(let detail): return "shape mismatch: \(detail)"
    case .splitExhausted(let task, let split, let attempts):
      return
        "\(task.rawValue): no \(split.rawValue) instance in \(attempts) draws; the instance space is too small to split"
    }
  }
}
