import Foundation
import Generation
import Models
import Testing

/// Speculative decoding emits tokens with exactly the target's law: checked by following every
/// branch of the decoder's random decisions (``exactLaw(_:)``) on tiny history-dependent models
/// (vocabulary 3) and comparing with the target's sequential law computed by hand.
@Suite struct SpeculativeExactnessTests {
  /// Both laws are sums of at most a few thousand products of float64 probabilities, each exact
  /// to a few ulps, so they agree to ~1e-15; 1e-12 leaves room and still fails on any wrong
  /// acceptance rule or residual (errors of order 1e-2, see `greedyDraftScoredWithSoftmaxIsNotExact`).
  static let tolerance = 1e-12
  static let vocabulary = 3
  static let prompt = [1, 0]
  static var target: HistoryModel { HistoryModel.hashed(vocabulary: vocabulary, seed: 5) }
  static var other: HistoryModel { HistoryModel.hashed(vocabulary: vocabulary, seed: 11) }

  /// Drafts that exercise each case of the acceptance rule.
  enum Draft: CaseIterable {
    /// Another history-dependent model: generic `p ≠ q`.
    case independent
    /// As `independent` but one token per step has `q = 0` (logit −1e30) where `p > 0`: its mass
    /// can only come from the residual.
    case excludesTokens
    /// The target itself: `p = q`, every draft token accepted, zero residual.
    case sameAsTarget
    /// The target after an even number of tokens, `independent` otherwise: zero residual at some
    /// steps only.
    case partlySame
    /// `independent` proposing its argmax: `q` one-hot.
    case greedy

    var model: HistoryModel {
      switch self {
      case .independent, .greedy: SpeculativeExactnessTests.other
      case .sameAsTarget: SpeculativeExactnessTests.target
      case .excludesTokens:
        HistoryModel(vocabulary: SpeculativeExactnessTests.vocabulary) { history in
          var logits = SpeculativeExactnessTests.other.logitsAfter(history)
          logits[history.count % logits.count] = -1e30
          return logits
        }
      case .partlySame:
        HistoryModel(vocabulary: SpeculativeExactnessTests.vocabulary) { history in
          history.count % 2 == 0
            ? SpeculativeExactnessTests.target.logitsAfter(history)
            : SpeculativeExactnessTests.other.logitsAfter(history)
        }
      }
    }

    var sampling: SpeculativeParameters.DraftSampling { self == .greedy ? .greedy : .likeTarget }
  }

  /// Generation settings whose target law the test computes by hand.
  struct Setting: CustomTestStringConvertible {
    var temperature = 1.0
    var repetitionPenalty = 1.0
    var stopTokens: Set<Int> = []
    var testDescription: String { "T=\(temperature) θ=\(repetitionPenalty) stop=\(stopTokens.sorted())" }

    var options: GenerationOptions {
      GenerationOptions(
        maxNewTokens: 4, stopTokens: stopTokens, repetitionPenalty: repetitionPenalty,
        strategy: .sampling(SamplingParameters(temperature: temperature)))
    }

    /// `softmax(z′ / T)` with `z′` the CTRL-penalised logits of `model` after `history`, in float64.
    func distribution(_ model: HistoryModel, history: [Int]) -> [Double] {
      var logits = model.logitsAfter(history).map(Double.init)
      for token in Set(history) {
        logits[token] = logits[token] > 0 ? logits[token] / repetitionPenalty : logits[token] * repetitionPenalty
      }
      let maximum = logits.max()!
      let weights = logits.map { exp(($0 - maximum) / temperature) }
      let total = weights.reduce(0, +)
      return weights.map { $0 / total }
    }

    /// The law of the new tokens when each is drawn from the target's distribution after the
    /// history so far, stopping after a stop token or 4 tokens.
    func targetLaw() -> [[Int]: Double] {
      var law: [[Int]: Double] = [:]
      func extend(_ generated: [Int], probability: Double) {
        if generated.count == 4 || generated.last.map(stopTokens.contains) == true {
          law[generated] = probability
          return
        }
        let p = distribution(SpeculativeExactnessTests.target, history: SpeculativeExactnessTests.prompt + generated)
        for token in p.indices where p[token] > 0 { extend(generated + [token], probability: probability * p[token]) }
      }
      extend([], probability: 1)
      return law
    }
  }

