import Autodiff
import Models

/// One speculative decode of one sequence: a `draft` model proposes tokens, the `target`
/// verifies them in one chunked `prefill` per round (``SpeculativeVerification``).
///
/// Between rounds both states have read the prompt and the emitted tokens except the last one,
/// the *pending* token `t`. A round with draft length `k`:
/// 1. the draft reads `t, d_1, …, d_{k−1}` one step at a time, drawing `d_i` from its
///    distribution `q_i` (``decodingDistribution(_:history:generatedCount:options:constraintState:sampling:step:)``
///    of its logits, one-hot for a greedy draft);
/// 2. the target reads `t, d_1, …, d_k` in one `prefill`, whose `k + 1` rows give `p_1 … p_{k+1}`
///    (the same processors and warpers, with the same histories);
/// 3. `j` draft tokens are accepted and one more token `n` is drawn; `d_1 … d_j, n` are emitted;
/// 4. both states are made to have read exactly `t, d_1, …, d_j` (``StateCheckpoint``): `n` is
///    the new pending token.
///
/// With a ``GenerationOptions/constraint``, `q_i` and `p_i` are both masked in the automaton state
/// `s_i = δ(s, d_1 … d_{i−1})`, `s` the state after the emitted tokens, with the token budget
/// `maxNewTokens − (emitted + i − 1)` of the position: `q_i` proposes allowed tokens only, `p_i` is
/// the renormalised masked distribution that ``generate(_:prompt:options:)`` draws from after the
/// same tokens, and the residual and bonus draws of ``SpeculativeVerification`` (supported where
/// `p_i` is) are allowed too. After the round the state is `δ(s_{j+1}, n)`: the states of the
/// rejected draft tokens are dropped with them.
public struct SpeculativeDecoder<Target: SequenceModel, Draft: SequenceModel> {
  public let target: Target
  public let draft: Draft
  public let options: GenerationOptions
  /// The target's warpers (`nil`: greedy).
  public let sampling: SamplingParameters?
  /// The draft's warpers (`nil`: greedy).
  public let draftSampling: SamplingParameters?
  public let draftLength: DraftLength

  public private(set) var targetState: Target.State
  public private(set) var draftState: Draft.State
  /// Prompt and emitted tokens; every token but the last has been read by both states.
  public private(set) var history: [Int]
  public private(set) var emitted: [Int] = []
  public private(set) var score = 0.0
  public private(set) var finished = false
  public private(set) var nextDraftLength: Int
  public private(set) var draftedTokens = 0
  public private(set) var acceptedDraftTokens = 0
  public private(set) var targetPasses = 0
  /// The state of ``GenerationOptions/constraint``'s automaton after the emitted tokens (`nil`
  /// without a constraint).
  public private(set) var constraintState: Int?

  /// Reads all of `prompt` but its last token into fresh batch-1 states of both models.
  public init(
    target: Target, draft: Draft, prompt: [Int], options: GenerationOptions, speculation: SpeculativeParameters
  ) throws {
    self.target = target
    self.draft = draft
    self.options = options
    if case .sampling(let parameters) = options.strategy { sampling = parameters } else { sampling = nil }
    draftSampling = speculation.draftSampling == .greedy ? nil : sampling
    draftLength = speculation.draftLength
    nextDraftLength = speculation.draftLength.initial
    targetState = try target.initialState(batchSize: 1)
    draftState = try draft.initialState(batchSize: 1)
    let read = Array(prompt.dropLast())
    if !read.isEmpty {
      _ = try target.prefill([read], state: &targetState)
      _ = try draft.prefill([read], state: &draftState)
    }
    history = prompt
    constraintState = options.constraint?.start
  }

  /// Rounds until a stop token or `maxNewTokens` new tokens.
  public mutating func run<Draws: SpeculativeDraws>(draws: inout Draws) throws -> SpeculativeGenerationResult {
    while !finished { try round(draws: &draws) }
    return SpeculativeGenerationResult(
      generation: GenerationResult(tokens: emitted, score: score), draftedTokens: draftedTokens,
      acceptedDraftTokens: acceptedDraftTokens, targetPasses: targetPasses)
  }

