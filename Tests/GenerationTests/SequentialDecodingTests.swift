import Foundation
import Generation
import Models
import TestSupport
import Testing

@Suite struct SequentialDecodingTests {
  @Test func testModelStepAgreesWithForward() throws {
    let model = HistoryModel.hashed(vocabulary: 5, seed: 3)
    let tokens = [[0, 4, 2, 2, 1], [3, 3, 0, 1, 4]]
    let parallel = try model.forward(tokens)
    var state = try model.initialState(batchSize: 2)
    for t in 0..<5 {
      let logits = try model.step(tokens.map { $0[t] }, state: &state)
      for b in 0..<2 {
        #expect(
          Array(logits.values[(b * 5)..<(b * 5 + 5)])
            == Array(parallel.values[((b * 5 + t) * 5)..<((b * 5 + t) * 5 + 5)]))
      }
    }
  }

  @Test func greedyEqualsArgmaxDecodingByHand() throws {
    for seed: UInt64 in 0..<5 {
      let model = HistoryModel.hashed(vocabulary: 7, seed: seed)
      let prompt = [1, 5, 2]
      var state = try model.initialState(batchSize: 1)
      var logits: [Float] = []
      for token in prompt { logits = try model.step([token], state: &state).values }
      var expected: [Int] = []
      var score = 0.0
      for _ in 0..<12 {
        let best = logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) }!
        score += referenceLogSoftmax(logits)[best]
        expected.append(best)
        logits = try model.step([best], state: &state).values
      }
      let result = try generate(model, prompt: prompt, options: GenerationOptions(maxNewTokens: 12))
      #expect(result.count == 1)
      #expect(result[0].tokens == expected)
      #expect(abs(result[0].score - score) < 1e-9)
    }
  }

  @Test func stopTokensEndGenerationAndAreIncluded() throws {
    let model = HistoryModel.hashed(vocabulary: 6, seed: 11, scale: 0.7)
    let strategies: [DecodingStrategy] = [.greedy, .sampling(SamplingParameters(temperature: 1.3))]
    for strategy in strategies {
      let free = try generate(model, prompt: [0], options: GenerationOptions(maxNewTokens: 40, strategy: strategy))[0]
      // The first token that occurs after position 0 of the free run, used as the stop token.
      let position = try #require((1..<free.tokens.count).first { !free.tokens[..<$0].contains(free.tokens[$0]) })
      let stop = free.tokens[position]
      let stopped = try generate(
        model, prompt: [0], options: GenerationOptions(maxNewTokens: 40, stopTokens: [stop], strategy: strategy))[0]
      #expect(stopped.tokens == Array(free.tokens[...position]))
      #expect(stopped.tokens.last == stop)
      let prefixScore = try generate(
        model, prompt: [0], options: GenerationOptions(maxNewTokens: position + 1, strategy: strategy))[0].score
      #expect(abs(stopped.score - prefixScore) < 1e-12)
    }
  }

  @Test func repetitionPenaltyChangesGreedyChoices() throws {
    let raw: [Float] = [2, 1, 0, -1]
    let model = HistoryModel.constant(raw)
    // θ = 4: token 0 (seen in the prompt) drops to 0.5 < 1, so token 1 wins; then both 0 and 1
    // are penalised (0.5, 0.25) and token 0 wins for good.
    let penalised = try generate(
      model, prompt: [0], options: GenerationOptions(maxNewTokens: 3, repetitionPenalty: 4))[0]
    #expect(penalised.tokens == [1, 0, 0])
    let logProbabilities = referenceLogSoftmax(raw)
    #expect(abs(penalised.score - (logProbabilities[1] + 2 * logProbabilities[0])) < 1e-12)
    let plain = try generate(model, prompt: [0], options: GenerationOptions(maxNewTokens: 3))[0]
    #expect(plain.tokens == [0, 0, 0])
  }

  @Test func seededSamplingIsReproducible() throws {
    let model = HistoryModel.hashed(vocabulary: 8, seed: 5, scale: 1)
    let sampling = DecodingStrategy.sampling(SamplingParameters(temperature: 1, topK: 6, topP: 0.95))
    let first = try generate(
      model, prompt: [3], options: GenerationOptions(maxNewTokens: 30, strategy: sampling, seed: 1))
    let again = try generate(
      model, prompt: [3], options: GenerationOptions(maxNewTokens: 30, strategy: sampling, seed: 1))
    let other = try generate(
      model, prompt: [3], options: GenerationOptions(maxNewTokens: 30, strategy: sampling, seed: 2))
    #expect(first == again)
    // 30 draws from distributions of 5-6 plausible tokens: equal runs are overwhelmingly unlikely.
    #expect(first[0].tokens != other[0].tokens)
  }

  @Test func warpersNeverLeaveTheAllowedSet() throws {
    let probabilities: [Double] = [0.4, 0.05, 0.3, 0.15, 0.1]
    let model = HistoryModel.constant(probabilities.map { Float(log($0)) })
    let cases: [(SamplingParameters, Set<Int>)] = [
      (SamplingParameters(topK: 3), [0, 2, 3]),
      (SamplingParameters(topK: 1), [0]),
      (SamplingParameters(topP: 0.5), [0, 2]),
      (SamplingParameters(topP: 0.75), [0, 2, 3]),
      // T = 2: π ∝ √p = (.300, .106, .260, .184, .150); top-4 drops token 1; renormalised
      // (.336, .291, .206, .168): the nucleus of p = 0.6 is {0, 2}.
      (SamplingParameters(temperature: 2, topK: 4, topP: 0.6), [0, 2]),
      // The sets below come from a numpy transcription of HuggingFace's warpers, applied in
      // HuggingFace's order; the opposite order gives the set in the comment.
      (SamplingParameters(minP: 0.3), [0, 2, 3]),
      (SamplingParameters(typicalP: 0.5), [0, 2]),
      (SamplingParameters(typicalP: 0.9), [0, 2, 3, 4]),
      // Temperature before min-p (min-p before temperature: {0, 2, 3}).
      (SamplingParameters(temperature: 0.5, minP: 0.3), [0, 2]),
      // Top-k before typical (typical before top-k: {0, 2, 3}).
      (SamplingParameters(temperature: 2, topK: 3, typicalP: 0.5), [0, 2]),
    ]
    for (parameters, allowed) in cases {
      var seen: Set<Int> = []
      for seed: UInt64 in 0..<10 {
        let tokens = try generate(
          model, prompt: [1],
          options: GenerationOptions(maxNewTokens: 50, strategy: .sampling(parameters), seed: seed))[0].tokens
        seen.formUnion(tokens)
      }
      #expect(seen == allowed, "\(parameters)")
    }
  }

  @Test func topKOfOneEqualsGreedy() throws {
    for seed: UInt64 in 0..<4 {
      let model = HistoryModel.hashed(vocabulary: 9, seed: seed)
      let greedy = try generate(model, prompt: [2, 2], options: GenerationOptions(maxNewTokens: 15))
      let sampled = try generate(
        model, prompt: [2, 2],
        options: GenerationOptions(
          maxNewTokens: 15, strategy: .sampling(SamplingParameters(temperature: 3, topK: 1)), seed: seed))
      #expect(sampled == greedy)
    }
  }

  @Test(arguments: [1.0, 0.5])
  func samplingFrequenciesMatchTheSoftmax(temperature: Double) throws {
    let raw: [Float] = [0.5, -0.3, 1.2, 0.0]
    let model = HistoryModel.constant(raw)
    let draws = 20_000
    let tokens = try generate(
      model, prompt: [0],
      options: GenerationOptions(
        maxNewTokens: draws, strategy: .sampling(SamplingParameters(temperature: temperature)), seed: 99))[0].tokens
    #expect(tokens.count == draws)
    let expected = referenceLogSoftmax(raw.map { Float(Double($0) / temperature) }).map { exp($0) }
    for token in 0..<4 {
      let frequency = Double(tokens.count { $0 == token }) / Double(draws)
      // Five binomial standard deviations: a false alarm has probability below 1e-6 per token.
      let tolerance = 5 * (expected[token] * (1 - expected[token]) / Double(draws)).squareRoot()
      #expect(abs(frequency - expected[token]) <= tolerance, "token \(token): \(frequency) vs \(expected[token])")
    }
  }

  @Test func minNewTokensNeverEmitsAStopTokenEarly() throws {
    let model = HistoryModel.hashed(vocabulary: 5, seed: 17, scale: 1)
    let stopTokens: Set<Int> = [0, 1]
    let strategies =
      [DecodingStrategy.greedy] + (0..<3).map { .sampling(SamplingParameters(temperature: 1.5 - 0.4 * Double($0))) }
    var earlyWithout = 0
    for strategy in strategies {
      for seed: UInt64 in 0..<40 {
        for minNewTokens in [0, 4] {
          let tokens = try generate(
            model, prompt: [2],
            options: GenerationOptions(
              maxNewTokens: 10, stopTokens: stopTokens, minNewTokens: minNewTokens, strategy: strategy, seed: seed)
          )[0].tokens
          let firstStop = tokens.firstIndex(where: stopTokens.contains)
          if minNewTokens == 0 {
            if let firstStop, firstStop < 4 { earlyWithout += 1 }
          } else {
            #expect((firstStop ?? 10) >= 4, "\(strategy) seed \(seed): \(tokens)")
            #expect(firstStop == nil ? tokens.count == 10 : firstStop == tokens.count - 1)
          }
        }
      }
    }
    // Without the minimum, many runs stop within their first 4 tokens.
    #expect(earlyWithout > 20, "\(earlyWithout)")
  }

  @Test(arguments: [2, 3])
  func noRepeatNgramNeverRepeatsAnNgram(size: Int) throws {
    let model = HistoryModel.hashed(vocabulary: 8, seed: 29, scale: 1)
    let prompt = [3, 5, 3]
    var repeatsWithout = 0
    for seed: UInt64 in 0..<60 {
      for ngram in [0, size] {
        let tokens = try generate(
          model, prompt: prompt,
          options: GenerationOptions(
            maxNewTokens: 14, noRepeatNgramSize: ngram, strategy: .sampling(SamplingParameters(temperature: 0.7)),
            seed: seed)
        )[0].tokens
        let sequence = prompt + tokens
        let ngrams = (0...(sequence.count - size)).map { Array(sequence[$0..<($0 + size)]) }
        if ngram == 0 {
          if Set(ngrams).count < ngrams.count { repeatsWithout += 1 }
        } else {
          #expect(Set(ngrams).count == ngrams.count, "seed \(seed): \(sequence)")
        }
      }
    }
    // Without the processor, some runs repeat an n-gram (the test is not vacuous).
    #expect(repeatsWithout >= 5, "\(repeatsWithout)")
  }

  @Test func noRepeatNgramGreedyByHand() throws {
    // Constant logits favour 0, then 1, 2, 3. With n = 2 after the prompt [0]: 0 (no bigram yet),
    // then (0 0) exists so 1, then nothing follows 1 so 0, then 0 was followed by 0 and 1 so 2,
    // then 0, then 3, then 0; then every follower of 0 is taken and no token is allowed.
    let model = HistoryModel.constant([2, 1, 0, -1])
    let options = GenerationOptions(maxNewTokens: 7, noRepeatNgramSize: 2)
    #expect(try generate(model, prompt: [0], options: options)[0].tokens == [0, 1, 0, 2, 0, 3, 0])
    #expect(throws: GenerationError.noTokenAllowed(step: 7)) {
      try generate(model, prompt: [0], options: GenerationOptions(maxNewTokens: 8, noRepeatNgramSize: 2))
    }
  }

  @Test func numReturnSamplesEqualSeparateSeededRuns() throws {
    let model = HistoryModel.hashed(vocabulary: 6, seed: 41, scale: 1)
    for seed: UInt64 in [7, .max - 1] {
      let parameters = SamplingParameters(temperature: 1.2, topK: 5, numReturnSequences: 4)
      let samples = try generate(
        model, prompt: [1, 2], options: GenerationOptions(maxNewTokens: 12, strategy: .sampling(parameters), seed: seed)
      )
      #expect(samples.count == 4)
      var single = parameters
      single.numReturnSequences = 1
      for (index, sample) in samples.enumerated() {
        let separate = try generate(
          model, prompt: [1, 2],
          options: GenerationOptions(maxNewTokens: 12, strategy: .sampling(single), seed: seed &+ UInt64(index)))
        #expect(separate == [sample], "seed \(seed) sample \(index)")
      }
      // Distinct seeds: 4 runs of 12 draws from ~5 plausible tokens differ.
      #expect(Set(samples.map(\.tokens)).count == 4)
    }
  }
}
