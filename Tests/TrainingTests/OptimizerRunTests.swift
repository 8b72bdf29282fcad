import Checkpoint
import Foundation
import TestSupport
import Testing
import Training
import TrainingTestSupport

/// Runs with either optimiser, and the optimiser's state in checkpoints: the step count an
/// integer, the configuration's optimiser recorded (AdamW when absent).
@Suite("Optimisers in training runs and checkpoints")
struct OptimizerRunTests {
  static func sgdRun(momentum: Float = 0.9) -> RunConfiguration {
    var configuration = TaskRunTests.addingRun(steps: 8, dropout: 0.1)
    configuration.optimizer = .sgd(momentum: momentum)
    return configuration
  }

  // Interrupted after its checkpoint at step 4 (stopped at 6) and resumed, an SGD run with
  // momentum and dropout ends with the parameters of an uninterrupted one, bit for bit; its
  // checkpoint holds momentum buffers (no AdamW moments) and records the optimiser.
  @Test func sgdResumesExactly() throws {
    let (whole, interrupted) = (temporaryPath("ssm-run"), temporaryPath("ssm-run"))
    defer { [whole, interrupted].forEach { try? FileManager.default.removeItem(at: $0) } }
    try expectExactResume(Self.sgdRun(), stop: 6, checkpoint: 4, whole: whole, interrupted: interrupted)
    let checkpoint = try SafeTensors.read(from: TrainingRun.checkpointURL(in: interrupted))
    #expect(checkpoint.tensors.keys.contains { $0.hasPrefix("optimizer.momentum.") })
    #expect(!checkpoint.tensors.keys.contains { $0.hasPrefix("optimizer.m.") })
    #expect(try TrainingRun.configuration(of: checkpoint).optimizer == .sgd(momentum: 0.9))
  }

  // A checkpoint written when the optimiser's step was a float32 scalar resumes like the
  // uninterrupted run: the old checkpoint is the new one with `optimizer.step` rewritten as the
  // rank-0 F32 the old code stored.
  @Test func floatStepCheckpointsResume() throws {
    let configuration = TaskRunTests.addingRun(steps: 8, dropout: 0.1)
    let (whole, old) = (temporaryPath("ssm-run"), temporaryPath("ssm-run"))
    defer { [whole, old].forEach { try? FileManager.default.removeItem(at: $0) } }
    let reference = try TrainingRun(directory: whole, configuration: configuration, resume: false)
    try reference.run()
    try TrainingRun(directory: old, configuration: configuration, resume: false).run(until: 4)
    let url = TrainingRun.checkpointURL(in: old)
    var checkpoint = try SafeTensors.read(from: url)
    let stored = try #require(checkpoint.tensors["optimizer.step"])
    #expect(stored.dtype == .i64)
    #expect(try stored.int64s() == [4])
    checkpoint.tensors["optimizer.step"] = try StoredTensor(floats: [4], shape: [])
    try checkpoint.write(to: url)

    let resumed = try TrainingRun(directory: old, configuration: nil, resume: true)
    #expect(resumed.optimizer.step == 4)
    try resumed.run()
    for (a, b) in zip(reference.model.parameters, resumed.model.parameters) { #expect(a.value == b.value, "\(a.name)") }
  }

  // 2²⁴ + 1 is the first integer float32 cannot hold (it rounds to 2²⁴); as an integer it
  // survives restore and save exactly. A fractional or negative step is refused.
  @Test func largeStepsRoundTripExactly() throws {
    let large = (1 << 24) + 1
    #expect(Int(Float(large)) != large)
    let directory = temporaryPath("ssm-run")
    defer { try? FileManager.default.removeItem(at: directory) }
    let configuration = TaskRunTests.addingRun(steps: 8)
    try TrainingRun(directory: directory, configuration: configuration, resume: false).run(until: 4)
    let url = TrainingRun.checkpointURL(in: directory)
    let original = try SafeTensors.read(from: url)

    var checkpoint = original
    checkpoint.tensors["optimizer.step"] = try StoredTensor(int64s: [Int64(large)], shape: [])
    try checkpoint.write(to: url)
    let resumed = try TrainingRun(directory: directory, configuration: nil, resume: true)
    #expect(resumed.optimizer.step == large)
    try resumed.saveCheckpoint()
    #expect(try SafeTensors.read(from: url).tensors["optimizer.step"]?.int64s() == [Int64(large)])

    for bad in [try StoredTensor(floats: [2.5], shape: []), try StoredTensor(int64s: [-1], shape: [])] {
      checkpoint.tensors["optimizer.step"] = bad
      try checkpoint.write(to: url)
      #expect(throws: TrainingError.self) { try TrainingRun(directory: directory, configuration: nil, resume: true) }
    }
  }

  // Configurations stored before runs recorded their optimiser (no `optimizer` key) decode as
  // AdamW; SGD's momentum survives encoding; a momentum outside [0, 1) is refused.
  @Test func configurationRecordsTheOptimizer() throws {
    let adamW = TaskRunTests.addingRun(steps: 8)
    var object = try #require(
      try JSONSerialization.jsonObject(with: JSONEncoder().encode(adamW)) as? [String: Any])
    #expect(object.removeValue(forKey: "optimizer") != nil)
    let old = try JSONDecoder().decode(RunConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(old == adamW && old.optimizer == .adamW)

    let sgd = Self.sgdRun(momentum: 0.5)
    #expect(try JSONDecoder().decode(RunConfiguration.self, from: JSONEncoder().encode(sgd)) == sgd)
    for momentum: Float in [-0.1, 1, .nan] {
      #expect(throws: TrainingError.self) { try Self.sgdRun(momentum: momentum).validate() }
    }
  }
}
