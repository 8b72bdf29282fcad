/// The serving metrics of a load run (vLLM's `benchmark_serving.py` set), computed from the
/// requests' timelines.
public struct LoadSummary: Sendable, Equatable {
  /// Requests in the run.
  public var requests: Int
  /// Requests that finished.
  public var completed: Int
  /// Failures by kind (kinds with none absent).
  public var failures: [FailureKind: Int]
  /// Tokens produced by finished requests.
  public var outputTokens: Int
  /// Seconds from the start of the run (time 0) to its end.
  public var duration: Double
  /// `completed / duration`, requests per second.
  public var requestThroughput: Double
  /// `outputTokens / duration`, tokens per second.
  public var tokenThroughput: Double
  /// Over finished requests: time to first token, time per output token (those with ≥ 2
  /// tokens), inter-token latency (every gap of every finished request), end-to-end latency;
  /// `nil` where there is no value.
  public var timeToFirstToken: LatencySummary?
  public var timePerOutputToken: LatencySummary?
  public var interTokenLatency: LatencySummary?
  public var endToEndLatency: LatencySummary?

  /// The metrics of `records` for a run of `duration` seconds.
  /// - Throws: ``ServingError/invalidStatistic(_:)`` for a duration that is not above 0 or a
  ///   non-finite time.
  public init(records: [RequestRecord], duration: Double) throws {
    guard duration.isFinite, duration > 0 else {
      throw ServingError.invalidStatistic("a run of duration \(duration) s (must be finite and > 0)")
    }
    let finished = records.filter { $0.finish != nil }
    requests = records.count
    completed = finished.count
    failures = records.reduce(into: [:]) { counts, record in
      if let failure = record.failure { counts[failure, default: 0] += 1 }
    }
    outputTokens = finished.reduce(0) { $0 + $1.tokenTimes.count }
    self.duration = duration
    requestThroughput = Double(completed) / duration
    tokenThroughput = Double(outputTokens) / duration
    timeToFirstToken = try LatencySummary(finished.compactMap(\.timeToFirstToken))
    timePerOutputToken = try LatencySummary(finished.compactMap(\.timePerOutputToken))
    interTokenLatency = try LatencySummary(finished.flatMap(\.interTokenLatencies))
    endToEndLatency = try LatencySummary(finished.compactMap(\.endToEndLatency))
  }
}
