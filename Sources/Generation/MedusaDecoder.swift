import Autodiff
import Foundation
import Models

/// One Medusa decode of one sequence (Cai et al. 2024): the backbone's next token and the
/// candidates of its ``MedusaHeads`` are verified together, a tree of them in one pass
/// (``SequenceModel/readTree(_:parents:from:)``).
///
/// Between passes the state has read the prompt and every emitted token, and the decoder holds the
/// backbone's logits `z` and last hidden state `h` at the last of them. A pass:
/// 1. the root `r` is drawn from the distribution `p` a step of ``generate(_:prompt:options:)``
///    draws from (``decodingDistribution(_:history:generatedCount:options:constraintState:sampling:step:)``
///    of `z`: one-hot at the argmax for greedy decoding);
/// 2. head `k` proposes its top tokens on `h`, and the ``MedusaTree`` turns them into candidate
///    nodes below `r` (the tree cut to the depth the remaining token budget can use);
/// 3. the backbone reads the tree in one pass, which gives `p` after every node's path;
/// 4. a node is accepted when its parent is and its token passes the rule under the parent's `p`:
///    greedy, it is the argmax (so the output is plain greedy decoding's); sampling,
///    ``TypicalAcceptance`` (which changes the output law: candidates are the heads' top tokens,
///    not draws from `p`);
/// 5. the longest accepted path (ties by `Σ log p`) is emitted and the state becomes the one that
///    read it (``SequenceModel/state(after:of:)``); `z` and `h` are the backbone's at its last node.
public struct MedusaDecoder<Model: SequenceModel> {
  public let model: Model
  public let heads: MedusaHeads
  public let options: GenerationOptions
  public let medusa: MedusaParameters
  /// The warpers (`nil`: greedy).
  public let sampling: SamplingParameters?

  /// The model's state after the prompt and the emitted tokens (`nil` only inside a pass, while a
  /// tree reading owns it, so that the reading extends it in place instead of copying it).
  private var state: Model.State?
  /// Prompt and emitted tokens, all read by the model's state.
  public private(set) var history: [Int]
  public private(set) var emitted: [Int] = []
  public private(set) var score = 0.0
  public private(set) var finished = false
  /// Tree passes of the backbone (the prompt's prefill not counted).
  public private(set) var passes = 0
  /// Candidate tokens verified, summed over passes.
  public private(set) var candidateTokens = 0
  /// Candidate tokens accepted and emitted.
  public private(set) var acceptedCandidateTokens = 0
  private var lastLogits: [Double]
  private var lastHidden: [Float]

  /// Reads `prompt` into a fresh batch-1 state.
  /// - Throws: ``GenerationError`` for invalid options or prompt, beam search, a constraint, or
  ///   heads of another width or vocabulary than the model; ``MedusaError/pathTooDeep(path:heads:)``
  ///   for a tree deeper than the heads.
  public init(
    model: Model, heads: MedusaHeads, prompt: [Int], options: GenerationOptions, medusa: MedusaParameters
  ) throws {
    try validate(options, prompt: prompt, vocabulary: model.vocabulary, contextLimit: model.contextLimit)
    guard options.constraint == nil else { throw GenerationError.medusaConstraint }
    switch options.strategy {
    case .greedy: sampling = nil
    case .sampling(let parameters): sampling = parameters
    case .beamSearch: throw GenerationError.medusaBeamSearch
    }
    guard heads.hiddenWidth == model.hiddenWidth, heads.vocabulary == model.vocabulary else {
      throw GenerationError.medusaHeadsMismatch(
        headWidth: heads.hiddenWidth, headVocabulary: heads.vocabulary, modelWidth: model.hiddenWidth,
        modelVocabulary: model.vocabulary)
    }
    if let deepest = medusa.tree.paths.last, deepest.count > heads.count {
      throw MedusaError.pathTooDeep(path: deepest, heads: heads.count)
    }
    self.model = model
    self.heads = heads
    self.options = options
    self.medusa = medusa
    var state = try model.initialState(batchSize: 1)
    let (logits, hidden) = try model.prefillWithHiddenStates([prompt], state: &state)
    self.state = state
    let (vocabulary, width) = (model.vocabulary, hidden.count / prompt.count)
    lastLogits = try finiteLogits(logits.values[((prompt.count - 1) * vocabulary)...], step: 0)
    lastHidden = Array(hidden.values[((prompt.count - 1) * width)...])
    history = prompt
  }

