import Comparison
import Foundation
import Models
import Tasks
import TestSupport
import Testing
import Training
import TrainingTestSupport

/// A plan with a token task and a feature task (cross-entropy and mean squared error), two
/// families (4 400 parameters: a budget both reach within 2 % on both tasks), a global batch of 4
/// that 2 processes share, 8 steps.
private func plan() -> ComparisonPlan {
  ComparisonPlan(
    tasks: [.copying, .adding], models: [.s4d, .gru], lengths: [24], depth: 1, parameterBudget: 4_400,
    training: TaskTrainingSettings(steps: 8, batch: 4, seed: 3), evaluationExamples: 16, latencyContexts: [8])
}

/// Float32 summation-order rounding: the 2-process step sums two shard means weighted by their
/// share instead of one mean, a few roundings of ε = 6e-8 per step, which the training dynamics
/// amplify slowly (check_data_parallel.py measures 2.2e-7 relative on the parameters after 10
/// steps); a wrong shard or a mis-weighted sum changes a loss by ≥ 1e-3 relative.
private let lossTolerance: Float = 1e-5

@Suite("ssm compare across processes: every cell trains data-parallel")
struct ComparisonDataParallelTests {
  // Two simulated processes (threads whose all-reduce sums in rank order, as MPI's does) run the
  // plan: every cell's losses and test metric equal one process's up to rounding, the processes
  // agree exactly with each other, and only process 0 writes results and measures latency.
  @Test func twoProcessesMatchOne() throws {
    let single = temporaryPath("ssm-compare-1")
    let byRank = [temporaryPath("ssm-compare-r0"), temporaryPath("ssm-compare-r1")]
    defer { for folder in [single] + byRank { try? FileManager.default.removeItem(at: folder) } }
    let alone = try ComparisonRunner(plan: plan(), directory: single).run()
    let counted = [CountingReducer(rank: 0), CountingReducer(rank: 1)]
    let ranks = try runInLockstep(processCount: 2) { rank, reducer in
      counted[rank].reducer = reducer
      return try ComparisonRunner(plan: plan(), directory: byRank[rank], reducer: counted[rank]).run()
    }
    // One gradient all-reduce per step of each of the 4 cells, on both processes.
    #expect(counted.map(\.sums) == [32, 32])
    #expect(alone.cells.count == 4 && alone.cells.allSatisfy { $0.error == nil && $0.processes == 1 })
    for (one, two) in zip(alone.cells, ranks[0].cells) {
      #expect(two.error == nil && two.processes == 2 && two.steps == one.steps)
      for (a, b) in zip(one.losses, two.losses) { #expect(abs(a - b) <= lossTolerance * abs(a), "\(one.key)") }
      let (a, b) = (try #require(one.value), try #require(two.value))
      switch one.metric {
      case .accuracy:
        // The arg-max of logits that differ by rounding flips only at a near-tie: at most one of
        // the 16 × 10 scored positions (copying at length 24 copies 10 tokens).
        #expect(abs(a - b) <= 1.0 / 160, "\(one.key)")
      default: #expect(abs(a - b) <= 1e-4 * abs(a), "\(one.key)")
      }
    }
    #expect(ranks[0].cells.map(\.losses) == ranks[1].cells.map(\.losses))
    #expect(ranks[0].cells.map(\.value) == ranks[1].cells.map(\.value))
    #expect(!ranks[0].latency.isEmpty && ranks[1].latency.isEmpty)
    #expect(FileManager.default.fileExists(atPath: byRank[0].appendingPathComponent("results.json").path))
    #expect(!FileManager.default.fileExists(atPath: byRank[1].appendingPathComponent("results.json").path))
  }

  // A time budget that runs out on one process only still ends the run at the same step on
  // every process (here: before the first step); otherwise process 1 would wait in an all-reduce
  // that process 0 never joins (LockstepSum gives up with an error).
  @Test func timeBudgetEndsEveryProcessTogether() throws {
    let task = try TaskName.copying.make(length: 24)
    let logs = try runInLockstep(processCount: 2) { rank, reducer in
      let model = try ModelFamily.gru.matched(
        vocabulary: tokenVocabulary(of: task), parameterBudget: 4_200, depth: 1, length: 24, inputChannels: nil
      ).configuration.build(seed: 1)
      let settings = TaskTrainingSettings(steps: 8, batch: 4, seed: 3, timeBudget: rank == 0 ? 1e-9 : 1e9)
      return try train(model, on: task, settings: settings, reducer: reducer)
    }
    #expect(logs.map(\.losses.count) == [0, 0])
  }

  @Test func processesMustDivideTheBatch() throws {
    let reducer = LockstepReducer(rank: 0, shared: LockstepSum(processCount: 3))
    #expect(throws: TrainingError.self) {
      try ComparisonRunner(plan: plan(), directory: temporaryPath("ssm-compare"), reducer: reducer)
    }
  }
}

/// Passes every sum to a ``LockstepReducer`` and counts them.
private final class CountingReducer: GradientReducer, @unchecked Sendable {
  let rank: Int
  var reducer: LockstepReducer?
  private(set) var sums = 0
  var processCount: Int { reducer?.processCount ?? 1 }

  init(rank: Int) { self.rank = rank }

  func sum(_ values: inout [Float]) throws {
    sums += 1
    try reducer?.sum(&values)
  }
}
