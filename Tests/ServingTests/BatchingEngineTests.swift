import Generation
import Models
import Serving
import Testing

@Suite struct BatchingEngineTests {
  /// Requests with different prompts, lengths, seeds, temperatures and processors, arriving at
  /// different steps.
  static let requests: [(arrivalStep: Int, request: ServingRequest)] = [
    (0, ServingRequest(prompt: [1, 2, 3, 4, 5, 6, 7], options: GenerationOptions(maxNewTokens: 9))),
    (
      0,
      ServingRequest(
        prompt: [3], options: GenerationOptions(maxNewTokens: 12, strategy: .sampling(.init(temperature: 1.3)), seed: 5)
      )
    ),
    (
      1,
      ServingRequest(
        prompt: Array(0..<10) + [4, 4, 9, 2, 2, 7, 1, 0, 3, 8],
        options: GenerationOptions(
          maxNewTokens: 7, repetitionPenalty: 1.4, strategy: .sampling(.init(temperature: 0.7, topK: 5)), seed: 11))
    ),
    (
      3,
      ServingRequest(
        prompt: [10, 9, 8], options: GenerationOptions(maxNewTokens: 1, strategy: .sampling(.init(topP: 0.8)), seed: 2))
    ),
    (
      4,
      ServingRequest(
        prompt: [5, 5, 1, 6],
        options: GenerationOptions(
          maxNewTokens: 10, noRepeatNgramSize: 2, strategy: .sampling(.init(numReturnSequences: 3)), seed: 40),
        sample: 2)
    ),
    (6, ServingRequest(prompt: [2, 7, 1, 8, 2], options: GenerationOptions(maxNewTokens: 8, stopTokens: [3, 4]))),
  ]

