import Constraints
import Foundation
import Generation
import Models
import Testing

@Suite struct ConstrainedDecodingTests {
  /// Tokens a, b, c (bytes) and the stop token 3.
  static let vocabulary = try! TokenVocabulary(tokenBytes: [[0x61], [0x62], [0x63], nil], stopTokens: [3])

  static func index(_ pattern: String) throws -> TokenIndex {
    try TokenIndex(dfa: ByteDFA(regex: pattern), vocabulary: vocabulary)
  }

  static func text(_ tokens: [Int]) -> String {
    String(decoding: tokens.filter { $0 < 3 }.map { UInt8(0x61 + $0) }, as: UTF8.self)
  }

  /// Every strategy's output is a member of the language ending in the stop token, on models
  /// whose unconstrained output would leave it.
  @Test func everyStrategyProducesMembersOfTheLanguage() throws {
    let dfa = try ByteDFA(regex: "(ab|c){1,3}")
    let index = try Self.index("(ab|c){1,3}")
    let strategies: [DecodingStrategy] = [
      .greedy, .sampling(SamplingParameters(temperature: 1.5, topK: 2, numReturnSequences: 20)),
      .beamSearch(BeamSearchParameters(numBeams: 3, numReturnSequences: 3)),
    ]
    for seed: UInt64 in 0..<5 {
      let model = HistoryModel.hashed(vocabulary: 4, seed: seed)
      for strategy in strategies {
        let options = GenerationOptions(maxNewTokens: 8, stopTokens: [3], constraint: index, strategy: strategy)
        for result in try generate(model, prompt: [0], options: options) {
          #expect(result.tokens.last == 3, "\(strategy): \(result.tokens)")
          #expect(dfa.accepts(Self.text(result.tokens).utf8), "\(strategy): \(result.tokens)")
        }
      }
    }
  }

  /// Greedy decoding under a constraint takes, at each step, the best token among those the
  /// index allows with the tokens left (checked by hand against the model's logits), and ends
  /// with a stop token within the limit even where the model prefers to go on.
  @Test func greedyTakesTheBestAllowedToken() throws {
    let index = try Self.index("[ab]*c")
    let model = HistoryModel.hashed(vocabulary: 4, seed: 9)
    let limit = 10
    let result = try generate(
      model, prompt: [2], options: GenerationOptions(maxNewTokens: limit, stopTokens: [3], constraint: index))[0]
    #expect(result.tokens.last == 3)
    var state = index.start
    var history = [2]
    for (step, token) in result.tokens.enumerated() {
      let logits = model.logitsAfter(history)
      let allowed = index.allowedTokens(in: state, remainingTokens: limit - step)
      let best = allowed.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) }
      #expect(token == best)
      history.append(token)
      if token == 3 { break }
      state = index.nextState(after: token, from: state)!
    }
  }

  /// Per-step renormalisation is not conditioning. Model: constant probabilities a 0.5, b 0.3,
  /// c 0.1, stop 0.1; language {a, ba, bb}. Conditional law p(x | x ∈ L) ∝ p(x): 0.05, 0.015, 0.009
  /// (sum 0.074: 0.6757, 0.2027, 0.1216). Masked and renormalised per step: a 0.5/0.8 = 0.625,
  /// ba 0.375 · 0.625 = 0.234375, bb 0.375 · 0.375 = 0.140625. 10⁴ seeded samples match the masked
  /// law within 4 binomial standard deviations (σ ≤ 0.005) and miss the conditional law of "a"
  /// by more than 4σ (the two laws differ by 0.0507 there, ≈ 10σ).
  @Test func renormalisedMaskIsNotTheConditionalLaw() throws {
    let model = HistoryModel.constant([0.5, 0.3, 0.1, 0.1].map { Float(log($0)) })
    let index = try Self.index("a|ba|bb")
    let samples = 10_000
    let options = GenerationOptions(
      maxNewTokens: 3, stopTokens: [3], constraint: index,
      strategy: .sampling(SamplingParameters(numReturnSequences: samples)), seed: 42)
    var counts: [String: Int] = [:]
    for result in try generate(model, prompt: [0], options: options) {
      counts[Self.text(result.tokens), default: 0] += 1
    }
    let masked = ["a": 0.625, "ba": 0.234375, "bb": 0.140625]
    let conditional = ["a": 0.05 / 0.074, "ba": 0.015 / 0.074, "bb": 0.009 / 0.074]
    #expect(Set(counts.keys) == Set(masked.keys))
    func deviation(_ probability: Double) -> Double { (probability * (1 - probability) / Double(samples)).squareRoot() }
    for (text, probability) in masked {
      let frequency = Double(counts[text, default: 0]) / Double(samples)
      #expect(abs(frequency - probability) < 4 * deviation(probability), "\(text): \(frequency) vs \(probability)")
    }
    let frequencyOfA = Double(counts["a", default: 0]) / Double(samples)
    #expect(abs(frequencyOfA - conditional["a"]!) > 4 * deviation(conditional["a"]!))
  }

  @Test func mismatchedConstraintsAreErrors() throws {
    let index = try Self.index("a")
    let model = HistoryModel.hashed(vocabulary: 4, seed: 1)
    #expect(throws: GenerationError.constraintStopTokensMismatch(constraint: [3], options: [2, 3])) {
      try generate(
        model, prompt: [0], options: GenerationOptions(maxNewTokens: 2, stopTokens: [2, 3], constraint: index))
    }
    #expect(throws: GenerationError.constraintVocabularyMismatch(constraintVocabulary: 4, modelVocabulary: 5)) {
      try generate(
        HistoryModel.hashed(vocabulary: 5, seed: 1), prompt: [0],
        options: GenerationOptions(maxNewTokens: 2, stopTokens: [3], constraint: index))
    }
  }
}
