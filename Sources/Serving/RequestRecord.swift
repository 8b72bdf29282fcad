/// How a request of a load run ended badly.
public enum FailureKind: String, Sendable, Hashable, CaseIterable {
  /// Refused at submission: the queue was full (an HTTP server answers 429).
  case queueFull
  /// Refused at submission: its context could never fit the memory budget.
  case exceedsMemoryBudget
  /// Refused at submission: invalid options or prompt.
  case invalidRequest
  /// Failed while running (the model's logits could not be decoded; an HTTP server answers 500).
  case modelError
  /// Refused because the server was shutting down (HTTP 503).
  case serverUnavailable
  /// No well-formed answer: the connection failed or closed early, or the response was not the
  /// expected HTTP or server-sent-event form.
  case connectionError
}

/// The timeline of one request in a load run, seconds from the start of the run.
public struct RequestRecord: Sendable, Equatable {
  /// When it arrived.
  public var arrival: Double
  /// When each of its tokens was produced (the end of the step that chose it), in order.
  public var tokenTimes: [Double]
  /// When it finished, `nil` if it failed.
  public var finish: Double?
  /// Why it failed, `nil` if it finished.
  public var failure: FailureKind?

  /// A record with the given timeline.
  public init(arrival: Double, tokenTimes: [Double] = [], finish: Double? = nil, failure: FailureKind? = nil) {
    self.arrival = arrival
    self.tokenTimes = tokenTimes
    self.finish = finish
    self.failure = failure
  }

  /// Time to first token, `t₁ − arrival` (`nil` without tokens).
  public var timeToFirstToken: Double? { tokenTimes.first.map { $0 - arrival } }
  /// End-to-end latency, `finish − arrival` (`nil` unless finished).
  public var endToEndLatency: Double? { finish.map { $0 - arrival } }
  /// Time per output token after the first, `(t_n − t₁) / (n − 1)` for `n ≥ 2` tokens (vLLM's
  /// TPOT), `nil` for fewer.
  public var timePerOutputToken: Double? {
    guard let first = tokenTimes.first, let last = tokenTimes.last, tokenTimes.count >= 2 else { return nil }
    return (last - first) / Double(tokenTimes.count - 1)
  }
  /// Inter-token latencies `t_{i+1} − t_i`.
  public var interTokenLatencies: [Double] { zip(tokenTimes.dropFirst(), tokenTimes).map { $0 - $1 } }
}
