import Generation
import Models
import Testing

@Suite struct GenerationErrorTests {
  let model = HistoryModel.hashed(vocabulary: 4, seed: 1, contextLimit: 6)

  func expectError(
    _ error: GenerationError, prompt: [Int] = [0, 1], options: GenerationOptions,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(throws: error, sourceLocation: sourceLocation) { try generate(model, prompt: prompt, options: options) }
    #expect(!error.description.isEmpty)
  }

  func sampling(_ parameters: SamplingParameters) -> GenerationOptions {
    GenerationOptions(maxNewTokens: 2, strategy: .sampling(parameters))
  }

  func beams(_ parameters: BeamSearchParameters) -> GenerationOptions {
    GenerationOptions(maxNewTokens: 2, strategy: .beamSearch(parameters))
  }

  @Test func invalidPromptsAndLengths() {
    expectError(.emptyPrompt, prompt: [], options: GenerationOptions(maxNewTokens: 2))
    expectError(
      .promptTokenOutOfRange(token: 4, vocabulary: 4), prompt: [0, 4], options: GenerationOptions(maxNewTokens: 2))
    expectError(
      .promptTokenOutOfRange(token: -1, vocabulary: 4), prompt: [-1], options: GenerationOptions(maxNewTokens: 2))
    expectError(
      .stopTokenOutOfRange(token: 9, vocabulary: 4), options: GenerationOptions(maxNewTokens: 2, stopTokens: [1, 9]))
    expectError(.invalidMaxNewTokens(0), options: GenerationOptions(maxNewTokens: 0))
    expectError(
      .contextLimitExceeded(promptLength: 2, maxNewTokens: 5, limit: 6), options: GenerationOptions(maxNewTokens: 5))
    #expect(throws: Never.self) { try generate(model, prompt: [0, 1], options: GenerationOptions(maxNewTokens: 4)) }
  }

  @Test func invalidProcessingOptions() {
    for penalty in [0, -1, Double.nan, .infinity] {
      let options = GenerationOptions(maxNewTokens: 2, repetitionPenalty: penalty)
      #expect(throws: GenerationError.self) { try generate(model, prompt: [0], options: options) }
    }
    expectError(.invalidRepetitionPenalty(0), options: GenerationOptions(maxNewTokens: 2, repetitionPenalty: 0))
    expectError(.invalidTemperature(0), options: sampling(SamplingParameters(temperature: 0)))
    expectError(.invalidTemperature(-1), options: sampling(SamplingParameters(temperature: -1)))
    expectError(.invalidTemperature(.infinity), options: sampling(SamplingParameters(temperature: .infinity)))
    #expect(throws: GenerationError.self) {
      try generate(model, prompt: [0], options: sampling(SamplingParameters(temperature: .nan)))
    }
    expectError(.invalidTopK(0), options: sampling(SamplingParameters(topK: 0)))
    expectError(.invalidTopP(0), options: sampling(SamplingParameters(topP: 0)))
    expectError(.invalidTopP(1.5), options: sampling(SamplingParameters(topP: 1.5)))
    #expect(throws: GenerationError.self) {
      try generate(model, prompt: [0], options: sampling(SamplingParameters(topP: .nan)))
    }
    expectError(.invalidMinP(-0.1), options: sampling(SamplingParameters(minP: -0.1)))
    expectError(.invalidMinP(1.5), options: sampling(SamplingParameters(minP: 1.5)))
    expectError(.invalidTypicalP(0), options: sampling(SamplingParameters(typicalP: 0)))
    expectError(.invalidTypicalP(1.01), options: sampling(SamplingParameters(typicalP: 1.01)))
    for parameters in [SamplingParameters(minP: .nan), SamplingParameters(typicalP: .nan)] {
      #expect(throws: GenerationError.self) { try generate(model, prompt: [0], options: sampling(parameters)) }
    }
    expectError(.invalidNumSamples(0), options: sampling(SamplingParameters(numReturnSequences: 0)))
    expectError(.invalidNoRepeatNgramSize(-1), options: GenerationOptions(maxNewTokens: 2, noRepeatNgramSize: -1))
    expectError(.invalidMinNewTokens(-2), options: GenerationOptions(maxNewTokens: 2, minNewTokens: -2))
    #expect(throws: Never.self) {
      try generate(
        model, prompt: [0, 1],
        options: GenerationOptions(
          maxNewTokens: 2, noRepeatNgramSize: 0, minNewTokens: 0,
          strategy: .sampling(SamplingParameters(minP: 0, typicalP: 1))))
    }
    expectError(.invalidNumBeams(0), options: beams(BeamSearchParameters(numBeams: 0)))
    expectError(
      .invalidNumReturnSequences(3, numBeams: 2),
      options: beams(BeamSearchParameters(numBeams: 2, numReturnSequences: 3)))
    expectError(
      .invalidNumReturnSequences(0, numBeams: 2),
      options: beams(BeamSearchParameters(numBeams: 2, numReturnSequences: 0)))
    expectError(
      .invalidLengthPenalty(.infinity), options: beams(BeamSearchParameters(numBeams: 2, lengthPenalty: .infinity)))
  }

  @Test func nonFiniteLogitsNameTheStep() {
    // NaN logits once the history holds the prompt (2 tokens) and 2 generated tokens: the
    // distribution of new token 2.
    let broken = HistoryModel(vocabulary: 3) { history in history.count == 4 ? [0, .nan, 0] : [1, 0, 0] }
    let strategies: [DecodingStrategy] = [
      .greedy, .sampling(SamplingParameters()), .beamSearch(BeamSearchParameters(numBeams: 2)),
    ]
    for strategy in strategies {
      #expect(throws: GenerationError.nonFiniteLogits(step: 2)) {
        try generate(broken, prompt: [0, 1], options: GenerationOptions(maxNewTokens: 4, strategy: strategy))
      }
    }
    let infiniteAtPrompt = HistoryModel(vocabulary: 3) { _ in [0, .infinity, 0] }
    #expect(throws: GenerationError.nonFiniteLogits(step: 0)) {
      try generate(infiniteAtPrompt, prompt: [0], options: GenerationOptions(maxNewTokens: 1))
    }
    // Every token a stop token and a minimum length: nothing is allowed, for every strategy.
    for strategy in strategies {
      #expect(throws: GenerationError.noTokenAllowed(step: 0)) {
        try generate(
          HistoryModel.constant([0, 1]), prompt: [0],
          options: GenerationOptions(maxNewTokens: 3, stopTokens: [0, 1], minNewTokens: 1, strategy: strategy))
      }
    }
    let tinyTemperature = sampling(SamplingParameters(temperature: 1e-308))
    #expect(throws: GenerationError.processedLogitsOverflow(step: 0)) {
      try generate(HistoryModel.constant([100, 1]), prompt: [0], options: tinyTemperature)
    }
  }
}
