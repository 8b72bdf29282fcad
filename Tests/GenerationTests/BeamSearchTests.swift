import Foundation
import Generation
import Models
import TestSupport
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

  /// With `N` equal to the number of finished continuations (15 for `V = 3`, stop token 2, 3 new
  /// tokens) no candidate is ever cut by rank and the n-best list is never full before
  /// the end, so HuggingFace's rules reduce to: every continuation that stops at its first stop
  /// token or at the length limit, scored `Σ log p / n^α` with `n` its length.
  /// With two stop tokens (1 and 3 of `V = 4`), 22 continuations finish.
  @Test(arguments: [1.0, 2.0, -1.0, 0.0], [[2], [1, 3]])
  func exhaustiveBeamSearchWithStopTokensEqualsEnumeration(lengthPenalty: Double, stopTokens: [Int]) throws {
    let vocabulary = stopTokens.count == 1 ? 3 : 4
    let model = HistoryModel.hashed(vocabulary: vocabulary, seed: 8, scale: 1.5)
    let prompt = [1]
    var finished: [[Int]] = []
    for length in 1...3 {
      for tokens in allSequences(vocabulary: vocabulary, length: length)
      where !tokens.dropLast().contains(where: stopTokens.contains) {
        if stopTokens.contains(tokens.last!) || length == 3 { finished.append(tokens) }
      }
    }
    #expect(finished.count == (stopTokens.count == 1 ? 15 : 22))
    let expected = finished.map { tokens in
      (
        tokens: tokens,
        score: sumLogProbability(model, prompt: prompt, continuation: tokens) / pow(Double(tokens.count), lengthPenalty)
      )
    }.sorted { $0.score > $1.score }
    for earlyStopping in [EarlyStopping.whenFull, .heuristic, .never] {
      let parameters = BeamSearchParameters(
        numBeams: finished.count, lengthPenalty: lengthPenalty, earlyStopping: earlyStopping,
        numReturnSequences: finished.count)
      let results = try generate(
        model, prompt: prompt,
        options: GenerationOptions(maxNewTokens: 3, stopTokens: Set(stopTokens), strategy: .beamSearch(parameters)))
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
    // Two beams: [2] (rank 1 < N) is finalised; at the last step the top N candidates [0, 0]
    // and [0, 1] are finalised and tie ([0, 2], rank 2, is not), and the tie does not displace
    // [0, 0].
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
    // True: one finished hypothesis fills the list. False: the heuristic bound b / n^α, with b
    // the best running beam's sum log 0.4 and n = 1, is below the finished score, so it stops
    // too. "never": the bound b / 3^α ≈ −0.31 exceeds it.
    #expect(try run(.whenFull).tokens == [2])
    #expect(try run(.heuristic).tokens == [2])
    let never = try run(.never)
    #expect(never.tokens == [0, 0, 0])
    let expected = sumLogProbability(model, prompt: [1], continuation: [0, 0, 0]) / 3
    #expect(abs(never.score - expected) < 1e-9)
  }

  /// Random configurations (vocabulary, beams, 0 to 3 stop tokens, length penalty, early stopping
  /// and its bound, processors on log-probabilities or logits) against the transcription.
  @Test func beamSearchMatchesAReferenceImplementation() throws {
    var stoppedResults = 0
    var boundsDiffer = 0
    for seed: UInt64 in 0..<48 {
      let vocabulary = 4 + Int(seed % 3)
      let model = HistoryModel.hashed(vocabulary: vocabulary, seed: 100 + seed, scale: 1.5)
      let earlyStopping = [EarlyStopping.whenFull, .heuristic, .never][Int(seed % 3)]
      let lengthPenalty = [1.0, 0.0, 2.0, -0.5][Int(seed / 3 % 4)]
      let numBeams = 1 + Int(seed % 4)
      let stopTokens = [[], [1], [0, 3], [1, 2, 3]][Int(seed / 2 % 4)]
      let options = GenerationOptions(
        maxNewTokens: 6, stopTokens: Set(stopTokens), repetitionPenalty: seed.isMultiple(of: 4) ? 1.7 : 1,
        noRepeatNgramSize: seed % 5 == 1 ? 2 : 0, minNewTokens: seed % 7 == 2 ? 3 : 0,
        strategy: .greedy)
      var results: [EarlyStoppingBound: [[Int]]] = [:]
      for bound in [EarlyStoppingBound.bestRunningBeam, .bestCandidate] {
        let parameters = BeamSearchParameters(
          numBeams: numBeams, lengthPenalty: lengthPenalty, earlyStopping: earlyStopping, earlyStoppingBound: bound,
          processorInput: seed % 6 == 5 ? .logits : .logProbabilities, numReturnSequences: numBeams)
        var beamOptions = options
        beamOptions.strategy = .beamSearch(parameters)
        let generated = try generate(model, prompt: [2, 1], options: beamOptions)
        let reference = try referenceBeamSearch(model, prompt: [2, 1], options: beamOptions, parameters: parameters)
        expectEqual(generated, reference)
        stoppedResults += generated.count { stopTokens.contains($0.tokens.last!) }
        results[bound] = generated.map(\.tokens)
      }
      if results[.bestRunningBeam] != results[.bestCandidate] { boundsDiffer += 1 }
    }
    // The configurations exercise finished (stopped) hypotheses, not only the length limit, and
    // configurations where the two early-stopping bounds give different results.
    #expect(stoppedResults >= 20, "\(stoppedResults)")
    #expect(boundsDiffer >= 1, "\(boundsDiffer)")
  }

  /// With two stop tokens and one beam, HuggingFace's pool of `max(2, 1 + 2) · N = 3` candidates
  /// keeps a running beam when the two stop tokens rank first; a pool of `2N` does not, and loses
  /// the best hypothesis, which exhaustive enumeration finds.
  @Test func candidatePoolKeepsARunningBeamPastTwoStopTokens() throws {
    // After the prompt: π = (0.25, 0.4, 0.35) with stop tokens 1 and 2; afterwards token 0 is
    // almost certain. With α = 1: [1] scores log 0.4 ≈ −0.92, [0, 0] ≈ log(0.25) / 2 ≈ −0.69.
    let first = [log(0.25), log(0.4), log(0.35)]
    let model = HistoryModel(vocabulary: 3) { history in (history.count == 1 ? first : [10, 0, 0]).map(Float.init) }
    let parameters = BeamSearchParameters(numBeams: 1, lengthPenalty: 1, earlyStopping: .never)
    let options = GenerationOptions(maxNewTokens: 2, stopTokens: [1, 2], strategy: .beamSearch(parameters))
    var finishedContinuations: [[Int]] = []
    for length in 1...2 {
      for tokens in allSequences(vocabulary: 3, length: length) where !tokens.dropLast().contains(where: { $0 != 0 }) {
        if tokens.last != 0 || length == 2 { finishedContinuations.append(tokens) }
      }
    }
    let exhaustive = finishedContinuations.map { tokens in
      (tokens: tokens, score: sumLogProbability(model, prompt: [0], continuation: tokens) / Double(tokens.count))
    }.max { $0.score < $1.score }!
    #expect(exhaustive.tokens == [0, 0])
    let results = try generate(model, prompt: [0], options: options)
    expectEqual(results, [exhaustive])
    // The 2N pool ([1] and [2] only) leaves no running beam after step 1: it ends with [1].
    let twoN = try referenceBeamSearch(model, prompt: [0], options: options, parameters: parameters, poolMultiple: 2)
    #expect(twoN.map(\.tokens) == [[1]])
  }

  /// HuggingFace penalises log-probabilities and does not renormalise them; ``BeamProcessorInput/logits``
  /// penalises logits and renormalises.
  @Test func repetitionPenaltyActsOnLogProbabilitiesByDefault() throws {
    let logits: [Float] = [2, 1, 0]
    let model = HistoryModel.constant(logits)
    func run(_ input: BeamProcessorInput) throws -> GenerationResult {
      let parameters = BeamSearchParameters(numBeams: 1, lengthPenalty: 0, processorInput: input)
      return try generate(
        model, prompt: [0],
        options: GenerationOptions(maxNewTokens: 1, repetitionPenalty: 2, strategy: .beamSearch(parameters)))[0]
    }
    // log π = (−0.41, −1.41, −2.41): token 0, seen in the prompt, scores 2 · log π_0 ≈ −0.82.
    // Tolerance 1e-12: float64 log-softmax of 3 values, equal up to rounding order.
    let logProbabilities = referenceLogSoftmax(logits)
    let hf = try run(.logProbabilities)
    #expect(hf.tokens == [0])
    #expect(abs(hf.score - 2 * logProbabilities[0]) < 1e-12)
    // Logits (2 / 2, 1, 0) = (1, 1, 0): tokens 0 and 1 tie (the lower wins), log π_0 = 1 − log(2e + 1).
    let renormalized = try run(.logits)
    #expect(renormalized.tokens == [0])
    #expect(abs(renormalized.score - (1 - log(2 * exp(1) + 1))) < 1e-12)
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

/// A direct transcription of HuggingFace's `GenerationMixin._beam_search` (`_get_top_k_continuations`,
/// `_update_finished_beams`, `_get_running_beams_for_next_iteration`, `_check_early_stop_heuristic`,
/// `_beam_search_has_unfinished_sequences`) for one prompt, with only real beams kept. Each step's
/// scores come from the model's *parallel* forward over the whole sequence (no recurrent state);
/// the processors are written out here again, the n-gram ban through HuggingFace's dictionary of
/// n-gram prefixes. `poolMultiple` overrides the candidate pool `max(2, 1 + e)` (per beam).
func referenceBeamSearch(
  _ model: HistoryModel, prompt: [Int], options: GenerationOptions, parameters: BeamSearchParameters,
  poolMultiple: Int? = nil
) throws -> [(tokens: [Int], score: Double)] {
  let (numBeams, alpha, vocabulary) = (parameters.numBeams, parameters.lengthPenalty, model.vocabulary)
  let stops = options.stopTokens
  let pool = (poolMultiple ?? max(2, 1 + stops.count)) * numBeams
  func scores(_ generated: [Int]) throws -> [Double] {
    let sequence = prompt + generated
    let logits = try model.forward([sequence]).values[((sequence.count - 1) * vocabulary)...].map(Double.init)
    var scores = parameters.processorInput == .logProbabilities ? referenceLogSoftmax(logits) : logits
    for token in Set(sequence) {
      let penalty = options.repetitionPenalty
      scores[token] = scores[token] < 0 ? scores[token] * penalty : scores[token] / penalty
    }
    let n = options.noRepeatNgramSize
    if n > 0 && sequence.count >= n {
      var following: [[Int]: [Int]] = [:]
      for start in 0...(sequence.count - n) {
        following[Array(sequence[start..<(start + n - 1)]), default: []].append(sequence[start + n - 1])
      }
      for token in following[Array(sequence.suffix(n - 1))] ?? [] { scores[token] = -.infinity }
    }
    if generated.count < options.minNewTokens { for token in stops { scores[token] = -.infinity } }
    let removedAll = scores.allSatisfy { $0 == -.infinity }
    return parameters.processorInput == .logits && !removedAll ? referenceLogSoftmax(scores) : scores
  }
  var finished: [(score: Double, tokens: [Int])] = []
  var running: [(tokens: [Int], sum: Double)] = [([], 0)]
  var heuristicUnsatisfied = true
  for length in 1...options.maxNewTokens {
    var flat: [(sum: Double, index: Int)] = []
    for (beam, entry) in running.enumerated() {
      for (token, score) in try scores(entry.tokens).enumerated() where score > -.infinity {
        flat.append((entry.sum + score, beam * vocabulary + token))
      }
    }
    let top = flat.sorted { $0.sum > $1.sum || ($0.sum == $1.sum && $0.index < $1.index) }.prefix(pool).map {
      (tokens: running[$0.index / vocabulary].tokens + [$0.index % vocabulary], sum: $0.sum)
    }
    let hits = top.map { stops.contains($0.tokens.last!) || length == options.maxNewTokens }
    let full = finished.count == numBeams
    if heuristicUnsatisfied && !(full && parameters.earlyStopping == .whenFull) {
      let justFinished = top.indices.prefix(numBeams).filter { hits[$0] }.map {
        (score: top[$0].sum / pow(Double(length), alpha), tokens: top[$0].tokens)
      }
      finished = Array((finished + justFinished).sorted { $0.score > $1.score }.prefix(numBeams))
    }
    running = Array(top.indices.filter { !hits[$0] }.prefix(numBeams).map { top[$0] })
    guard let bestRunning = running.first else { break }
    let bestLength = parameters.earlyStopping == .never && alpha > 0 ? options.maxNewTokens : length
    let bounded = parameters.earlyStoppingBound == .bestRunningBeam ? bestRunning.sum : top[0].sum
    let worst = finished.count == numBeams ? finished.map(\.score).min()! : -1e9
    heuristicUnsatisfied = heuristicUnsatisfied && bounded / pow(Double(bestLength), alpha) > worst
    let openBeam = !(finished.count == numBeams && parameters.earlyStopping == .whenFull)
    if !heuristicUnsatisfied || !openBeam { break }
  }
  return finished.prefix(parameters.numReturnSequences).map { ($0.tokens, $0.score) }
}
