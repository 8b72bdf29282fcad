import Models

/// Replays arrivals against a ``BatchingEngine`` and records every request's timeline.
///
/// The clock starts at 0. Before each engine step every request whose arrival time has come is
/// submitted (refusals are recorded with their ``FailureKind``, never dropped silently); the step
/// then advances the clock by its ``LoadTiming`` duration, and every token and completion of the
/// step is stamped with the step's end. When the engine holds nothing, the clock jumps to the next
/// arrival. Requests that arrive during a step are submitted after it (the engine is
/// single-threaded), so their queueing counts in their latencies.
public struct LoadDriver {
  /// How the clock advances.
  public let timing: LoadTiming

  /// A driver with `timing`.
  /// - Throws: ``ServingError/invalidConfiguration(_:)`` for a simulated cost that is negative,
  ///   not finite, or zero per step and per token (the clock would stand still).
  public init(timing: LoadTiming) throws {
    if case .simulated(let perStep, let perToken) = timing {
      guard perStep.isFinite, perToken.isFinite, perStep >= 0, perToken >= 0, perStep + perToken > 0 else {
        throw ServingError.invalidConfiguration(
          "a simulated step cost needs finite perStep, perToken ≥ 0 not both 0, got \(perStep), \(perToken)")
      }
    }
    self.timing = timing
  }

  /// Runs `requests` (request `i` arriving at the `i`-th time of `arrivals`) to the end.
  /// - Returns: one record per request, in request order, and the run's duration (the end of its
  ///   last step, or of its last arrival if that is later).
  /// - Throws: ``ServingError/invalidTrace(_:)`` when `arrivals` ends before every request has a time.
  public func run<Model: SequenceModel>(
    _ requests: [ServingRequest], arrivals: some ArrivalProcess, on engine: inout BatchingEngine<Model>
  ) throws -> (records: [RequestRecord], duration: Double) {
    var arrivals = arrivals
    let times = arrivals.arrivals(count: requests.count)
    guard times.count == requests.count else {
      throw ServingError.invalidTrace("\(times.count) arrival times for \(requests.count) requests")
    }
    var records = times.map { RequestRecord(arrival: $0) }
    var recordOfID: [Int: Int] = [:]
    var (clock, next) = (0.0, 0)
    while next < requests.count || !engine.isIdle {
      if engine.isIdle { clock = max(clock, times[next]) }
      while next < requests.count, times[next] <= clock {
        do {
          recordOfID[try engine.submit(requests[next])] = next
        } catch let error as ServingError {
          records[next].failure = Self.failureKind(of: error)
        }
        next += 1
      }
      guard !engine.isIdle else { continue }
      let start = ContinuousClock.now
      let report = engine.step()
      clock += duration(of: report, measured: ContinuousClock.now - start)
      for event in report.events {
        switch event {
        case .token(let id, _): records[recordOfID[id]!].tokenTimes.append(clock)
        case .finished(let id, _): records[recordOfID[id]!].finish = clock
        case .failed(let id, _): records[recordOfID[id]!].failure = .modelError
        case .preempted: break
        }
      }
    }
    return (records, max(clock, times.last ?? 0))
  }

  /// The clock time a step took.
  private func duration(of report: StepReport, measured: Duration) -> Double {
    switch timing {
    case .simulated(let perStep, let perToken): perStep + perToken * Double(report.tokensRead)
    case .measured:
      Double(measured.components.seconds) + Double(measured.components.attoseconds) * 1e-18
    }
  }

  /// The failure a submission error stands for.
  private static func failureKind(of error: ServingError) -> FailureKind {
    switch error {
    case .queueFull: .queueFull
    case .exceedsMemoryBudget: .exceedsMemoryBudget
    default: .invalidRequest
    }
  }
}
