/// A sum of squared errors and the number of terms; add scores of several batches with `+`.
public struct SquaredError: Equatable, Hashable, Sendable {
  /// `Σ (prediction − target)²` over the scored terms (accumulated in `Double`).
  public var sum: Double
  /// Scored terms (scored positions × channels).
  public var count: Int

  /// A score from its parts.
  public init(sum: Double, count: Int) {
    self.sum = sum
    self.count = count
  }

  /// The mean squared error `sum / count`, or 0 when nothing was scored.
  public var mean: Double { count == 0 ? 0 : sum / Double(count) }

  /// The pooled score of two disjoint sets: sums and counts add.
  public static func + (lhs: SquaredError, rhs: SquaredError) -> SquaredError {
    SquaredError(sum: lhs.sum + rhs.sum, count: lhs.count + rhs.count)
  }
}
