/// A Prometheus histogram of latencies in seconds: cumulative counts `count(latency ≤ bound)` for
/// each bucket bound, with `+Inf` = the number of observations, and their sum.
public struct LatencyHistogram: Sendable, Equatable {
  /// Upper bounds of the buckets, seconds, increasing.
  public let bounds: [Double]
  /// `cumulative[i]` = observations ≤ `bounds[i]`.
  public private(set) var cumulative: [Int]
  /// Observations.
  public private(set) var count = 0
  /// Sum of the observations, seconds.
  public private(set) var sum = 0.0

  /// An empty histogram with `bounds` (default 5 ms … 10 s).
  public init(bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]) {
    self.bounds = bounds
    cumulative = Array(repeating: 0, count: bounds.count)
  }

  /// Records one latency of `seconds`.
  public mutating func observe(_ seconds: Double) {
    for (index, bound) in bounds.enumerated() where seconds <= bound { cumulative[index] += 1 }
    count += 1
    sum += seconds
  }
}

/// What `GET /metrics` reports, in the Prometheus text exposition format (version 0.0.4).
public struct ServingMetrics: Sendable, Equatable {
  /// Requests waiting in the engine's queue.
  public var waiting = 0
  /// Requests the engine runs.
  public var running = 0
  /// Tokens generated since the start, all requests together (its rate is tokens/s).
  public var generatedTokens = 0
  /// Engine requests (choices) finished since the start.
  public var finishedRequests = 0
  /// HTTP requests refused with 429 since the start.
  public var rejectedRequests = 0
  /// Time from a request's arrival at the engine to its first token.
  public var timeToFirstToken = LatencyHistogram()

  /// The metrics as Prometheus text.
  public var prometheusText: String {
    var lines: [String] = []
    func metric(_ name: String, _ type: String, _ help: String, _ value: Int) {
      lines += ["# HELP \(name) \(help)", "# TYPE \(name) \(type)", "\(name) \(value)"]
    }
    metric("ssm_queue_length", "gauge", "Requests waiting in the engine's queue.", waiting)
    metric("ssm_running_requests", "gauge", "Requests running in the engine.", running)
    metric("ssm_generated_tokens_total", "counter", "Tokens generated, all requests together.", generatedTokens)
    metric("ssm_finished_requests_total", "counter", "Choices finished.", finishedRequests)
    metric("ssm_rejected_requests_total", "counter", "Requests refused because the queue was full.", rejectedRequests)
    let name = "ssm_time_to_first_token_seconds"
    lines += ["# HELP \(name) Seconds from arrival at the engine to the first token.", "# TYPE \(name) histogram"]
    for (bound, count) in zip(timeToFirstToken.bounds, timeToFirstToken.cumulative) {
      lines.append("\(name)_bucket{le=\"\(bound)\"} \(count)")
    }
    lines += [
      "\(name)_bucket{le=\"+Inf\"} \(timeToFirstToken.count)", "\(name)_sum \(timeToFirstToken.sum)",
      "\(name)_count \(timeToFirstToken.count)",
    ]
    return lines.joined(separator: "\n") + "\n"
  }
}
