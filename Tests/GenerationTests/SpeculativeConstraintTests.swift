import Constraints
import Foundation
import Generation
import Models
import Testing

/// Speculative decoding under an output constraint: draft and target masked alike in the
/// automaton state after the emitted and earlier draft tokens, with the token budget of each
/// position. Checked by exact enumeration of the decoder's random decisions (``exactLaw(_:)``)
/// against the law of plain constrained sampling with the target, computed here from its
/// definition (per-step softmax renormalised over the allowed tokens), and by greedy identity on
/// real models.
@Suite struct SpeculativeConstraintTests {
  /// As in `SpeculativeExactnessTests`: sums of a few thousand products of float64 probabilities
  /// agree to ~1e-15; a wrong mask, state or budget changes the law by ≥ 1e-2.
  static let tolerance = 1e-12
  /// Tokens a, b, c (bytes) and the stop token 3.
  static let vocabulary = try! TokenVocabulary(tokenBytes: [[0x61], [0x62], [0x63], nil], stopTokens: [3])
  static let stop = 3
  static let maxNewTokens = 4
  static let prompt = [1, 0]
  static var target: HistoryModel { HistoryModel.hashed(vocabulary: 4, seed: 5) }
  static var other: HistoryModel { HistoryModel.hashed(vocabulary: 4, seed: 11) }

  static func text(_ tokens: [Int]) -> [UInt8] { tokens.filter { $0 != stop }.map { UInt8(0x61 + $0) } }

  /// Drafts for the target.
  enum Draft: CaseIterable {
    /// Another history-dependent model: generic `p ≠ q`.
    case independent
    /// `independent` with logits + 6 on b and on the stop token: unmasked, it mostly proposes b
    /// and stop, which the constraints forbid in most states.
    case prefersDisallowed
    /// The target itself: `p = q` at every position, as both are masked alike.
    case sameAsTarget
    /// `prefersDisallowed` proposing its (masked) argmax: `q` one-hot.
    case greedy

    var model: HistoryModel {
      switch self {
      case .independent: SpeculativeConstraintTests.other
      case .sameAsTarget: SpeculativeConstraintTests.target
      case .prefersDisallowed, .greedy:
        HistoryModel(vocabulary: 4) { history in
          zip(SpeculativeConstraintTests.other.logitsAfter(history), [0, 6, 0, 6]).map { $0 + $1 }
        }
      }
    }

    var sampling: SpeculativeParameters.DraftSampling { self == .greedy ? .greedy : .likeTarget }
  }

  /// A constraint and sampling settings whose constrained target law the test computes by hand.
  struct Setting: CustomTestStringConvertible {
    var pattern: String
    var temperature = 1.0
    var repetitionPenalty = 1.0
    var testDescription: String { "/\(pattern)/ T=\(temperature) θ=\(repetitionPenalty)" }

    var index: TokenIndex { try! TokenIndex(dfa: ByteDFA(regex: pattern), vocabulary: vocabulary) }

    var options: GenerationOptions {
      GenerationOptions(
        maxNewTokens: maxNewTokens, stopTokens: [stop], repetitionPenalty: repetitionPenalty, constraint: index,
        strategy: .sampling(SamplingParameters(temperature: temperature)))
    }

    /// `softmax(z′ / T)` over the tokens `index` allows in `state` with `remaining` tokens left,
    /// 0 elsewhere, with `z′` the CTRL-penalised target logits after `history`, in float64.
    func distribution(history: [Int], state: Int, remaining: Int) -> [Double] {
      var logits = target.logitsAfter(history).map(Double.init)
      for token in Set(history) {
        logits[token] = logits[token] > 0 ? logits[token] / repetitionPenalty : logits[token] * repetitionPenalty
      }
      let allowed = Set(index.allowedTokens(in: state, remainingTokens: remaining))
      let maximum = allowed.map { logits[$0] }.max()!
      let weights = logits.indices.map { allowed.contains($0) ? exp((logits[$0] - maximum) / temperature) : 0 }
      let total = weights.reduce(0, +)
      return weights.map { $0 / total }
    }

    /// The law of the new tokens of plain constrained sampling: each token drawn from
    /// ``distribution(history:state:remaining:)`` after the tokens so far, the automaton
    /// following them, until a stop token or `maxNewTokens` tokens.
    func targetLaw() -> [[Int]: Double] {
      let index = self.index
      var law: [[Int]: Double] = [:]
      func extend(_ generated: [Int], state: Int, probability: Double) {
        if generated.count == maxNewTokens || generated.last == stop {
          law[generated] = probability
          return
        }
        let p = distribution(history: prompt + generated, state: state, remaining: maxNewTokens - generated.count)
        for token in p.indices where p[token] > 0 {
          extend(
            generated + [token], state: index.nextState(after: token, from: state)!, probability: probability * p[token]
          )
        }
      }
      extend([], state: index.start, probability: 1)
      return law
    }
  }

