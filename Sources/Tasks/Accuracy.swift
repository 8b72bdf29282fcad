/// Correct and scored counts of a classification score; add scores of several batches with `+`.
public struct Accuracy: Equatable, Hashable, Sendable {
  /// Scored units (positions, queries or sequences) predicted correctly.
  public var correct: Int
  /// Scored units.
  public var total: Int

  /// A score from its counts.
  public init(correct: Int, total: Int) {
    self.correct = correct
    self.total = total
  }

  /// `correct / total`, or 0 when nothing was scored.
  public var value: Double { total == 0 ? 0 : Double(correct) / Double(total) }

  /// The pooled score of two disjoint sets: counts add.
  public static func + (lhs: Accuracy, rhs: Accuracy) -> Accuracy {
    Accuracy(correct: lhs.correct + rhs.correct, total: lhs.total + rhs.total)
  }
}
