import Autodiff
import ModelTestSupport
import Models
import TestSupport
import Testing

@Suite("Mamba tape-free step = the tape's recurrent mode")
struct MambaTapeFreeStepTests {
  // The tape-free step and the tape run the same float32 function: the projections as sgemv
  // instead of sgemm, exp in eight lanes (≤ 2 ulp) instead of libm's in the scan, and sums in
  // another order — ~1e-7 relative per operation, a few 1e-7 through two blocks. 1e-5 of the
  // largest logit leaves room for that, while a tap of the convolution on the wrong position, a
  // missing gate, skip or softplus, or Δ applied to A but not to B moves logits by O(1).
  static let tolerance: Float = 1e-5

  /// Tape-free steps of `tokens` (`B × T`) from `start` against the tape's one-token steps and against
  /// one tape chunk of all `T` tokens, from the same state.
  func checkSteps(_ model: MambaModel, tokens: [[Int]], from start: MambaModel.State) throws {
    let vocabulary = model.vocabulary
    var fast = start
    let stepped = try TransformerTapeFreeStepTests.stepwise(tokens, vocabulary: vocabulary) {
      try model.step($0, state: &fast).values
    }
    var slow = start
    let tapeStepped = try TransformerTapeFreeStepTests.stepwise(tokens, vocabulary: vocabulary) {
      try model.tapePrefill($0.map { [$0] }, state: &slow).values
    }
    var chunked = start
    let chunk = try model.tapePrefill(tokens, state: &chunked).values
    #expect(TransformerTapeFreeStepTests.deviation(stepped, tapeStepped) <= Self.tolerance, "one-token tape steps")
    #expect(TransformerTapeFreeStepTests.deviation(stepped, chunk) <= Self.tolerance, "a tape chunk")
    for (block, reference) in zip(fast.blocks, chunked.blocks) {
      #expect(TransformerTapeFreeStepTests.deviation(block.scan.values, reference.scan.values) <= Self.tolerance)
      #expect(
        TransformerTapeFreeStepTests.deviation(block.convolution.values, reference.convolution.values)
          <= Self.tolerance, "the convolution's remembered inputs")
    }
  }

  // State sizes of whole and partial eight-lane groups (16, 5), Δ ranks 1 and 3, from the zero
  // state and after a 9-token chunk read by the tape.
  @Test(arguments: [16, 5], [0, 9])
  func stepsEqualTapePaths(stateSize: Int, context: Int) throws {
    let stepRank = stateSize == 5 ? 3 : nil
    let model = try MambaModel(
      .init(vocabulary: 11, width: 16, depth: 2, stateSize: stateSize, stepRank: stepRank), seed: 5)
    let tokens = randomTokens(batch: 2, length: context + 12, vocabulary: 11, seed: UInt64(context) + 3)
    var start = try model.initialState(batchSize: 2)
    if context > 0 { _ = try model.tapePrefill(tokens.map { Array($0[..<context]) }, state: &start) }
    try checkSteps(model, tokens: tokens.map { Array($0[context...]) }, from: start)
  }

  // A copied state (a speculative checkpoint, a beam) and the original step on their own: each
  // equals a replay of its own tokens, bit for bit, so neither wrote into the other's buffers,
  // convolution history or scan state.
  @Test func copiesStepIndependently() throws {
    try expectCopiesStepIndependently(try MambaModel(.init(vocabulary: 6, width: 16, depth: 2), seed: 4))
  }
}
