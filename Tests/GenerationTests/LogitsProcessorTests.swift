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

  @Test func topKKeepsTheKLargestWithLowerIndicesWinningTies() {
    var logits = [1.0, 3.0, 2.0, 3.0, 2.0]
    LogitsProcessor.applyTopK(&logits, k: 3)
    #expect(logits == [-.infinity, 3.0, 2.0, 3.0, -.infinity])
    var single = [1.0, 3.0, 2.0, 3.0]
    LogitsProcessor.applyTopK(&single, k: 1)
    #expect(single == [-.infinity, 3.0, -.infinity, -.infinity])
    var all = [1.0, 2.0]
    LogitsProcessor.applyTopK(&all, k: 5)
    #expect(all == [1.0, 2.0])
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