  /// `(ab|c){1,3}` forbids b and stop at the start and all but b after a; `[ab]*c` with 4 tokens
  /// has a budget that binds: with 2 tokens left only c (then stop) can still end in time.
  static let settings = [
    Setting(pattern: "(ab|c){1,3}"), Setting(pattern: "(ab|c){1,3}", temperature: 0.7, repetitionPenalty: 1.3),
    Setting(pattern: "[ab]*c"), Setting(pattern: "[ab]*c", temperature: 0.7, repetitionPenalty: 1.3),
  ]
  static let lengths: [DraftLength] = [.fixed(1), .fixed(2), .fixed(3), .adaptive(initial: 1)]

  /// The exact law of the tokens `SpeculativeDecoder` emits.
  static func speculativeLaw(draft: Draft, length: DraftLength, setting: Setting) throws -> [[Int]: Double] {
    try exactLaw { draws in
      var decoder = try SpeculativeDecoder(
        target: target, draft: draft.model, prompt: prompt, options: setting.options,
        speculation: SpeculativeParameters(draftLength: length, draftSampling: draft.sampling))
      return try decoder.run(draws: &draws).generation.tokens
    }
  }

  static func largestDifference(_ a: [[Int]: Double], _ b: [[Int]: Double]) -> Double {
    Set(a.keys).union(b.keys).map { abs(a[$0, default: 0] - b[$0, default: 0]) }.max()!
  }

  @Test(arguments: Draft.allCases, lengths)
  func lawEqualsConstrainedTarget(draft: Draft, length: DraftLength) throws {
    for setting in Self.settings {
      let expected = setting.targetLaw()
      let law = try Self.speculativeLaw(draft: draft, length: length, setting: setting)
      #expect(abs(law.values.reduce(0, +) - 1) <= Self.tolerance)
      #expect(Self.largestDifference(law, expected) <= Self.tolerance, "\(setting.testDescription)")
      let dfa = try ByteDFA(regex: setting.pattern)
      for tokens in law.keys {
        #expect(tokens.last == Self.stop && dfa.accepts(Self.text(tokens)), "\(setting.testDescription): \(tokens)")
      }
    }
  }

  // The settings exercise what they claim: b and stop masked at the start of (ab|c){1,3}, the
  // budget of [ab]*c removing a and b with 2 tokens left, and the prefersDisallowed draft
  // proposing a forbidden token first with probability > 1/2 if it were not masked.
  @Test func settingsExerciseMaskAndBudget() throws {
    let choice = Self.settings[0].index
    #expect(choice.allowedTokens(in: choice.start, remainingTokens: Self.maxNewTokens) == [0, 2])
    let budget = Self.settings[2].index
    #expect(budget.allowedTokens(in: budget.start) == [0, 1, 2])
    #expect(budget.allowedTokens(in: budget.start, remainingTokens: 2) == [2])
    let q = Categorical.softmax(Draft.prefersDisallowed.model.logitsAfter(Self.prompt).map(Double.init))
    #expect(q[1] + q[3] > 0.5)
  }

  // p = q needs the draft masked like the target at every position (same automaton state, same
  // budget): drafting for itself, the target accepts every draft token with probability 1, so
  // every coin flip of the decoder (a two-outcome decision) is certain. An unmasked draft, a draft
  // state not advanced by the earlier draft tokens, or a budget that did not count them would give
  // q ≠ p and flips with probability < 1. (Draft tokens after an accepted stop token are accepted
  // too but not emitted, so the emitted counts cannot show this.)
  @Test(arguments: [DraftLength.fixed(1), .fixed(3)])
  func selfDraftAcceptsEveryToken(length: DraftLength) throws {
    for setting in Self.settings {
      let certain = try exactLaw { draws in
        var decoder = try SpeculativeDecoder(
          target: Self.target, draft: Self.target, prompt: Self.prompt, options: setting.options,
          speculation: SpeculativeParameters(draftLength: length))
        _ = try decoder.run(draws: &draws)
        let flips = draws.distributions.filter { $0.count == 2 }
        return !flips.isEmpty && flips.allSatisfy { $0 == [1, 0] }
      }
      #expect(abs(certain[true, default: 0] - 1) <= Self.tolerance, "\(setting.testDescription): \(certain)")
    }
  }