  /// One round: at most `maxNewTokens − emitted − 1` draft tokens, so the round's emitted
  /// tokens never pass `maxNewTokens`.
  public mutating func round<Draws: SpeculativeDraws>(draws: inout Draws) throws {
    let remaining = options.maxNewTokens - emitted.count
    let k = min(nextDraftLength, remaining - 1)
    let pending = history.last!
    let (targetCheckpoint, draftCheckpoint) = (StateCheckpoint(target, targetState), StateCheckpoint(draft, draftState))

    var context = history
    var drafted: [Int] = []
    var draftDistributions: [[Double]] = []
    // constraintStates[i]: the constraint state s_{i+1} in which the token after d_1 … d_i is chosen.
    var constraintStates = [constraintState]
    for index in 0..<k {
      let step = emitted.count + index
      let logits = try readToken(
        draft, token: index == 0 ? pending : drafted[index - 1], state: &draftState, step: step)
      let q = try decodingDistribution(
        logits, history: context, generatedCount: step, options: options, constraintState: constraintStates[index],
        sampling: draftSampling, step: step)
      let token = draws.draw(from: q)
      drafted.append(token)
      draftDistributions.append(q)
      context.append(token)
      constraintStates.append(options.constraintState(after: token, from: constraintStates[index]))
    }

    let fed = [pending] + drafted
    let targetLogits = try verificationLogits(fed)
    targetPasses += 1
    var targetDistributions: [[Double]] = []
    for index in 0...k {
      let step = emitted.count + index
      targetDistributions.append(
        try decodingDistribution(
          targetLogits[index], history: Array(context[..<(history.count + index)]), generatedCount: step,
          options: options, constraintState: constraintStates[index], sampling: sampling, step: step))
    }
    let (accepted, next) = SpeculativeVerification.verify(
      draftTokens: drafted, draftDistributions: draftDistributions, targetDistributions: targetDistributions,
      draws: &draws)

    try targetCheckpoint.restore(target, state: &targetState, tokens: fed, read: k + 1, kept: accepted + 1)
    try draftCheckpoint.restore(draft, state: &draftState, tokens: fed, read: k, kept: accepted + 1)
    draftedTokens += k
    constraintState = options.constraintState(after: next, from: constraintStates[accepted])
    nextDraftLength = draftLength.next(after: nextDraftLength, drafted: k, accepted: accepted)
    emit(Array(drafted[..<accepted]) + [next], acceptedDrafts: accepted, targetLogits: targetLogits)
  }

  /// The target's raw logits (float64) at each of `fed` read from its state: row `i` scores the
  /// token after `fed[...i]`.
  private mutating func verificationLogits(_ fed: [Int]) throws -> [[Double]] {
    let logits = try target.prefill([fed], state: &targetState)
    let vocabulary = target.vocabulary
    guard logits.count == fed.count * vocabulary else {
      throw AutodiffError.shapeMismatch("prefill returned shape \(logits.shape) for 1 × \(fed.count) tokens")
    }
    return try fed.indices.map { index in
      try finiteLogits(logits.values[(index * vocabulary)..<((index + 1) * vocabulary)], step: emitted.count + index)
    }
  }

  /// Appends `tokens` (the first `acceptedDrafts` of them draft tokens) up to and including the
  /// first stop token, adding each one's log-probability under the raw target logits.
  private mutating func emit(_ tokens: [Int], acceptedDrafts: Int, targetLogits: [[Double]]) {
    for (index, token) in tokens.enumerated() {
      score += Categorical.logSoftmax(targetLogits[index])[token]
      emitted.append(token)
      history.append(token)
      if index < acceptedDrafts { acceptedDraftTokens += 1 }
      if options.stopTokens.contains(token) {
        finished = true
        return
      }
    }
    finished = emitted.count >= options.maxNewTokens
  }
}
