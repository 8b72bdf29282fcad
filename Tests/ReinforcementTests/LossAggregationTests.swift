import Reinforcement
import Testing

@Suite struct LossAggregationTests {
  /// Per-token losses of two completions, `T = 3` and `1` tokens, sum 10, with `T_max = 4`.
  let losses: [[Double]] = [[1, 2, 3], [4]]

  @Test func eachLossTypeByHand() throws {
    // grpo: (6/3 + 4/1)/2 = 3; bnpo: 10/4; dr_grpo: 10/(2·4); dapo: 10/(tokens of the generation batch).
    #expect(try LossAggregation.grpo.aggregate(losses, maxCompletionLength: 4) == 3)
    #expect(try LossAggregation.bnpo.aggregate(losses, maxCompletionLength: 4) == 2.5)
    #expect(try LossAggregation.drGRPO.aggregate(losses, maxCompletionLength: 4) == 1.25)
    #expect(try LossAggregation.dapo.aggregate(losses, maxCompletionLength: 4) == 2.5)
    #expect(try LossAggregation.dapo.aggregate(losses, maxCompletionLength: 4, generationBatchTokens: 8) == 1.25)
    #expect(LossAggregation.drGRPO.rawValue == "dr_grpo")
  }

  @Test func emptyCompletionNeverDividesByZero() throws {
    for type in LossAggregation.allCases {
      let weights = try type.weights(completionLengths: [0, 0], maxCompletionLength: 2)
      #expect(weights.allSatisfy { $0.isFinite })
    }
  }

  @Test func badInputThrows() {
    #expect(throws: ReinforcementError.self) {
      try LossAggregation.grpo.weights(completionLengths: [], maxCompletionLength: 1)
    }
    #expect(throws: ReinforcementError.self) {
      try LossAggregation.grpo.weights(completionLengths: [-1], maxCompletionLength: 1)
    }
    #expect(throws: ReinforcementError.self) {
      try LossAggregation.drGRPO.weights(completionLengths: [3], maxCompletionLength: 2)
    }
    #expect(throws: ReinforcementError.self) {
      try LossAggregation.dapo.weights(completionLengths: [3, 2], maxCompletionLength: 4, generationBatchTokens: 4)
    }
  }
}