  // q must be the distribution the draft token was drawn from: a masked draft verified with its
  // q taken before masking has another law. Masked target p = (0.6, 0, 0.4, 0), draft before
  // masking q = (0.2, 0.5, 0.2, 0.1), masked q′ = (0.5, 0, 0.5, 0). Drawn from q′ and scored with
  // q, both tokens are always accepted (p/q ≥ 1): the law is q′, 0.1 away from p. Scored with q′
  // it is p. An unmasked draft scored with its own q is exact too (the rule holds for any q) but
  // proposes b or stop with probability 0.6, always rejected: acceptance 0.4 against 0.9 masked.
  @Test func maskedDraftScoredBeforeMaskingIsNotExact() throws {
    let p = [0.6, 0, 0.4, 0]
    let unmasked = [0.2, 0.5, 0.2, 0.1]
    let masked = [0.5, 0, 0.5, 0]
    func firstTokenLaw(drawnFrom proposal: [Double], scoredWith scored: [Double]) -> [Int: Double] {
      exactLaw { draws in
        let token = draws.draw(from: proposal)
        let (accepted, next) = SpeculativeVerification.verify(
          draftTokens: [token], draftDistributions: [scored], targetDistributions: [p, p], draws: &draws)
        return accepted == 1 ? token : next
      }
    }
    let wrong = firstTokenLaw(drawnFrom: masked, scoredWith: unmasked)
    for token in p.indices { #expect(abs(wrong[token, default: 0] - masked[token]) <= Self.tolerance) }
    #expect(abs(wrong[0, default: 0] - p[0]) > 0.05)
    for draft in [masked, unmasked] {
      let right = firstTokenLaw(drawnFrom: draft, scoredWith: draft)
      for token in p.indices { #expect(abs(right[token, default: 0] - p[token]) <= Self.tolerance) }
    }
    func acceptance(_ q: [Double]) -> Double {
      q.indices.map { q[$0] * SpeculativeVerification.acceptanceProbability(target: p, draft: q, token: $0) }
        .reduce(0, +)
    }
    #expect(abs(acceptance(unmasked) - 0.4) <= Self.tolerance && abs(acceptance(masked) - 0.9) <= Self.tolerance)
  }

  /// Tokens a…f (bytes) and the stop token 6, the vocabulary of the real models of
  /// `SpeculativeDecodingTests`.
  static let realVocabulary = try! TokenVocabulary(
    tokenBytes: (0..<6).map { [UInt8(0x61 + $0)] } + [nil], stopTokens: [6])
  static let realPattern = "(ab|cd?)+(e|f){2}"

  /// Greedy speculative decoding under the constraint returns the constrained target's greedy
  /// tokens, a member of the language ending in the stop token, for fixed and adaptive lengths,
  /// with a limit that leaves room and one whose budget binds; sampled outputs are members too.
  func expectConstrainedGreedyIdentity<Target: SequenceModel, Draft: SequenceModel>(target: Target, draft: Draft)
    throws
  {
    let dfa = try ByteDFA(regex: Self.realPattern)
    let index = try TokenIndex(dfa: dfa, vocabulary: Self.realVocabulary)
    let prompt = SpeculativeDecodingTests.prompt
    func member(_ tokens: [Int]) -> Bool {
      tokens.last == 6 && dfa.accepts(tokens.dropLast().map { UInt8(0x61 + $0) })
    }
    for limit in [24, 6] {
      let options = GenerationOptions(maxNewTokens: limit, stopTokens: [6], constraint: index)
      let expected = try generate(target, prompt: prompt, options: options)[0]
      #expect(member(expected.tokens), "\(expected.tokens)")
      var unconstrained = options
      unconstrained.constraint = nil
      #expect(try generate(target, prompt: prompt, options: unconstrained)[0].tokens != expected.tokens)
      for length in [DraftLength.fixed(1), .fixed(3), .fixed(6), .adaptive(initial: 2)] {
        let result = try speculativeGenerate(
          target: target, draft: draft, prompt: prompt, options: options,
          speculation: SpeculativeParameters(draftLength: length))[0]
        #expect(result.generation.tokens == expected.tokens, "limit \(limit), \(length)")
        // As in `SpeculativeDecodingTests`: chunked prefill against single steps, ~1e-6 relative.
        #expect(abs(result.generation.score - expected.score) <= 1e-4 * max(1, abs(expected.score)))
      }
      var sampling = options
      sampling.strategy = .sampling(SamplingParameters(temperature: 1.5, numReturnSequences: 8))
      for result in try speculativeGenerate(target: target, draft: draft, prompt: prompt, options: sampling) {
        #expect(member(result.generation.tokens), "limit \(limit): \(result.generation.tokens)")
      }
    }
  }

  @Test func greedyIdentityS4DDraftForTransformer() throws {
    try expectConstrainedGreedyIdentity(
      target: SpeculativeDecodingTests.transformer(seed: 1), draft: SpeculativeDecodingTests.s4d(seed: 2))
  }

  @Test func greedyIdentitySelfDraft() throws {
    let model = try SpeculativeDecodingTests.transformer(seed: 5)
    try expectConstrainedGreedyIdentity(target: model, draft: model)
  }
}
