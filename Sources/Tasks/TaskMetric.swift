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