  static let settings = [
    Setting(), Setting(temperature: 0.7, repetitionPenalty: 1.3), Setting(stopTokens: [2]),
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
  func lawOfFourTokensEqualsTarget(draft: Draft, length: DraftLength) throws {
    for setting in Self.settings {
      let expected = setting.targetLaw()
      let law = try Self.speculativeLaw(draft: draft, length: length, setting: setting)
      #expect(abs(law.values.reduce(0, +) - 1) <= Self.tolerance)
      #expect(Self.largestDifference(law, expected) <= Self.tolerance, "\(setting.testDescription)")
    }
  }

  // The enumeration sees the branches it should: an independent draft is sometimes rejected and
  // sometimes fully accepted, the target drafting for itself never rejected.
  @Test func enumerationCoversRejectionAndAcceptance() throws {
    func acceptanceLaw(_ draft: Draft) throws -> [Int: Double] {
      try exactLaw { draws in
        var decoder = try SpeculativeDecoder(
          target: Self.target, draft: draft.model, prompt: Self.prompt, options: Setting().options,
          speculation: SpeculativeParameters(draftLength: .fixed(3)))
        return try decoder.run(draws: &draws).acceptedDraftTokens
      }
    }
    let independent = try acceptanceLaw(.independent)
    #expect(independent[0, default: 0] > 0.01 && independent[3, default: 0] > 0.01)
    let same = try acceptanceLaw(.sameAsTarget)
    #expect(Set(same.keys) == [3] && abs(same[3, default: 0] - 1) <= Self.tolerance, "\(same)")
  }

  // q must be the distribution the draft token was drawn from. A greedy draft (token argmax q)
  // verified with its softmax q instead of the one-hot gives another law: P(d) = min(1, p_d/q_d)
  // + (1 − min(1, p_d/q_d)) r_d with r_d = 0, not p_d. Scored with the one-hot it is exact.
  @Test func greedyDraftScoredWithSoftmaxIsNotExact() throws {
    let p = [0.5, 0.3, 0.2]
    let q = [0.2, 0.7, 0.1]
    let proposal = 1  // argmax q
    func firstTokenLaw(scoredWith scored: [Double]) -> [Int: Double] {
      exactLaw { draws in
        let (accepted, next) = SpeculativeVerification.verify(
          draftTokens: [proposal], draftDistributions: [scored], targetDistributions: [p, p], draws: &draws)
        return accepted == 1 ? proposal : next
      }
    }
    let wrong = firstTokenLaw(scoredWith: q)
    // By hand: P(1) = p_1/q_1 = 3/7, the rest 4/7 split by the residual (0.3, 0, 0.1)/0.4.
    #expect(abs(wrong[1, default: 0] - 3.0 / 7) <= Self.tolerance)
    #expect(abs(wrong[0, default: 0] - 4.0 / 7 * 0.75) <= Self.tolerance)
    #expect(abs(wrong[1, default: 0] - p[1]) > 0.1)
    let right = firstTokenLaw(scoredWith: [0, 1, 0])
    for token in p.indices { #expect(abs(right[token, default: 0] - p[token]) <= Self.tolerance) }
  }

  // Greedy speculative decoding returns the target's greedy tokens for every draft and length.
  @Test(arguments: Draft.allCases, lengths)
  func greedyEqualsTargetGreedy(draft: Draft, length: DraftLength) throws {
    let options = GenerationOptions(maxNewTokens: 12)
    let expected = try generate(Self.target, prompt: Self.prompt, options: options)[0]
    let result = try speculativeGenerate(
      target: Self.target, draft: draft.model, prompt: Self.prompt, options: options,
      speculation: SpeculativeParameters(draftLength: length, draftSampling: draft.sampling))[0]
    #expect(result.generation.tokens == expected.tokens)
    // Scores: the same float64 log-softmax terms of the same float32 logits, summed in order.
    #expect(abs(result.generation.score - expected.score) <= 1e-12)
  }
}
