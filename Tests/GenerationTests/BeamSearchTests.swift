import Foundation
import Generation
import Models
import Testing

@Suite struct BeamSearchTests {
  /// Sum of log-probabilities of `continuation` after `prompt`, from the model's logits function.
  func sumLogProbability(_ model: HistoryModel, prompt: [Int], continuation: [Int]) -> Double {
    continuation.indices.reduce(0) { sum, t in
      sum + referenceLogSoftmax(model.logitsAfter(prompt + continuation[..<t]))[continuation[t]]
    }
  }

  /// Expects `results` to equal `expected` (best first) in tokens, and in scores to 1e-9.
  func expectEqual(_ results: [GenerationResult], _ expected: [(tokens: [Int], score: Double)]) {
    #expect(results.map(\.tokens) == expected.map(\.tokens))
    for (result, reference) in zip(results, expected) {
      #expect(abs(result.score - reference.score) < 1e-9, "\(result.tokens)")
    }
  }

  @Test(arguments: [1.0, 0.5, -0.7, 2.0])
  func exhaustiveBeamSearchEqualsEnumeration(lengthPenalty: Double) throws {
    let (vocabulary, length) = (3, 3)
    let model = HistoryModel.hashed(vocabulary: vocabulary, seed: 21)
    let prompt = [2, 0]
    let expected = allSequences(vocabulary: vocabulary, length: length).map { tokens in
      (tokens: tokens, score: sumLogProbability(model, prompt: prompt, continuation: tokens) / pow(3, lengthPenalty))
    }.sorted { $0.score > $1.score }
    for returned in [27, 5] {
      let parameters = BeamSearchParameters(numBeams: 27, lengthPenalty: lengthPenalty, numReturnSequences: returned)
      let results = try generate(
        model, prompt: prompt, options: GenerationOptions(maxNewTokens: length, strategy: .beamSearch(parameters)))
      #expect(results.count == returned)
      expectEqual(results, Array(expected.prefix(returned)))
    }
  }

  /// With `N` at least the number of finished continuations (15 for `V = 3`, stop token 2,
  /// 3 new tokens) no candidate is ever cut by rank and the n-best list is never full before
  /// the end, so HuggingFace's rules reduce to: every continuation that stops at its first stop
  /// token or at the length limit, scored `Σ log p / n^α` with `n` its length.
  @Test(arguments: [1.0, 2.0, -1.0, 0.0])
  func exhaustiveBeamSearchWithStopTokenEqualsEnumeration(lengthPenalty: Double) throws {
    let model = HistoryModel.hashed(vocabulary: 3, seed: 8, scale: 1.5)
    let prompt = [1]
    var finished: [[Int]] = []
    for length in 1...3 {
      for tokens in allSequences(vocabulary: 3, length: length) where !tokens.dropLast().contains(2) {
        if tokens.last == 2 || length == 3 { finished.append(tokens) }
      }
    }
    #expect(finished.count == 15)
    let expected = finished.map { tokens in
      (
        tokens: tokens,
        score: sumLogProbability(model, prompt: prompt, continuation: tokens) / pow(Double(tokens.count), lengthPenalty)
      )
    }.sorted { $0.score > $1.score }
    for earlyStopping in [EarlyStopping.whenFull, .heuristic, .never] {
      let parameters = BeamSearchParameters(
        numBeams: 15, lengthPenalty: lengthPenalty, earlyStopping: earlyStopping, numReturnSequences: 15)
      let results = try generate(
        model, prompt: prompt,
        options: GenerationOptions(maxNewTokens: 3, stopTokens: [2], strategy: .beamSearch(parameters)))
      expectEqual(results, expected)
    }
  }

  @Test func oneBeamEqualsGreedy() throws {
    for seed: UInt64 in 0..<6 {
      let model = HistoryModel.hashed(vocabulary: 5, seed: seed, scale: 1)
      for lengthPenalty in [1.0, 0.3] {
        let stopTokens: Set<Int> = seed.isMultiple(of: 2) ? [] : [4]
        let greedy = try generate(
          model, prompt: [0, 1], options: GenerationOptions(maxNewTokens: 10, stopTokens: stopTokens))[0]
        let beam = try generate(
          model, prompt: [0, 1],
          options: GenerationOptions(
            maxNewTokens: 10, stopTokens: stopTokens,
            strategy: .beamSearch(BeamSearchParameters(numBeams: 1, lengthPenalty: lengthPenalty))))
        #expect(beam.map(\.tokens) == [greedy.tokens])
        #expect(abs(beam[0].score - greedy.score / pow(Double(greedy.tokens.count), lengthPenalty)) < 1e-9)
      }
    }
  }

