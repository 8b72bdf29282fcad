/// The `p`-th percentile (`0 ≤ p ≤ 100`) of `values` by linear interpolation between order
/// statistics, numpy's default (`np.percentile`, method "linear", as vLLM reports latencies):
/// with `x₀ ≤ … ≤ x_{n−1}` sorted and `h = (n − 1) p / 100`,
/// `x_⌊h⌋ + (h − ⌊h⌋)(x_{⌊h⌋+1} − x_⌊h⌋)`.
/// - Throws: ``ServingError/invalidStatistic(_:)`` for no values, a non-finite value, or `p` outside `[0, 100]`.
public func percentile(_ values: [Double], _ p: Double) throws -> Double {
  guard !values.isEmpty else { throw ServingError.invalidStatistic("a percentile of no values") }
  guard values.allSatisfy(\.isFinite) else { throw ServingError.invalidStatistic("a percentile of non-finite values") }
  guard (0...100).contains(p) else { throw ServingError.invalidStatistic("percentile \(p) outside [0, 100]") }
  let sorted = values.sorted()
  let h = Double(sorted.count - 1) * p / 100
  let lower = Int(h.rounded(.down))
  guard lower + 1 < sorted.count else { return sorted[lower] }
  return sorted[lower] + (h - Double(lower)) * (sorted[lower + 1] - sorted[lower])
}

/// Mean and tail percentiles of one latency metric, in seconds.
public struct LatencySummary: Sendable, Equatable {
  /// Values summarised.
  public var count: Int
  /// `Σ x / n`.
  public var mean: Double
  /// ``percentile(_:_:)`` 50, 90 and 99.
  public var p50: Double
  public var p90: Double
  public var p99: Double

  /// The summary of `values`, or `nil` when there are none.
  /// - Throws: ``ServingError/invalidStatistic(_:)`` for a non-finite value.
  public init?(_ values: [Double]) throws {
    guard !values.isEmpty else { return nil }
    count = values.count
    mean = values.reduce(0, +) / Double(values.count)
    p50 = try percentile(values, 50)
    p90 = try percentile(values, 90)
    p99 = try percentile(values, 99)
  }
}
