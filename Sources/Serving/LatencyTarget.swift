/// A service-level objective on each request's latencies, for goodput (vLLM's `--goodput`): a
/// finished request meets it when every bound given holds for it.
///
/// `goodput = #{finished requests meeting every bound} / duration`, requests per second. A request
/// with a single token has no time per output token and meets a TPOT bound (vLLM counts its TPOT
/// as 0).
public struct LatencyTarget: Sendable, Equatable {
  /// The most seconds to the first token, or `nil` for no bound.
  public var timeToFirstToken: Double?
  /// The most seconds per output token after the first, or `nil` for no bound.
  public var timePerOutputToken: Double?
  /// The most seconds from arrival to the last token, or `nil` for no bound.
  public var endToEndLatency: Double?

  /// A target with the given bounds (seconds).
  /// - Throws: ``ServingError/invalidStatistic(_:)`` for a bound that is not finite and > 0.
  public init(timeToFirstToken: Double? = nil, timePerOutputToken: Double? = nil, endToEndLatency: Double? = nil)
    throws
  {
    for bound in [timeToFirstToken, timePerOutputToken, endToEndLatency].compactMap({ $0 }) {
      guard bound.isFinite, bound > 0 else {
        throw ServingError.invalidStatistic("a latency bound must be finite and > 0 s, got \(bound)")
      }
    }
    self.timeToFirstToken = timeToFirstToken
    self.timePerOutputToken = timePerOutputToken
    self.endToEndLatency = endToEndLatency
  }

  /// Whether `record` finished within every bound.
  public func isMet(by record: RequestRecord) -> Bool {
    guard let endToEnd = record.endToEndLatency, let firstToken = record.timeToFirstToken else { return false }
    return Self.within(firstToken, timeToFirstToken) && Self.within(record.timePerOutputToken ?? 0, timePerOutputToken)
      && Self.within(endToEnd, endToEndLatency)
  }

  /// Requests per second that met the target over a run of `duration` seconds.
  /// - Throws: ``ServingError/invalidStatistic(_:)`` for a duration that is not finite and > 0.
  public func goodput(of records: [RequestRecord], duration: Double) throws -> Double {
    guard duration.isFinite, duration > 0 else {
      throw ServingError.invalidStatistic("a run of duration \(duration) s (must be finite and > 0)")
    }
    return Double(records.filter(isMet).count) / duration
  }

  private static func within(_ value: Double, _ bound: Double?) -> Bool { bound.map { value <= $0 } ?? true }
}
