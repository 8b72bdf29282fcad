import Generation
import Models
import Testing

@Suite struct SequentialDecoderTests {
  /// Driving a decoder by hand, one model step per token, gives `generate`'s results exactly
  /// (the same logits, the same decisions) for greedy decoding and every sample of a sampling run.
  @Test func drivenByHandEqualsGenerate() throws {
    let model = HistoryModel.hashed(vocabulary: 7, seed: 21)
    let prompt = [2, 6, 1]
    let sampling = GenerationOptions(
      maxNewTokens: 15, stopTokens: [0], repetitionPenalty: 1.2,
      strategy: .sampling(SamplingParameters(temperature: 0.9, topK: 4, numReturnSequences: 3)), seed: 8)
    for options in [GenerationOptions(maxNewTokens: 15, noRepeatNgramSize: 2), sampling] {
      let expected = try generate(model, prompt: prompt, options: options)
      for (sample, reference) in expected.enumerated() {
        var decoder = try SequentialDecoder(for: model, prompt: prompt, options: options, sample: sample)
        var state = try model.initialState(batchSize: 1)
        var logits = try model.prefill([prompt], state: &state).values.suffix(7)
        while !decoder.isFinished {
          let token = try decoder.next(logits: logits)
          if !decoder.isFinished { logits = try model.step([token], state: &state).values[...] }
        }
        #expect(decoder.result == reference)
        #expect(decoder.history == prompt + reference.tokens)
        #expect(throws: GenerationError.decoderFinished) { try decoder.next(logits: logits) }
      }
    }
  }

  @Test func refusesWhatItCannotDecode() throws {
    let model = HistoryModel.hashed(vocabulary: 5, seed: 1)
    let beam = GenerationOptions(maxNewTokens: 3, strategy: .beamSearch(BeamSearchParameters(numBeams: 2)))
    #expect(throws: GenerationError.beamSearchNotStepwise) {
      try SequentialDecoder(for: model, prompt: [1], options: beam)
    }
    #expect(throws: GenerationError.sampleOutOfRange(1, samples: 1)) {
      try SequentialDecoder(for: model, prompt: [1], options: GenerationOptions(maxNewTokens: 3), sample: 1)
    }
    let two = GenerationOptions(maxNewTokens: 3, strategy: .sampling(SamplingParameters(numReturnSequences: 2)))
    #expect(throws: GenerationError.sampleOutOfRange(2, samples: 2)) {
      try SequentialDecoder(for: model, prompt: [1], options: two, sample: 2)
    }
    #expect(throws: GenerationError.emptyPrompt) {
      try SequentialDecoder(for: model, prompt: [], options: GenerationOptions(maxNewTokens: 3))
    }
    var decoder = try SequentialDecoder(for: model, prompt: [1], options: GenerationOptions(maxNewTokens: 3))
    #expect(throws: GenerationError.nonFiniteLogits(step: 0)) {
      try decoder.next(logits: [0, .nan, 1, 2, 3][...])
    }
    #expect(decoder.tokens.isEmpty)
  }
}