  /// Runs `requests` through an engine, submitting each at its step, and returns every request's
  /// streamed tokens and final result; checks the batch and queue limits at every step.
  static func serve<Model: SequenceModel>(
    _ model: Model, configuration: EngineConfiguration,
    requests: [(arrivalStep: Int, request: ServingRequest)] = requests
  ) throws -> (streamed: [Int: [Int]], results: [Int: GenerationResult], reports: [StepReport]) {
    var engine = try BatchingEngine(model: model, configuration: configuration)
    var (streamed, results, reports) = ([Int: [Int]](), [Int: GenerationResult](), [StepReport]())
    var ids: [Int] = []
    var stepIndex = 0
    while ids.count < requests.count || !engine.isIdle {
      for (arrival, request) in requests where arrival == stepIndex { ids.append(try engine.submit(request)) }
      let report = engine.step()
      #expect(report.running <= configuration.maxBatch)
      if let budget = configuration.memoryBudget { #expect(report.reservedBytes <= budget) }
      for event in report.events {
        switch event {
        case .token(let id, let token): streamed[id, default: []].append(token)
        case .finished(let id, let result): results[id] = result
        case .failed(let id, let reason): Issue.record("request \(id) failed: \(reason)")
        case .preempted: break
        }
      }
      reports.append(report)
      stepIndex += 1
      try #require(stepIndex < 1_000, "the engine does not finish")
    }
    #expect(ids == Array(0..<requests.count))
    return (streamed, results, reports)
  }

  /// Every request's tokens equal `generate` for it alone with its seed, token for token, and the
  /// streamed tokens equal the final result's. Scores agree to 1e-3 per token: a prefill in
  /// other chunks than `generate`'s one chunk rounds the float32 logits differently (relative
  /// 1e-4, `SequenceModel`), and scores sum float64 log-probabilities of those logits.
  static func expectEqualsGenerate<Model: SequenceModel>(
    _ model: Model, configuration: EngineConfiguration,
    requests: [(arrivalStep: Int, request: ServingRequest)] = requests
  ) throws -> [StepReport] {
    let (streamed, results, reports) = try serve(model, configuration: configuration, requests: requests)
    for (id, (_, request)) in requests.enumerated() {
      let alone = try generate(model, prompt: request.prompt, options: request.options)[request.sample]
      let result = try #require(results[id])
      #expect(result.tokens == alone.tokens, "request \(id) of \(Model.self)")
      #expect(streamed[id] == alone.tokens)
      #expect(abs(result.score - alone.score) <= 1e-3 * Double(alone.tokens.count))
    }
    return reports
  }

  @Test func transformerOutputsEqualGenerate() throws {
    let reports = try Self.expectEqualsGenerate(
      EngineTestModels.transformer(), configuration: EngineConfiguration(maxBatch: 3, maxQueue: 8, prefillChunk: 4))
    #expect(reports.contains { $0.running == 3 })
    #expect(reports.contains { $0.waiting > 0 })
  }

  @Test func s4dOutputsEqualGenerate() throws {
    _ = try Self.expectEqualsGenerate(
      EngineTestModels.s4d(), configuration: EngineConfiguration(maxBatch: 4, maxQueue: 8, prefillChunk: 3))
  }

  @Test func gruOutputsEqualGenerate() throws {
    _ = try Self.expectEqualsGenerate(
      EngineTestModels.gru(), configuration: EngineConfiguration(maxBatch: 2, maxQueue: 8, prefillChunk: 32))
  }

  /// A budget of 40 transformer positions (2 · 2 blocks · 16 · 4 = 256 bytes each): the running
  /// requests outgrow it, the newest are preempted, re-read their prompt and tokens later, and
  /// still give `generate`'s tokens; the reserved estimate never exceeds the budget during a step.
  @Test func preemptionByRecomputeKeepsOutputs() throws {
    let model = try EngineTestModels.transformer()
    let memory = try RequestMemory(estimatedFor: model)
    #expect(memory == RequestMemory(fixedBytes: 0, bytesPerToken: 256))
    let reports = try Self.expectEqualsGenerate(
      model, configuration: EngineConfiguration(maxBatch: 4, maxQueue: 8, prefillChunk: 4, memoryBudget: 40 * 256))
    let preempted = reports.flatMap(\.events).filter { if case .preempted = $0 { true } else { false } }
    #expect(!preempted.isEmpty)
  }

  /// With room for one long request at a time, a second waits (it is admitted only when the first
  /// finishes) instead of being refused or lost.
  @Test func admissionWaitsForMemory() throws {
    let model = try EngineTestModels.transformer()
    let long = ServingRequest(prompt: Array(repeating: 1, count: 20), options: GenerationOptions(maxNewTokens: 5))
    let requests = [(0, long), (0, long)]
    let reports = try Self.expectEqualsGenerate(
      model, configuration: EngineConfiguration(maxBatch: 4, maxQueue: 4, prefillChunk: 8, memoryBudget: 30 * 256),
      requests: requests)
    #expect(reports.allSatisfy { $0.running == 1 })
    #expect(reports.first?.waiting == 1)
  }

  @Test func refusalsAreTypedAndNothingIsLost() throws {
    let model = try EngineTestModels.gru()
    var engine = try BatchingEngine(model: model, configuration: EngineConfiguration(maxBatch: 1, maxQueue: 2))
    let request = ServingRequest(prompt: [1, 2], options: GenerationOptions(maxNewTokens: 3))
    let (first, second) = (try engine.submit(request), try engine.submit(request))
    #expect((first, second) == (0, 1))
    #expect(throws: ServingError.queueFull(capacity: 2)) { try engine.submit(request) }
    #expect(engine.waitingCount == 2)
    _ = engine.step()
    #expect(engine.runningCount == 1 && engine.waitingCount == 1)
    let third = try engine.submit(request)
    #expect(third == 2)
    #expect(
      throws: ServingError.invalidRequest(.emptyPrompt),
      performing: { try engine.submit(ServingRequest(prompt: [], options: GenerationOptions(maxNewTokens: 1))) })
    let beam = GenerationOptions(maxNewTokens: 2, strategy: .beamSearch(BeamSearchParameters(numBeams: 2)))
    #expect(throws: ServingError.invalidRequest(.beamSearchNotStepwise)) {
      try engine.submit(ServingRequest(prompt: [1], options: beam))
    }
    #expect(throws: ServingError.invalidRequest(.sampleOutOfRange(1, samples: 1))) {
      try engine.submit(ServingRequest(prompt: [1], options: GenerationOptions(maxNewTokens: 2), sample: 1))
    }
    let (cancelled, cancelledAgain) = (engine.cancel(id: 2), engine.cancel(id: 2))
    #expect(cancelled && !cancelledAgain)
    var finished: Set<Int> = []
    while !engine.isIdle {
      for case .finished(let id, _) in engine.step().events { finished.insert(id) }
    }
    #expect(finished == [0, 1])
  }

  @Test func requestsThatCanNeverFitAndBadLimitsAreRefused() throws {
    let model = try EngineTestModels.transformer()
    var engine = try BatchingEngine(
      model: model, configuration: EngineConfiguration(maxBatch: 2, maxQueue: 2, memoryBudget: 10 * 256))
    // 8 prompt tokens + 3 new − 1 = 10 positions fit exactly; one more does not.
    _ = try engine.submit(ServingRequest(prompt: Array(repeating: 0, count: 8), options: .init(maxNewTokens: 3)))
    #expect(throws: ServingError.exceedsMemoryBudget(bytes: 11 * 256, budget: 10 * 256)) {
      try engine.submit(ServingRequest(prompt: Array(repeating: 0, count: 9), options: .init(maxNewTokens: 3)))
    }
    for bad in [
      EngineConfiguration(maxBatch: 0, maxQueue: 1), EngineConfiguration(maxBatch: 1, maxQueue: -1),
      EngineConfiguration(maxBatch: 1, maxQueue: 1, prefillChunk: 0),
      EngineConfiguration(maxBatch: 1, maxQueue: 1, memoryBudget: -1),
    ] {
      #expect(throws: ServingError.self) { try BatchingEngine(model: model, configuration: bad) }
    }
  }

  /// The family estimates: S4D `depth · H · N · 4` = 2·16·8·4 = 1024 fixed bytes, GRU
  /// `depth · H · 4` = 128, neither growing with the context.
  @Test func recurrentStatesHaveFixedSize() throws {
    #expect(
      try RequestMemory(estimatedFor: EngineTestModels.s4d()) == RequestMemory(fixedBytes: 1024, bytesPerToken: 0))
    #expect(try RequestMemory(estimatedFor: EngineTestModels.gru()) == RequestMemory(fixedBytes: 128, bytesPerToken: 0))
  }
}
