/// Arrival times replayed from a list (a recorded trace) instead of drawn.
public struct ArrivalTrace: ArrivalProcess, Sendable {
  /// The arrival times, seconds from the start, non-decreasing.
  public let times: [Double]
  private var index = 0

  /// A trace of `times`.
  /// - Throws: ``ServingError/invalidTrace(_:)`` for a time that is negative, not finite, or
  ///   earlier than the one before it.
  public init(times: [Double]) throws {
    for (index, time) in times.enumerated() {
      guard time.isFinite, time >= 0 else {
        throw ServingError.invalidTrace("arrival \(index) at \(time) s is not a finite time ≥ 0")
      }
      if index > 0, time < times[index - 1] {
        throw ServingError.invalidTrace(
          "arrival \(index) at \(time) s precedes arrival \(index - 1) at \(times[index - 1]) s")
      }
    }
    self.times = times
  }

  /// The next time of the trace, `nil` after the last.
  public mutating func nextArrival() -> Double? {
    guard index < times.count else { return nil }
    defer { index += 1 }
    return times[index]
  }
}
