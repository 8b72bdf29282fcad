/// A source of request arrival times (seconds from the start of a run, non-decreasing): a
/// ``PoissonProcess`` or a recorded ``ArrivalTrace``.
public protocol ArrivalProcess {
  /// The next arrival time, or `nil` when the process has no more arrivals.
  mutating func nextArrival() -> Double?
}

extension ArrivalProcess {
  /// The next `count` arrival times (fewer if the process ends first).
  public mutating func arrivals(count: Int) -> [Double] {
    var times: [Double] = []
    while times.count < count, let time = nextArrival() { times.append(time) }
    return times
  }
}
