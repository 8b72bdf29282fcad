import Serving
import Testing

@Suite struct LoadStatisticsTests {
  /// Hand-computed numpy-style ("linear") percentiles: for 1, 2, 3, 4, `h = 3p/100`, so p50 →
  /// 2 + 0.5·1 = 2.5, p90 → h = 2.7 → 3.7, p99 → h = 2.97 → 3.97; order does not matter.
  @Test func percentilesInterpolateBetweenOrderStatistics() throws {
    let values: [Double] = [4, 1, 3, 2]
    #expect(try percentile(values, 0) == 1)
    #expect(try percentile(values, 100) == 4)
    #expect(abs(try percentile(values, 50) - 2.5) < 1e-12)
    #expect(abs(try percentile(values, 90) - 3.7) < 1e-12)
    #expect(abs(try percentile(values, 99) - 3.97) < 1e-12)
    // Two values 10, 20: h = p/100, p25 → 12.5.
    #expect(abs(try percentile([20, 10], 25) - 12.5) < 1e-12)
    #expect(try percentile([7], 63) == 7)
  }

  /// The same percentiles as numpy's `np.percentile` (computed now by python3 when numpy is
  /// there) on an irregular sample, to 1e-12.
  @Test func percentilesMatchNumpy() throws {
    let values: [Double] = [0.31, 5.2, 0.07, 2.2, 2.2, 9.9, 1.05, 0.5, 3.3, 7.1, 0.02]
    let ps: [Double] = [1, 10, 33, 50, 90, 99]
    guard let numpy = python("import numpy as np; print(*np.percentile(\(values), \(ps)))") else { return }
    let expected = numpy.split(separator: " ").compactMap { Double($0) }
    try #require(expected.count == ps.count)
    for (p, reference) in zip(ps, expected) { #expect(abs(try percentile(values, p) - reference) < 1e-12) }
  }

  @Test func invalidPercentilesThrow() {
    #expect(throws: ServingError.self) { try percentile([], 50) }
    #expect(throws: ServingError.self) { try percentile([1, 2], 101) }
    #expect(throws: ServingError.self) { try percentile([1, 2], -1) }
    #expect(throws: ServingError.self) { try percentile([1, .nan], 50) }
  }

  /// One request arriving at 1 s with tokens at 1.5, 2 and 3 s: TTFT 0.5, TPOT (3 − 1.5)/2 = 0.75,
  /// inter-token gaps 0.5 and 1, end to end 2.
  @Test func requestMetricsFromATimeline() {
    let record = RequestRecord(arrival: 1, tokenTimes: [1.5, 2, 3], finish: 3)
    #expect(record.timeToFirstToken == 0.5)
    #expect(record.timePerOutputToken == 0.75)
    #expect(record.interTokenLatencies == [0.5, 1])
    #expect(record.endToEndLatency == 2)
    let single = RequestRecord(arrival: 0, tokenTimes: [4], finish: 4)
    #expect(single.timePerOutputToken == nil)
    #expect(single.interTokenLatencies.isEmpty)
  }

  /// Two finished requests and two refusals over 10 s: 2 completed → 0.2 requests/s, 3 + 1 = 4
  /// tokens → 0.4 tokens/s; TTFT {0.5, 2} (mean 1.25, p50 1.25), TPOT only from the first,
  /// inter-token gaps {0.5, 1}, end to end {2, 2}; failures counted by kind.
  @Test func loadSummaryByHand() throws {
    let records = [
      RequestRecord(arrival: 1, tokenTimes: [1.5, 2, 3], finish: 3),
      RequestRecord(arrival: 5, tokenTimes: [7], finish: 7),
      RequestRecord(arrival: 6, failure: .queueFull),
      RequestRecord(arrival: 6, failure: .queueFull),
      RequestRecord(arrival: 8, tokenTimes: [9], failure: .modelError),
    ]
    let summary = try LoadSummary(records: records, duration: 10)
    #expect(summary.requests == 5)
    #expect(summary.completed == 2)
    #expect(summary.failures == [.queueFull: 2, .modelError: 1])
    #expect(summary.outputTokens == 4)
    #expect(abs(summary.requestThroughput - 0.2) < 1e-12)
    #expect(abs(summary.tokenThroughput - 0.4) < 1e-12)
    let ttft = try #require(summary.timeToFirstToken)
    #expect(ttft.count == 2)
    #expect(abs(ttft.mean - 1.25) < 1e-12)
    #expect(abs(ttft.p50 - 1.25) < 1e-12)
    // h = 0.9 → 0.5 + 0.9·1.5 = 1.85.
    #expect(abs(ttft.p90 - 1.85) < 1e-12)
    #expect(summary.timePerOutputToken == (try LatencySummary([0.75])))
    #expect(summary.interTokenLatency?.count == 2)
    #expect(summary.endToEndLatency?.mean == 2)
    #expect(throws: ServingError.self) { try LoadSummary(records: records, duration: 0) }
  }
}

/// Goodput counted by hand on four timelines over a run of 10 s.
@Suite struct LatencyTargetTests {
  /// (arrival, token times, finish): TTFT, TPOT, end to end
  /// - a: 0, [1, 2, 3], 3 → 1, 1, 3
  /// - b: 0, [0.5], 0.5 → 0.5, none (counts as 0), 0.5
  /// - c: 2, [2.2, 6.2], 6.2 → 0.2, 4, 4.2
  /// - d: 1, [1.1], failed → never meets a target.
  static let records = [
    RequestRecord(arrival: 0, tokenTimes: [1, 2, 3], finish: 3),
    RequestRecord(arrival: 0, tokenTimes: [0.5], finish: 0.5),
    RequestRecord(arrival: 2, tokenTimes: [2.2, 6.2], finish: 6.2),
    RequestRecord(arrival: 1, tokenTimes: [1.1], failure: .modelError),
  ]

  /// TTFT ≤ 0.6 keeps b and c; adding TPOT ≤ 2 drops c; E2E ≤ 3.5 alone keeps a and b; no bound
  /// keeps every finished request (3 of 4). Goodput = kept / 10 s.
  @Test func goodputCountsRequestsWithinEveryBound() throws {
    let cases: [(LatencyTarget, Int)] = [
      (try LatencyTarget(timeToFirstToken: 0.6), 2),
      (try LatencyTarget(timeToFirstToken: 0.6, timePerOutputToken: 2), 1),
      (try LatencyTarget(endToEndLatency: 3.5), 2), (try LatencyTarget(), 3),
    ]
    for (target, kept) in cases {
      #expect(Self.records.filter(target.isMet).count == kept)
      #expect(abs(try target.goodput(of: Self.records, duration: 10) - Double(kept) / 10) < 1e-15)
    }
  }

  @Test func invalidBoundsAndDurationsThrow() throws {
    #expect(throws: ServingError.self) { try LatencyTarget(timeToFirstToken: 0) }
    #expect(throws: ServingError.self) { try LatencyTarget(endToEndLatency: .infinity) }
    #expect(throws: ServingError.self) { try LatencyTarget().goodput(of: Self.records, duration: 0) }
  }
}
