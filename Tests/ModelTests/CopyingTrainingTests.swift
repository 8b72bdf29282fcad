import Autodiff
import Checkpoint
import Foundation
import Models
import Tasks
import Testing
import Training

private func temporaryDirectory() -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("ssm-run-\(UUID().uuidString)")
}

@Suite("Training S4D models on the copying task")
struct CopyingTrainingTests {
  static let small = RunConfiguration(
    taskCount: 4, taskAlphabet: 4, taskLength: 24,
    model: S4DModel.Configuration(vocabulary: 6, width: 32, depth: 2, stateSize: 16), batch: 16, steps: 400,
    warmupSteps: 20, seed: 3, checkpointEvery: 200)

  // The smoke version of the learning criterion: a 2-layer S4D model learns to copy 4
  // tokens over a delay of 16 and scores ≥ 99 % token accuracy on 512 fresh examples
  // drawn from a seed the training stream never used (~3 s).
  @Test func learnsToCopy() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try TrainingRun(directory: directory, configuration: Self.small, resume: false)
    try run.run()
    let accuracy = try copyingAccuracy(of: run.model, task: Self.small.task(), examples: 512, seed: 12_345)
    #expect(accuracy >= 0.99, "accuracy \(accuracy)")
    // The final checkpoint reproduces the trained model exactly.
    let (restored, configuration) = try TrainingRun.model(fromCheckpoint: TrainingRun.checkpointURL(in: directory))
    #expect(configuration == Self.small)
    #expect(zip(restored.parameters, run.model.parameters).allSatisfy { $0.value == $1.value })
  }

  // An interruption after the checkpoint at step 20 (killed at 27) and a resume give the
  // same parameters as an uninterrupted run: same batches, dropout masks and updates.
  @Test func resumeEqualsUninterruptedRun() throws {
    var configuration = Self.small
    configuration.steps = 40
    configuration.checkpointEvery = 10
    configuration.model.dropout = 0.1
    configuration.evaluateEvery = 15
    let (whole, interrupted) = (temporaryDirectory(), temporaryDirectory())
    defer { [whole, interrupted].forEach { try? FileManager.default.removeItem(at: $0) } }
    let reference = try TrainingRun(directory: whole, configuration: configuration, resume: false)
    try reference.run()
    try TrainingRun(directory: interrupted, configuration: configuration, resume: false).run(until: 27)
    let resumed = try TrainingRun(directory: interrupted, configuration: nil, resume: true)
    #expect(resumed.step == 20)
    try resumed.run()
    for (a, b) in zip(reference.model.parameters, resumed.model.parameters) {
      #expect(a.value == b.value, "\(a.name)")
    }
    let metrics = try String(contentsOf: interrupted.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    #expect(metrics == (try String(contentsOf: whole.appendingPathComponent("metrics.jsonl"), encoding: .utf8)))
  }

  @Test func refusesBadRunsAndCheckpoints() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(throws: TrainingError.self) { _ = try TrainingRun(directory: directory, configuration: nil, resume: true) }
    var configuration = Self.small
    configuration.steps = 2
    try TrainingRun(directory: directory, configuration: configuration, resume: false).run()
    #expect(throws: TrainingError.self) {
      _ = try TrainingRun(directory: directory, configuration: configuration, resume: false)
    }
    var other = configuration
    other.learningRate = 1
    #expect(throws: TrainingError.self) {
      _ = try TrainingRun(directory: directory, configuration: other, resume: true)
    }
    // A truncated checkpoint is an error, never a crash.
    let url = TrainingRun.checkpointURL(in: directory)
    let bytes = try Data(contentsOf: url)
    for cut in [0, 7, 8, 100, bytes.count / 2, bytes.count - 1] {
      try bytes.prefix(cut).write(to: url)
      #expect(throws: (any Error).self) { _ = try TrainingRun(directory: directory, configuration: nil, resume: true) }
      #expect(throws: (any Error).self) { _ = try TrainingRun.model(fromCheckpoint: url) }
    }
    var invalid = configuration
    invalid.model.vocabulary = 9
    #expect(throws: TrainingError.self) { try invalid.validate() }
  }
}
