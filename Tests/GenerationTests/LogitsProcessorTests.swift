import Foundation
import Generation
import SeededRandom
import Testing

@Suite struct LogitsProcessorTests {
  @Test func repetitionPenaltyDividesPositiveAndMultipliesNonPositiveLogitsOnce() {
    var logits = [2.0, -1.0, 0.5, -3.0, 0.0]
    LogitsProcessor.applyRepetitionPenalty(&logits, history: [0, 1, 1, 4, 0], penalty: 2)
    #expect(logits == [1.0, -2.0, 0.5, -3.0, 0.0])
    var rewarded = [2.0, -1.0, 0.5]
    LogitsProcessor.applyRepetitionPenalty(&rewarded, history: [0, 1], penalty: 0.5)
    #expect(rewarded == [4.0, -0.5, 0.5])
  }

  @Test func temperatureDividesLogits() {
    var logits = [1.0, -2.0, 0.5]
    LogitsProcessor.applyTemperature(&logits, temperature: 0.5)
    #expect(logits == [2.0, -4.0, 1.0])
  }

  @Test func topKKeepsTheKLargestAndEveryLogitTiedWithTheKth() {
    // Sorted descending: 3, 3, 2, 2, 1; the 3rd largest is 2, so both 2s stay.
    var logits = [1.0, 3.0, 2.0, 3.0, 2.0]
    LogitsProcessor.applyTopK(&logits, k: 3)
    #expect(logits == [-.infinity, 3.0, 2.0, 3.0, 2.0])
    var single = [1.0, 3.0, 2.0, 3.0]
    LogitsProcessor.applyTopK(&single, k: 1)
    #expect(single == [-.infinity, 3.0, -.infinity, 3.0])
    var distinct = [0.5, -1.0, 2.0, 1.5]
    LogitsProcessor.applyTopK(&distinct, k: 2)
    #expect(distinct == [-.infinity, -.infinity, 2.0, 1.5])
    var all = [1.0, 2.0]
    LogitsProcessor.applyTopK(&all, k: 5)
    #expect(all == [1.0, 2.0])
  }

  @Test func noRepeatNgramRemovesTokensCompletingASeenNgram() {
    // History 1 2 3 1 2. Unigrams: every seen token; bigram context (2) was followed by 3, trigram
    // context (1 2) by 3; the 4-gram context (3 1 2) never starts a 4-gram; no 6-gram fits.
    let history = [1, 2, 3, 1, 2]
    let cases: [(size: Int, removed: Set<Int>)] = [(0, []), (1, [1, 2, 3]), (2, [3]), (3, [3]), (4, []), (6, [])]
    for (size, removed) in cases {
      var scores = [0.5, -1.0, 2.0, 0.0, 1.0]
      LogitsProcessor.applyNoRepeatNgram(&scores, history: history, size: size)
      #expect(Set(scores.indices.filter { scores[$0] == -.infinity }) == removed, "n = \(size)")
    }
  }

  /// Against brute force: a token is removed exactly when appending it makes the last `n` tokens
  /// an `n`-gram that already occurs in the history.
  @Test func noRepeatNgramMatchesBruteForce() {
    var generator = SeededGenerator(seed: 3)
    var removals = 0
    for _ in 0..<300 {
      let length = Int(generator.next() % 9)
      let history = (0..<length).map { _ in Int(generator.next() % 3) }
      let size = 1 + Int(generator.next() % 4)
      var scores = [Double](repeating: 0, count: 3)
      LogitsProcessor.applyNoRepeatNgram(&scores, history: history, size: size)
      let seen = Set((0..<max(0, history.count - size + 1)).map { Array(history[$0..<($0 + size)]) })
      for token in 0..<3 {
        let extended = history + [token]
        let repeats = extended.count >= size && seen.contains(Array(extended.suffix(size)))
        #expect((scores[token] == -.infinity) == repeats, "\(history) n = \(size) token \(token)")
        if repeats { removals += 1 }
      }
    }
    #expect(removals > 100, "\(removals)")
  }