  /// Passes until a stop token or `maxNewTokens` new tokens: the output, with
  /// `draftedTokens` = candidates verified, `acceptedDraftTokens` = candidates emitted and
  /// `targetPasses` = tree passes (new tokens per pass is Medusa's mean accepted length).
  public mutating func run<Draws: SpeculativeDraws>(draws: inout Draws) throws -> SpeculativeGenerationResult {
    while !finished { try pass(draws: &draws) }
    return SpeculativeGenerationResult(
      generation: GenerationResult(tokens: emitted, score: score), draftedTokens: candidateTokens,
      acceptedDraftTokens: acceptedCandidateTokens, targetPasses: passes)
  }

  /// One pass: at most `maxNewTokens − emitted` tokens (the tree cut to that depth).
  public mutating func pass<Draws: SpeculativeDraws>(draws: inout Draws) throws {
    let first = emitted.count
    let tree = medusa.tree.truncated(maximumDepth: options.maxNewTokens - first - 1)
    let rootDistribution = try distribution(lastLogits, history: history, step: first)
    let root = draws.draw(from: rootDistribution)
    let headLogits = try heads.logits(hidden: lastHidden)
    let topTokens = zip(headLogits, tree.topCounts).map { Self.topIndices($0, count: $1) }
    let tokens = try tree.tokens(root: root, topTokens: topTokens)
    guard let current = state.take() else { throw GenerationError.decoderFinished }
    let reading = try model.readTree(tokens, parents: tree.parents, from: consume current)
    passes += 1
    candidateTokens += tokens.count - 1

    let vocabulary = model.vocabulary
    // Raw logits of every node; the distribution only of nodes with children (the rule reads it).
    let hasChildren = Set(tree.parents.dropFirst())
    var (rawLogits, distributions, histories) = ([[Double]](), [[Double]](), [[Int]]())
    for node in 0..<tree.nodeCount {
      let step = first + tree.depth(of: node) + 1
      let parentHistory = node == 0 ? history : histories[tree.parents[node]]
      histories.append(parentHistory + [tokens[node]])
      rawLogits.append(
        try finiteLogits(reading.logits.values[(node * vocabulary)..<((node + 1) * vocabulary)], step: step))
      distributions.append(
        hasChildren.contains(node) ? try distribution(rawLogits[node], history: histories[node], step: step) : [])
    }
    let typical = medusa.typicalAcceptance
    let chain = tree.longestAcceptedChain(
      accepts: { node in
        let p = distributions[tree.parents[node]]
        return sampling == nil ? p[tokens[node]] == 1 : p[tokens[node]] > typical.threshold(p)
      },
      logLikelihood: { node in Foundation.log(distributions[tree.parents[node]][tokens[node]]) })

    for (index, node) in chain.enumerated() {
      let logits = node == 0 ? lastLogits : rawLogits[tree.parents[node]]
      score += Categorical.logSoftmax(logits)[tokens[node]]
      emitted.append(tokens[node])
      history.append(tokens[node])
      if index > 0 { acceptedCandidateTokens += 1 }
      if options.stopTokens.contains(tokens[node]) {
        finished = true
        return
      }
    }
    finished = emitted.count >= options.maxNewTokens
    guard !finished else { return }
    let last = chain.last!
    lastLogits = rawLogits[last]
    let width = reading.hidden.shape[1]
    lastHidden = Array(reading.hidden.values[(last * width)..<((last + 1) * width)])
    state = try model.state(after: chain, of: consume reading)
  }

  /// The indices of the `count` largest of `values`, largest first (the lower index first on a
  /// tie), in one pass of insertions into a list of at most `count`.
  static func topIndices(_ values: [Float], count: Int) -> [Int] {
    var top: [Int] = []
    for index in values.indices {
      let position = top.firstIndex { values[index] > values[$0] } ?? top.count
      if position < count {
        top.insert(index, at: position)
        if top.count > count { top.removeLast() }
      }
    }
    return top
  }

  /// The distribution of new token `step` after `history` (no constraint).
  private func distribution(_ logits: [Double], history: [Int], step: Int) throws -> [Double] {
    try decodingDistribution(
      logits, history: history, generatedCount: step, options: options, constraintState: nil, sampling: sampling,
      step: step)
  }
}
