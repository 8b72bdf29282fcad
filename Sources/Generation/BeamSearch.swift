import Models

/// One running beam: its generated tokens, their log-probability sum, the model state after
/// reading all but the last of them, the logits of its next token and its constraint state
/// (`nil` without a constraint).
struct Beam<State> {
  var tokens: [Int]
  var sumLogProbability: Double
  var state: State
  var logits: [Double]
  var constraintState: Int?
}

/// HuggingFace beam search (`GenerationMixin._beam_search` semantics) for one prompt.
///
/// Start: one running beam (the prompt). Step `n = 1, 2, …` (generated length `n`), with `e`
/// stop tokens and `K = max(2, 1 + e) · N` candidates kept:
/// 1. every running beam `b` with sum `S_b` proposes each token `v` with sum `S_b + ℓ_b(v)`,
///    `ℓ_b` its processed scores (``BeamProcessorInput``; float64); removed tokens (`−∞`)
///    propose nothing;
/// 2. the top `K` candidates over all beams are ranked by sum descending (ties: lower beam,
///    then lower token). A candidate of rank `< N` that ends in a stop token, or any candidate
///    of rank `< N` when `n = maxNewTokens`, is added to the n-best list (``BeamHypotheses``,
///    length `n`, stop token included); the first `N` candidates in rank order that do not end
///    in a stop token become the running beams. `K` leaves at least `N` such candidates
///    whenever `N` exist: each of the `N` beams proposes at most `e` stop tokens;
/// 3. the search stops at `n = maxNewTokens`, when no beam is running, or when the n-best list
///    is done (``BeamHypotheses/isDone(bestSum:length:)`` with the sum ``EarlyStoppingBound``
///    names).
///
/// Unlike HuggingFace, which starts with `N` copies of the prompt of which `N − 1` score `−1e9`
/// and so can fill the beams and the n-best list with such filler, only real continuations
/// are kept: fewer than `N` beams run while fewer than `N` continuations exist, and the search
/// ends (instead of running stopped or removed candidates at `−1e9`) when no candidate continues.
///
/// With a constraint, each beam carries its own constraint state, masked in step 1 and advanced
/// by the beam's token when it forks.
///
/// Cost: each beam keeps its own batch-1 `State` value; a beam forks by copying its parent's
/// state (a full copy of, e.g., a KV cache or SSM state once it is mutated) and each beam costs
/// one batch-1 `SequenceModel.step(_:state:)` per token: `N` model calls per step
/// instead of one batch-`N` call.
func beamSearch<Model: SequenceModel>(
  _ model: Model, prompt: [Int], options: GenerationOptions, parameters: BeamSearchParameters
) throws -> [GenerationResult] {
  let numBeams = parameters.numBeams
  let kept = max(2, 1 + options.stopTokens.count) * numBeams
  let (state, logits) = try readPrompt(model, prompt: prompt)
  var running = [
    Beam(tokens: [], sumLogProbability: 0, state: state, logits: logits, constraintState: options.constraint?.start)
  ]
  var finished = BeamHypotheses(
    capacity: numBeams, lengthPenalty: parameters.lengthPenalty, earlyStopping: parameters.earlyStopping,
    maxNewTokens: options.maxNewTokens)
  for step in 0..<options.maxNewTokens {
    var candidates: [(sum: Double, beam: Int, token: Int)] = []
    for (index, beam) in running.enumerated() {
      let scores = try processedScores(beam, prompt: prompt, options: options, parameters: parameters, step: step)
      for (token, score) in scores.enumerated() where score > -.infinity {
        candidates.append((beam.sumLogProbability + score, index, token))
      }
    }
    guard !candidates.isEmpty else { throw GenerationError.noTokenAllowed(step: step) }
    let top = candidates.sorted {
      $0.sum > $1.sum || ($0.sum == $1.sum && ($0.beam, $0.token) < ($1.beam, $1.token))
    }.prefix(kept)
    let length = step + 1
    let last = length == options.maxNewTokens
    for candidate in top.prefix(numBeams) where last || options.stopTokens.contains(candidate.token) {
      finished.add(tokens: running[candidate.beam].tokens + [candidate.token], sumLogProbability: candidate.sum)
    }
    let continuing = Array(top.filter { !options.stopTokens.contains($0.token) }.prefix(numBeams))
    guard !last, let best = continuing.first else { break }
    let bound = parameters.earlyStoppingBound == .bestRunningBeam ? best.sum : top[top.startIndex].sum
    if finished.isDone(bestSum: bound, length: length) { break }
    running = try continuing.map { candidate in
      let parent = running[candidate.beam]
      var state = parent.state
      let logits = try readToken(model, token: candidate.token, state: &state, step: length)
      let constraintState = options.constraintState(after: candidate.token, from: parent.constraintState)
      return Beam(
        tokens: parent.tokens + [candidate.token], sumLogProbability: candidate.sum, state: state, logits: logits,
        constraintState: constraintState)
    }
  }
  return finished.best(parameters.numReturnSequences)
}

/// The scores `ℓ` that `beam` adds to its sum for each next token: the processors of `options`
/// applied to `log_softmax` of its logits (``BeamProcessorInput/logProbabilities``) or to its
/// logits before `log_softmax` (``BeamProcessorInput/logits``). All `−∞` when every token is
/// removed.
/// - Throws: ``GenerationError/processedLogitsOverflow(step:)`` if processing overflowed.
func processedScores<State>(
  _ beam: Beam<State>, prompt: [Int], options: GenerationOptions, parameters: BeamSearchParameters, step: Int
) throws -> [Double] {
  let history = prompt + beam.tokens
  switch parameters.processorInput {
  case .logProbabilities:
    var scores = Categorical.logSoftmax(beam.logits)
    LogitsProcessor.applyProcessors(
      &scores, history: history, generatedCount: beam.tokens.count, options: options,
      constraintState: beam.constraintState)
    return scores
  case .logits:
    var processed = beam.logits
    LogitsProcessor.applyProcessors(
      &processed, history: history, generatedCount: beam.tokens.count, options: options,
      constraintState: beam.constraintState)
    guard processed.contains(where: \.isFinite) else { return processed }
    try checkProcessed(processed, step: step)
    return Categorical.logSoftmax(processed)
  }
}
