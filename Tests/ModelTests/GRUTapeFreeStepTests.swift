import Autodiff
import ModelTestSupport
import Models
import TestSupport
import Testing

@Suite("GRU tape-free step = the tape's recurrence")
struct GRUTapeFreeStepTests {
  // The tape-free step and the tape's recurrence run the same float32 function: sgemv instead of
  // sgemm for the projections, the same libm σ and tanh, sums in another order — ~1e-7 relative
  // per operation. 1e-5 of the largest logit (or hidden value) leaves room for that, while a
  // swapped gate, a missing r ⊙ a_n or residual moves them by O(1).
  static let tolerance: Float = 1e-5

  // From the zero state and after a 7-token chunk read by the tape: 10 tape-free steps against
  // the tape's one-token steps and one 10-token tape chunk, logits and hidden states.
  @Test(arguments: [0, 7])
  func stepsEqualTapePaths(context: Int) throws {
    let model = try GRUModel(.init(vocabulary: 9, width: 16, depth: 2), seed: 6)
    let tokens = randomTokens(batch: 3, length: context + 10, vocabulary: 9, seed: UInt64(context) + 2)
    var start = try model.initialState(batchSize: 3)
    if context > 0 { _ = try model.tapePrefill(tokens.map { Array($0[..<context]) }, state: &start) }
    let decoded = tokens.map { Array($0[context...]) }
    var fast = start
    let stepped = try TransformerTapeFreeStepTests.stepwise(decoded, vocabulary: 9) {
      try model.step($0, state: &fast).values
    }
    var slow = start
    let tapeStepped = try TransformerTapeFreeStepTests.stepwise(decoded, vocabulary: 9) {
      try model.tapePrefill($0.map { [$0] }, state: &slow).values
    }
    var chunked = start
    let chunk = try model.tapePrefill(decoded, state: &chunked).values
    #expect(TransformerTapeFreeStepTests.deviation(stepped, tapeStepped) <= Self.tolerance, "one-token tape steps")
    #expect(TransformerTapeFreeStepTests.deviation(stepped, chunk) <= Self.tolerance, "a tape chunk")
    for (hidden, reference) in zip(fast.hidden, chunked.hidden) {
      #expect(TransformerTapeFreeStepTests.deviation(hidden.values, reference.values) <= Self.tolerance)
    }
  }

  // A copied state and the original step on their own: each equals a replay of its own tokens, bit
  // for bit, so neither wrote into the other's buffers or hidden states.
  @Test func copiesStepIndependently() throws {
    try expectCopiesStepIndependently(try GRUModel(.init(vocabulary: 6, width: 16, depth: 2), seed: 4))
  }
}