  @Test func minNewTokensRemovesStopTokensUntilTheMinimum() {
    for generated in 0..<5 {
      var scores = [0.5, -1.0, 2.0, 0.0]
      LogitsProcessor.applyMinNewTokens(&scores, generatedCount: generated, minNewTokens: 3, stopTokens: [0, 2])
      let expected = generated < 3 ? [-.infinity, -1.0, -.infinity, 0.0] : [0.5, -1.0, 2.0, 0.0]
      #expect(scores == expected, "\(generated) generated")
    }
  }

  /// Kept sets from a numpy transcription of HuggingFace's `MinPLogitsWarper` (probabilities
  /// `softmax(z)`, remove `π_v < p · max π`): logits (1.2, −0.3, 0.8, 2.0, 0.8, −1.5) have
  /// `π / max π = (0.449, 0.100, 0.301, 1, 0.301, 0.030)`.
  @Test func minPMatchesNumpy() {
    let logits = [1.2, -0.3, 0.8, 2.0, 0.8, -1.5]
    let cases: [(p: Double, kept: Set<Int>)] = [
      (0, [0, 1, 2, 3, 4, 5]), (0.1, [0, 1, 2, 3, 4]), (0.3, [0, 2, 3, 4]), (0.45, [3]), (1, [3]),
    ]
    for (p, kept) in cases {
      var processed = logits
      LogitsProcessor.applyMinP(&processed, p: p)
      #expect(Set(processed.indices.filter { processed[$0].isFinite }) == kept, "p = \(p)")
      #expect(processed.indices.allSatisfy { !kept.contains($0) || processed[$0] == logits[$0] })
    }
  }

  /// Kept sets from a numpy transcription of HuggingFace's `TypicalLogitsWarper` (stable sorts):
  /// the two tied logits 0.8 (tokens 2 and 4) are kept or removed together.
  @Test func typicalMatchesNumpy() {
    let logits = [1.2, -0.3, 0.8, 2.0, 0.8, -1.5]
    let cases: [(mass: Double, kept: Set<Int>)] = [
      (0.2, [0]), (0.5, [0, 2, 3, 4]), (0.8, [0, 2, 3, 4]), (0.95, [0, 1, 2, 3, 4]), (0.999, [0, 1, 2, 3, 4, 5]),
    ]
    for (mass, kept) in cases {
      var processed = logits
      LogitsProcessor.applyTypical(&processed, mass: mass)
      #expect(Set(processed.indices.filter { processed[$0].isFinite }) == kept, "mass = \(mass)")
      #expect(processed.indices.allSatisfy { !kept.contains($0) || processed[$0] == logits[$0] })
    }
    // Removed tokens stay removed and do not count: the same as typical filtering of the rest.
    var partial = [1.2, -.infinity, 0.8, 2.0, 0.8, -.infinity]
    LogitsProcessor.applyTypical(&partial, mass: 0.999)
    #expect(partial == [1.2, -.infinity, 0.8, 2.0, 0.8, -.infinity])
  }

  @Test func topPKeepsTheSmallestPrefixReachingP() {
    let probabilities = [0.4, 0.05, 0.3, 0.15, 0.1]
    let cases: [(p: Double, kept: Set<Int>)] = [
      (0.01, [0]), (0.35, [0]), (0.5, [0, 2]), (0.75, [0, 2, 3]), (0.9, [0, 2, 3, 4]), (1, [0, 1, 2, 3, 4]),
    ]
    for (p, kept) in cases {
      var logits = probabilities.map { log($0) }
      LogitsProcessor.applyTopP(&logits, p: p)
      #expect(Set(logits.indices.filter { logits[$0].isFinite }) == kept, "p = \(p)")
      #expect(logits.indices.allSatisfy { !kept.contains($0) || logits[$0] == log(probabilities[$0]) })
    }
  }

  @Test func categoricalHelpers() {
    let logits = [1.0, 3.0, 3.0, -.infinity]
    #expect(Categorical.argmax(logits) == 1)
    let probabilities = Categorical.softmax(logits)
    #expect(abs(probabilities.reduce(0, +) - 1) < 1e-15)
    #expect(probabilities[3] == 0)
    let logProbabilities = Categorical.logSoftmax(logits)
    for index in 0..<3 { #expect(abs(exp(logProbabilities[index]) - probabilities[index]) < 1e-15) }
    var generator = SeededGenerator(seed: 7)
    for _ in 0..<200 { #expect(Categorical.sample(logits, using: &generator) != 3) }
  }
}