  /// Logits from a table of histories (prompt included); unlisted histories are uniform.
  func tableModel(_ table: [[Int]: [Double]]) -> HistoryModel {
    HistoryModel(vocabulary: 3) { history in (table[history] ?? [0, 0, 0]).map(Float.init) }
  }

  @Test func stopCandidateIsFinalisedOnlyWithinTheTopNumBeams() throws {
    // After the prompt: token 0 (p ≈ 0.49) ranks first, the stop token 2 (p ≈ 0.44) second;
    // afterwards the distribution is uniform, so [2] (sum ≈ −0.81) would beat every
    // two-token continuation (sum ≤ log 0.49 + log ⅓ ≈ −1.81) if it were finalised.
    let model = HistoryModel(vocabulary: 3) { history in history == [0] ? [2, 0, 1.9] : [0, 0, 0] }
    func run(numBeams: Int) throws -> [[Int]] {
      let parameters = BeamSearchParameters(numBeams: numBeams, lengthPenalty: 0, numReturnSequences: numBeams)
      return try generate(
        model, prompt: [0],
        options: GenerationOptions(maxNewTokens: 2, stopTokens: [2], strategy: .beamSearch(parameters))
      ).map(\.tokens)
    }
    // One beam: [2] has rank 1 ≥ N and is skipped; [0, 0] (ties go to the lower token) runs
    // to the length limit.
    #expect(try run(numBeams: 1) == [[0, 0]])
    // Two beams: [2] (rank 1 < N) is finalised; at step 2, [0, 2] has rank 2 ≥ N and is
    // skipped, [0, 0] and [0, 1] run and tie, and the tie does not displace [0, 0].
    #expect(try run(numBeams: 2) == [[2], [0, 0]])
  }

  @Test func earlyStoppingModes() throws {
    // After the prompt, the stop token 2 is most likely (0.5), token 0 next (0.4); afterwards
    // token 0 is almost certain. With α = 1, [2] scores log 0.5 ≈ −0.69 and [0, 0, 0] scores
    // ≈ log(0.4) / 3 ≈ −0.31.
    let stopFirst = [log(0.4), log(0.1), log(0.5)]
    let model = HistoryModel(vocabulary: 3) { history in
      (history.count == 1 ? stopFirst : [10, 0, 0]).map(Float.init)
    }
    func run(_ earlyStopping: EarlyStopping) throws -> GenerationResult {
      let parameters = BeamSearchParameters(numBeams: 1, lengthPenalty: 1, earlyStopping: earlyStopping)
      return try generate(
        model, prompt: [1],
        options: GenerationOptions(maxNewTokens: 3, stopTokens: [2], strategy: .beamSearch(parameters))
      )[0]
    }
    // True: one finished hypothesis fills the list. False: the heuristic bound b / n^α with
    // n = 1 equals the finished score, so it stops too. "never": the bound b / 3^α exceeds it.
    #expect(try run(.whenFull).tokens == [2])
    #expect(try run(.heuristic).tokens == [2])
    let never = try run(.never)
    #expect(never.tokens == [0, 0, 0])
    let expected = sumLogProbability(model, prompt: [1], continuation: [0, 0, 0]) / 3
    #expect(abs(never.score - expected) < 1e-9)
  }

  @Test func beamSearchMatchesAReferenceImplementation() throws {
    var stoppedResults = 0
    for seed: UInt64 in 0..<24 {
      let model = HistoryModel.hashed(vocabulary: 4 + Int(seed % 3), seed: 100 + seed, scale: 1.5)
      let earlyStopping = [EarlyStopping.whenFull, .heuristic, .never][Int(seed % 3)]
      let lengthPenalty = [1.0, 0.0, 2.0, -0.5][Int(seed / 3 % 4)]
      let numBeams = 1 + Int(seed % 4)
      let stopTokens: Set<Int> = seed.isMultiple(of: 5) ? [] : (seed.isMultiple(of: 2) ? [0, 3] : [1])
      let repetitionPenalty = seed.isMultiple(of: 4) ? 1.7 : 1
      let parameters = BeamSearchParameters(
        numBeams: numBeams, lengthPenalty: lengthPenalty, earlyStopping: earlyStopping, numReturnSequences: numBeams)
      let options = GenerationOptions(
        maxNewTokens: 6, stopTokens: stopTokens, repetitionPenalty: repetitionPenalty,
        strategy: .beamSearch(parameters))
      let results = try generate(model, prompt: [2, 1], options: options)
      let reference = try referenceBeamSearch(model, prompt: [2, 1], options: options, parameters: parameters)
      expectEqual(results, reference)
      stoppedResults += results.count { stopTokens.contains($0.tokens.last!) }
    }
    // The configurations exercise finished (stopped) hypotheses, not only the length limit.
    #expect(stoppedResults >= 10, "\(stoppedResults)")
  }

