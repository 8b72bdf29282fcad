import Autodiff
import Foundation
import Models
import SeededRandom
import Tasks
import TestSupport
import Testing
import Training
import TrainingTestSupport

@Suite("Data-parallel training")
struct DataParallelTests {
  // Brute-force enumeration: for every K dividing 12 the ranks' rows, in rank order, are exactly
  // 0..<12; a K that does not divide the batch, or a rank outside 0..<K, is refused by name.
  @Test func shardsPartitionTheBatchInOrder() throws {
    for processCount in [1, 2, 3, 4, 6, 12] {
      let rows = try (0..<processCount).flatMap {
        try DataParallelShard.rows(batch: 12, rank: $0, processCount: processCount)
      }
      #expect(rows == Array(0..<12), "K = \(processCount)")
    }
    #expect(
      throws: TrainingError.invalidState(
        "a batch of 10 sequences does not divide among 4 processes; choose a batch that is a multiple of 4")
    ) {
      try DataParallelShard.rows(batch: 10, rank: 0, processCount: 4)
    }
    #expect(throws: TrainingError.self) { try DataParallelShard.rows(batch: 8, rank: 2, processCount: 2) }
  }

  // Σ_r w_r ∇ℒ_r equals the gradient of the whole batch's mean loss, computed independently in
  // one backward pass over the batch, with shards that score different numbers of positions (so
  // w_r ≠ 1/K: plain averaging of the shard means would fail). Class and value targets. Float32
  // sums of a few hundred terms in another order: tolerance 1e-5 of the largest gradient entry.
  @Test(arguments: [2, 4])
  func weightedShardGradientsSumToTheBatchGradient(processCount: Int) throws {
    let copying = try CopyingTask(count: 4, delay: 16, alphabet: 4).batch(8, split: .train, index: 0, seed: 1)
    guard case .classes(let classes) = copying.targets else { throw TrainingError.invalidState("copying") }
    // Row b keeps only its first b % 3 + 1 scored positions: unequal shards for K = 2 and 4.
    let uneven = classes.enumerated().map { b, row in
      var kept = 0
      return row.map { target -> Int in
        guard target != TaskBatch.ignoredTarget else { return target }
        kept += 1
        return kept <= b % 3 + 1 ? target : TaskBatch.ignoredTarget
      }
    }
    let tokenBatch = TaskBatch(size: 8, length: copying.length, inputs: copying.inputs, targets: .classes(uneven))
    let tokenModel = try ModelConfiguration.s4(S4Model.Configuration(vocabulary: 6, width: 8, depth: 1, stateSize: 4))
      .build(seed: 2)
    try checkWeightedSum(tokenModel, batch: tokenBatch, processCount: processCount, expectUniformWeights: false)

    let adding = try AddingTask(length: 16).batch(8, split: .train, index: 0, seed: 1)
    let featureModel = try ModelConfiguration.gru(
      GRUModel.Configuration(vocabulary: 1, width: 8, depth: 1, inputChannels: 2)
    ).build(seed: 2)
    try checkWeightedSum(featureModel, batch: adding, processCount: processCount, expectUniformWeights: true)
  }

  private func checkWeightedSum(
    _ model: any SequenceModel, batch: TaskBatch, processCount: Int, expectUniformWeights: Bool
  ) throws {
    func gradients(of batch: TaskBatch) throws -> (loss: Float, gradients: [[Float]]) {
      model.parameters.forEach { $0.zeroGradient() }
      let tape = Tape()
      var unused = SeededGenerator(seed: 0)
      let loss = try taskLoss(model, batch: batch, on: tape, training: false, generator: &unused)
      try tape.backward(loss)
      return (tape.value(loss).scalar, model.parameters.map(\.gradient.values))
    }
    let whole = try gradients(of: batch)
    var loss: Double = 0
    var summed = whole.gradients.map { [Double](repeating: 0, count: $0.count) }
    var weights: [Float] = []
    for rank in 0..<processCount {
      let shard = try DataParallelShard(of: batch, rank: rank, processCount: processCount)
      #expect(shard.batch.size == batch.size / processCount)
      let part = try gradients(of: shard.batch)
      weights.append(shard.weight)
      loss += Double(shard.weight * part.loss)
      for (p, gradient) in part.gradients.enumerated() {
        for i in gradient.indices { summed[p][i] += Double(shard.weight * gradient[i]) }
      }
    }
    #expect(abs(weights.reduce(0, +) - 1) <= 1e-6)
    #expect(weights.allSatisfy { abs($0 - 1 / Float(processCount)) <= 1e-6 } == expectUniformWeights)
    #expect(abs(loss - Double(whole.loss)) <= 1e-5 * Double(whole.loss))
    let scale = whole.gradients.flatMap { $0 }.map { Double(abs($0)) }.max() ?? 0
    #expect(scale > 0)
    for (p, gradient) in whole.gradients.enumerated() {
      #expect(relativeError(summed[p], gradient.map(Double.init), smallestScale: scale) <= 1e-5)
    }
  }

  // K "processes" (threads with a lockstep reducer, each its own TrainingRun on one directory)
  // end with bitwise identical parameters, equal to a single process's with the same global batch
  // up to float32 summation order: after 8 AdamW steps the per-tensor max|Δθ|/max|θ| measured
  // here is ~2e-7 (check_data_parallel.py measures the same bound through mpirun); tolerance
  // 1e-5. Process 0 alone writes the metrics: one line per step.
  @Test(arguments: [2, 4])
  func lockstepProcessesTakeTheSingleProcessSteps(processCount: Int) throws {
    let configuration = RunConfiguration(
      task: TaskConfiguration(.copying, length: 24, count: 4, alphabet: 4),
      model: .s4(S4Model.Configuration(vocabulary: 6, width: 8, depth: 1, stateSize: 4)), batch: 8, steps: 8,
      learningRate: 1e-2, warmupSteps: 2, seed: 7, checkpointEvery: 4)
    let base = temporaryPath("ssm-data-parallel")
    defer { try? FileManager.default.removeItem(at: base) }
    let single = try TrainingRun(
      directory: base.appendingPathComponent("single"), configuration: configuration, resume: false)
    try single.run()

    let parameters = try runInLockstep(processCount: processCount) { rank, reducer in
      let run = try TrainingRun(
        directory: base.appendingPathComponent("parallel"), configuration: configuration, resume: false,
        reducer: reducer)
      try run.run()
      return run.model.parameters.map(\.value.values)
    }
    for rank in 1..<processCount { #expect(parameters[rank] == parameters[0], "rank \(rank)") }
    for (p, parameter) in single.model.parameters.enumerated() {
      #expect(
        relativeError(parameters[0][p], parameter.value.values.map(Double.init)) <= 1e-5, "\(parameter.name)")
    }
    let metrics = try String(
      contentsOf: base.appendingPathComponent("parallel/metrics.jsonl"), encoding: .utf8)
    #expect(metrics.split(separator: "\n").count == 8)
  }
}
