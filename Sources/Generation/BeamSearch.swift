import Models

/// One running beam: its generated tokens, their log-probability sum, the model state after
/// reading all but the last of them, and the logits of its next token.
struct Beam<State> {
  var tokens: [Int]
  var sumLogProbability: Double
  var state: State
  var logits: [Double]
}

/// HuggingFace beam search (`BeamSearchScorer` semantics) for one prompt.
///
/// Start: one running beam (the prompt). Step `n = 1, 2, …` (generated length `n`):
/// 1. every running beam `b` with sum `S_b` proposes each token `v` with sum
///    `S_b + log p̃_b(v)`, `p̃_b = softmax` of its repetition-penalised logits (float64);
/// 2. the top `2N` candidates over all beams are ranked by sum descending (ties: lower beam,
///    then lower token); walking them in rank order, a candidate ending in a stop token is
///    added to the n-best list (``BeamHypotheses``, length `n`, stop token included) only if
///    its rank `< N`, otherwise skipped; any other candidate becomes a running beam, until `N`
///    are running;
/// 3. the search stops if the n-best list ``BeamHypotheses/isDone(bestSum:length:)`` with
///    the best candidate's sum (the running beams are then dropped); else, at
///    `n = maxNewTokens` (or if no beam is running) the running beams are added to the list
///    with length `n` and the search stops.
///
/// Unlike HuggingFace, which starts with `N` copies of the prompt of which `N − 1` score `−1e9`
/// and so can fill the beams and the n-best list with such filler, only real continuations
/// are kept: fewer than `N` beams run while fewer than `N` continuations exist, and the search
/// continues (instead of raising) when fewer than `N` of the top `2N` candidates continue.
/// HuggingFace also applies the repetition penalty to log-probabilities (its processors run
/// after `log_softmax`); here it is applied to logits, which are then normalised.
///
/// Cost: each beam keeps its own batch-1 `State` value; a beam forks by copying its parent's
/// state (a full copy of, e.g., a KV cache or SSM state once it is mutated) and each beam costs
/// one batch-1 `SequenceModel.step(_:state:)` per token: `N` model calls per step
/// instead of one batch-`N` call.
func beamSearch<Model: SequenceModel>(
  _ model: Model, prompt: [Int], options: GenerationOptions, parameters: BeamSearchParameters
) throws -> [GenerationResult] {
  let numBeams = parameters.numBeams
  let (state, logits) = try readPrompt(model, prompt: prompt)
  var running = [Beam(tokens: [], sumLogProbability: 0, state: state, logits: logits)]
  var finished = BeamHypotheses(
    capacity: numBeams, lengthPenalty: parameters.lengthPenalty, earlyStopping: parameters.earlyStopping,
    maxNewTokens: options.maxNewTokens)
  for step in 0..<options.maxNewTokens {
    var candidates: [(sum: Double, beam: Int, token: Int)] = []
    for (index, beam) in running.enumerated() {
      var processed = beam.logits
      LogitsProcessor.applyRepetitionPenalty(
        &processed, history: prompt + beam.tokens, penalty: options.repetitionPenalty)
      try checkProcessed(processed, step: step)
      for (token, logProbability) in Categorical.logSoftmax(processed).enumerated() {
        candidates.append((beam.sumLogProbability + logProbability, index, token))
      }
    }
    let top = candidates.sorted {
      $0.sum > $1.sum || ($0.sum == $1.sum && ($0.beam, $0.token) < ($1.beam, $1.token))
    }.prefix(2 * numBeams)
    var continuing: [(sum: Double, beam: Int, token: Int)] = []
    for (rank, candidate) in top.enumerated() {
      if options.stopTokens.contains(candidate.token) {
        if rank < numBeams {
          finished.add(tokens: running[candidate.beam].tokens + [candidate.token], sumLogProbability: candidate.sum)
        }
      } else {
        continuing.append(candidate)
        if continuing.count == numBeams { break }
      }
    }
    let length = step + 1
    if finished.isDone(bestSum: top[top.startIndex].sum, length: length) { break }
    if length == options.maxNewTokens || continuing.isEmpty {
      for candidate in continuing {
        finished.add(tokens: running[candidate.beam].tokens + [candidate.token], sumLogProbability: candidate.sum)
      }
      break
    }
    running = try continuing.map { candidate in
      let parent = running[candidate.beam]
      var state = parent.state
      let logits = try readToken(model, token: candidate.token, state: &state, step: length)
      return Beam(
        tokens: parent.tokens + [candidate.token], sumLogProbability: candidate.sum, state: state, logits: logits)
    }
  }
  return finished.best(parameters.numReturnSequences)
}
