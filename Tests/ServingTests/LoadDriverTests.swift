import Generation
import Serving
import Testing

@Suite struct LoadDriverTests {
  /// One request at 2 s, a 3-token prompt read in one chunk, 3 new tokens, each step 1 s: tokens
  /// at 3, 4, 5 s, so TTFT 1, TPOT 1, end to end 3, duration 5.
  @Test func simulatedTimelineByHand() throws {
    var engine = try BatchingEngine(
      model: EngineTestModels.gru(), configuration: EngineConfiguration(maxBatch: 1, maxQueue: 1, prefillChunk: 4))
    let driver = try LoadDriver(timing: .simulated(perStep: 1, perToken: 0))
    let request = ServingRequest(prompt: [1, 2, 3], options: GenerationOptions(maxNewTokens: 3))
    let (records, duration) = try driver.run([request], arrivals: ArrivalTrace(times: [2]), on: &engine)
    #expect(records == [RequestRecord(arrival: 2, tokenTimes: [3, 4, 5], finish: 5)])
    #expect(duration == 5)
  }

  /// A burst (rate ∞) of 5 requests into a queue of 1 and a batch of 1: the first is queued, the
  /// other four are refused as queue-full at time 0, and every request is accounted for.
  @Test func burstOverflowIsCountedNotLost() throws {
    var engine = try BatchingEngine(
      model: EngineTestModels.s4d(), configuration: EngineConfiguration(maxBatch: 1, maxQueue: 1))
    let driver = try LoadDriver(timing: .simulated(perStep: 0.01, perToken: 0.001))
    let requests = (0..<5).map {
      ServingRequest(prompt: [$0 + 1], options: GenerationOptions(maxNewTokens: 4))
    }
    let (records, duration) = try driver.run(
      requests, arrivals: PoissonProcess(rate: .infinity, seed: 0), on: &engine)
    let summary = try LoadSummary(records: records, duration: duration)
    #expect(summary.completed == 1)
    #expect(summary.failures == [.queueFull: 4])
    #expect(summary.completed + summary.failures.values.reduce(0, +) == requests.count)
    #expect(summary.outputTokens == 4)
  }

  /// A Poisson run measured in real time: every request completes (the queue is large enough),
  /// tokens are stamped in order after arrival, and the summary's counts add up.
  @Test func measuredPoissonRunCompletesEveryRequest() throws {
    var engine = try BatchingEngine(
      model: EngineTestModels.transformer(),
      configuration: EngineConfiguration(maxBatch: 4, maxQueue: 32, prefillChunk: 8, memoryBudget: 64 * 256))
    let requests = (0..<12).map {
      ServingRequest(
        prompt: Array(repeating: $0 % 11, count: 3 + $0), options: GenerationOptions(maxNewTokens: 2 + $0 % 5))
    }
    let (records, duration) = try LoadDriver(timing: .measured).run(
      requests, arrivals: PoissonProcess(rate: 200, seed: 4), on: &engine)
    for (record, request) in zip(records, requests) {
      #expect(record.failure == nil)
      #expect(record.tokenTimes.count == request.options.maxNewTokens)
      #expect(record.tokenTimes.first.map { $0 >= record.arrival } == true)
      #expect(record.tokenTimes == record.tokenTimes.sorted())
    }
    let summary = try LoadSummary(records: records, duration: duration)
    #expect(summary.completed == 12)
    #expect(summary.outputTokens == requests.reduce(0) { $0 + $1.options.maxNewTokens })
  }

  @Test func badDriverInputsThrow() throws {
    #expect(throws: ServingError.self) { try LoadDriver(timing: .simulated(perStep: 0, perToken: 0)) }
    #expect(throws: ServingError.self) { try LoadDriver(timing: .simulated(perStep: -1, perToken: 1)) }
    var engine = try BatchingEngine(
      model: EngineTestModels.gru(), configuration: EngineConfiguration(maxBatch: 1, maxQueue: 1))
    let request = ServingRequest(prompt: [1], options: GenerationOptions(maxNewTokens: 1))
    #expect(throws: ServingError.self) {
      try LoadDriver(timing: .measured).run([request, request], arrivals: ArrivalTrace(times: [0]), on: &engine)
    }
  }
}
