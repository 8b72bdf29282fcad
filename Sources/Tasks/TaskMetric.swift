/// How a task is scored.
public enum TaskMetric: String, Equatable, Hashable, Sendable, Codable {
  /// The fraction of scored positions whose argmax logit equals the target class
  /// (``TaskBatch/accuracy(logits:classes:)``). Higher is better.
  case accuracy
  /// The mean over scored positions and channels of `(prediction − target)²`
  /// (``TaskBatch/meanSquaredError(predictions:layout:)``). Lower is better.
  case meanSquaredError
  /// The mean code length of the target bytes under the model,
  /// `−(1/n) Σ log₂ softmax(z_t)[y_t]` over the `n` scored positions whose target is a byte
  /// (``TaskBatch/bitsPerByte(logits:classes:)``; document separators are not counted).
  /// Lower is better.
  case bitsPerByte = "bits-per-byte"
}

extension TaskMetric {
  /// Whether a larger value is a better model: accuracy yes; mean squared error and bits per byte no.
  public var higherIsBetter: Bool { self == .accuracy }

  /// The spelling of command-line JSON (`ssm eval`'s `"metric"`), file names and metric keys:
  /// `accuracy`, `mse`, `bits-per-byte`.
  public var identifier: String {
    switch self {
    case .accuracy: "accuracy"
    case .meanSquaredError: "mse"
    case .bitsPerByte: "bits-per-byte"
    }
  }

  /// The short name in tables and charts: `accuracy`, `MSE`, `bits/byte`.
  public var shortName: String {
    switch self {
    case .accuracy: "accuracy"
    case .meanSquaredError: "MSE"
    case .bitsPerByte: "bits/byte"
    }
  }

  /// The name in sentences: `accuracy`, `mean squared error`, `bits per byte`.
  public var longName: String {
    switch self {
    case .accuracy: "accuracy"
    case .meanSquaredError: "mean squared error"
    case .bitsPerByte: "bits per byte"
    }
  }
}
