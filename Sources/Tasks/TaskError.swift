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
  /// A text corpus path (``TextCorpus/init(contentsOf:)``) that does not exist.
  case corpusNotFound(path: String)
  /// A text corpus file or folder that exists but cannot be read.
  case corpusUnreadable(path: String)
  /// A text corpus file named explicitly that is not UTF-8 text (it holds a NUL byte or invalid
  /// UTF-8; `reason` says which).
  case binaryCorpusFile(path: String, reason: String)
  /// A text corpus without a single non-empty document.
  case emptyCorpus(source: String)
  /// Logits or predictions that are NaN or infinite where a score needs finite values.
  case nonFinite(String)

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
    case .corpusNotFound(let path):
      let hint =
        path == TextCorpus.defaultPath
        ? "; it is Debian's fortunes data: install it with `apt-get install fortunes` (or `make deps`)" : ""
      return "text corpus not found: \(path)\(hint)"
    case .corpusUnreadable(let path): return "text corpus not readable: \(path)"
    case .binaryCorpusFile(let path, let reason):
      return "text corpus file \(path) is not UTF-8 text (\(reason))"
    case .emptyCorpus(let source):
      return "text corpus \(source) holds no non-empty document"
    case .nonFinite(let detail): return "non-finite values: \(detail)"
    }
  }
}
