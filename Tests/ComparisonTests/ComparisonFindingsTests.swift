import Comparison
import Tasks
import Testing

@Suite("ComparisonFindings: the report's sentences follow from its numbers")
struct ComparisonFindingsTests {
  // Hand-made accuracies: at the longest length 256 the order is mamba 0.99 > s4d 0.4 > gru 0.1, mamba leads
  // by 0.99 − 0.4 = 0.59; only mamba is ≥ 0.95 at both lengths (s4d has 0.97 at 64 but 0.4 at 256); mamba
  // trained at 64 is also tested at 256 and 1024, and the sentence quotes the longest (1024 = 16 × 64).
  @Test func accuracySentences() {
    let scores = [
      ComparisonFindings.Score(model: "s4d", length: 64, value: 0.97),
      ComparisonFindings.Score(model: "s4d", length: 256, value: 0.4),
      ComparisonFindings.Score(model: "mamba", length: 64, value: 1, otherLengths: [256: 0.98, 1024: 0.9]),
      ComparisonFindings.Score(model: "mamba", length: 256, value: 0.99),
      ComparisonFindings.Score(model: "gru", length: 256, value: 0.1),
    ]
    let sentences = ComparisonFindings.sentences(metric: .accuracy, scores: scores)
    #expect(sentences.count == 4, "\(sentences)")
    #expect(sentences[0] == "At L = 256, accuracy from best to worst: mamba 0.99, s4d 0.4, gru 0.1.")
    #expect(sentences[1] == "mamba leads s4d by 0.59 accuracy.")
    #expect(sentences[2] == "Accuracy ≥ 0.95 at every trained length: mamba.")
    #expect(sentences[3] == "mamba trained at L = 64 (1) scores 0.9 at L = 1024 (16× longer).")
  }

  // Lower is better for mean squared error: 0.02 ranks before 0.5, the margin is 0.48, and no accuracy
  // sentence is written; no scores give no sentences.
  @Test func errorSentencesAndEmpty() {
    let scores = [
      ComparisonFindings.Score(model: "gru", length: 32, value: 0.5),
      ComparisonFindings.Score(model: "s4d", length: 32, value: 0.02),
    ]
    let sentences = ComparisonFindings.sentences(metric: .meanSquaredError, scores: scores)
    #expect(sentences.count == 2, "\(sentences)")
    #expect(sentences[0].hasSuffix("s4d 0.02, gru 0.5."), "\(sentences[0])")
    #expect(sentences[1] == "s4d leads gru by 0.48 MSE.")
    #expect(ComparisonFindings.sentences(metric: .accuracy, scores: []).isEmpty)
  }

  // Two models sharing the best value tie instead of one leading the other by 0; the third is listed after them.
  @Test func tiedBest() {
    let scores = [
      ComparisonFindings.Score(model: "s4d", length: 128, value: 1),
      ComparisonFindings.Score(model: "gru", length: 128, value: 0.134),
      ComparisonFindings.Score(model: "transformer", length: 128, value: 1),
    ]
    let sentences = ComparisonFindings.sentences(metric: .accuracy, scores: scores)
    #expect(sentences[0] == "At L = 128, accuracy from best to worst: s4d 1, transformer 1, gru 0.134.")
    #expect(sentences[1] == "s4d, transformer tie at 1 accuracy.")
  }
}