  @Test func returnsEveryContinuationWhenFewerThanRequestedExist() throws {
    let model = HistoryModel.hashed(vocabulary: 2, seed: 4)
    let parameters = BeamSearchParameters(numBeams: 4, numReturnSequences: 4)
    let results = try generate(
      model, prompt: [0], options: GenerationOptions(maxNewTokens: 1, strategy: .beamSearch(parameters)))
    #expect(Set(results.map(\.tokens)) == [[0], [1]])
    #expect(results[0].score >= results[1].score)
  }
}

/// A direct transcription of HuggingFace's `BeamSearchScorer.process` / `finalize` and
/// `BeamHypotheses` for one prompt, scoring each candidate from the model's *parallel* forward
/// over the whole sequence (no recurrent state), with only real beams kept.
func referenceBeamSearch(
  _ model: HistoryModel, prompt: [Int], options: GenerationOptions, parameters: BeamSearchParameters
) throws -> [(tokens: [Int], score: Double)] {
  let (numBeams, alpha, vocabulary) = (parameters.numBeams, parameters.lengthPenalty, model.vocabulary)
  func logProbabilities(_ generated: [Int]) throws -> [Double] {
    let sequence = prompt + generated
    var logits = try model.forward([sequence]).values[((sequence.count - 1) * vocabulary)...].map(Double.init)
    for token in Set(sequence) {
      let penalty = options.repetitionPenalty
      logits[token] = logits[token] < 0 ? logits[token] * penalty : logits[token] / penalty
    }
    return referenceLogSoftmax(logits)
  }
  var hypotheses: [(score: Double, tokens: [Int])] = []
  var worst = 1e9
  func add(_ tokens: [Int], _ sum: Double) {
    let score = sum / pow(Double(tokens.count), alpha)
    guard hypotheses.count < numBeams || score > worst else { return }
    hypotheses.append((score, tokens))
    if hypotheses.count > numBeams {
      let sorted = hypotheses.indices.map { (hypotheses[$0].score, $0) }.sorted { $0 < $1 }
      hypotheses.remove(at: sorted[0].1)
      worst = sorted[1].0
    } else {
      worst = min(score, worst)
    }
  }
  func isDone(_ best: Double, _ length: Int) -> Bool {
    if hypotheses.count < numBeams { return false }
    switch parameters.earlyStopping {
    case .whenFull: return true
    case .heuristic: return worst >= best / pow(Double(length), alpha)
    case .never:
      let bound = alpha > 0 ? options.maxNewTokens : length
      return worst >= best / pow(Double(bound), alpha)
    }
  }
  var beams: [(tokens: [Int], sum: Double)] = [([], 0)]
  var done = false
  for length in 1...options.maxNewTokens {
    var scores: [(sum: Double, flat: Int)] = []
    for (index, beam) in beams.enumerated() {
      for (token, logProbability) in try logProbabilities(beam.tokens).enumerated() {
        scores.append((beam.sum + logProbability, index * vocabulary + token))
      }
    }
    let top = scores.sorted { $0.sum > $1.sum || ($0.sum == $1.sum && $0.flat < $1.flat) }.prefix(2 * numBeams)
    var next: [(tokens: [Int], sum: Double)] = []
    for (rank, candidate) in top.enumerated() {
      let (beam, token) = (candidate.flat / vocabulary, candidate.flat % vocabulary)
      if options.stopTokens.contains(token) {
        if rank >= numBeams { continue }
        add(beams[beam].tokens + [token], candidate.sum)
      } else {
        next.append((beams[beam].tokens + [token], candidate.sum))
      }
      if next.count == numBeams { break }
    }
    done = isDone(top.first!.sum, length)
    beams = next
    if done || beams.isEmpty { break }
  }
  if !done { for beam in beams { add(beam.tokens, beam.sum) } }
  let order = hypotheses.indices.sorted { (hypotheses[$0].score, $0) > (hypotheses[$1].score, $1) }
  return order.prefix(parameters.numReturnSequences).map { (hypotheses[$0].tokens, hypotheses[$0].score) }
}
