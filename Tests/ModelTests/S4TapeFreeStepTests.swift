import Autodiff
import ModelTestSupport
import Models
import TestSupport
import Testing

@Suite("S4D tape-free step = the tape's recurrent chunk")
struct S4TapeFreeStepTests {
  // One-token steps (the tape-free path) against two-token chunks through the tape (the same
  // recurrence, run over the chunk): the same float32 arithmetic but for the order of the sums in
  // sgemv against sgemm and the recurrence's step against its chunk loop, ~1e-7 relative; 1e-5
  // of the largest logit leaves room for that while a missing norm, skip or gate is O(1).
  static let tolerance: Float = 1e-5

  @Test(arguments: NormPosition.allCases, BlockOutput.allCases)
  func stepsEqualTapeChunks(normPosition: NormPosition, blockOutput: BlockOutput) throws {
    let model = try S4Model(
      .init(
        vocabulary: 9, width: 16, depth: 2, stateSize: 16, normPosition: normPosition, blockOutput: blockOutput),
      seed: 3)
    let tokens = randomTokens(batch: 3, length: 12, vocabulary: 9, seed: 7)
    var stepped = try model.initialState(batchSize: 3)
    var chunked = try model.initialState(batchSize: 3)
    for start in stride(from: 0, to: 12, by: 2) {
      let chunk = try model.prefill(tokens.map { Array($0[start..<(start + 2)]) }, state: &chunked).values
      let first = try model.step(tokens.map { $0[start] }, state: &stepped).values
      let second = try model.step(tokens.map { $0[start + 1] }, state: &stepped).values
      let vocabulary = model.vocabulary
      var steps: [Float] = []
      for b in 0..<3 {
        steps += first[(b * vocabulary)..<((b + 1) * vocabulary)]
        steps += second[(b * vocabulary)..<((b + 1) * vocabulary)]
      }
      let scale = chunk.map { abs($0) }.max()!
      let deviation = zip(chunk, steps).map { abs($0 - $1) }.max()!
      #expect(deviation <= Self.tolerance * scale, "positions \(start), \(start + 1)")
    }
  }

  // A copied state (a checkpoint, a beam) and the original step on their own: each equals a
  // fresh replay of its own tokens, bit for bit, so neither wrote into the other's activations.
  @Test func copiesStepIndependently() throws {
    try expectCopiesStepIndependently(try S4Model(.init(vocabulary: 6, width: 16, depth: 2, stateSize: 16), seed: 4))
  }
}
