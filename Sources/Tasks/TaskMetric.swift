/// How a task is scored.
public enum TaskMetric: String, Equatable, Hashable, Sendable, Codable {
  /// The fraction of scored positions whose argmax logit equals the target class
  /// (``TaskBatch/accuracy(logits:classes:)``). Higher is better.
  case accuracy
  /// The mean over scored positions and channels of `(prediction − target)²`
  /// (``TaskBatch/meanSquaredError(predictions:layout:)``). Lower is better.
  case meanSquaredError
}
