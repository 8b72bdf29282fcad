import Autodiff
import Checkpoint
import Foundation
import Models
import SeededRandom
import Tasks
import TestSupport
import Testing
import Training
import TrainingTestSupport

@Suite("Training S4D models on the copying task")
struct CopyingTrainingTests {
  static let smallModel = S4Model.Configuration(vocabulary: 6, width: 32, depth: 2, stateSize: 16)
  static let small = RunConfiguration(
    task: TaskConfiguration(.copying, length: 24, count: 4, alphabet: 4), model: .s4(smallModel), batch: 16, steps: 400,
    warmupSteps: 20, seed: 3,
    checkpointEvery: 200)

  // The smoke version of the learning criterion: a 2-layer S4D model learns to copy 4
  // tokens over a delay of 16 and scores ≥ 99 % token accuracy on 512 fresh examples drawn
  // from a seed the training stream never used (~4 s).
  @Test func learnsToCopy() throws {
    let directory = temporaryPath("ssm-run")
    defer { try? FileManager.default.removeItem(at: directory) }
    let configuration = Self.small
    let layer = SSMLayerKind.diagonal
    let run = try TrainingRun(directory: directory, configuration: configuration, resume: false)
    try run.run()
    let accuracy = try configuration.evaluate(run.model, examples: 512, seed: 12_345)
    #expect(accuracy >= 0.99, "\(layer) accuracy \(accuracy)")
    // The final checkpoint reproduces the trained model exactly.
    let (restored, stored) = try TrainingRun.model(fromCheckpoint: TrainingRun.checkpointURL(in: directory))
    #expect(stored == configuration)
    #expect(zip(restored.parameters, run.model.parameters).allSatisfy { $0.value == $1.value })
  }

  // The S4 (DPLR, LegS) model trains through the same loop: over 60 steps the mean loss
  // of the last 10 is well below that of the first 10 (chance level is log 4 ≈ 1.39 on the
  // scored positions). Its gradients are checked op by op in AutodiffTests.
  @Test func dplrModelLearns() throws {
    let directory = temporaryPath("ssm-run")
    defer { try? FileManager.default.removeItem(at: directory) }
    var model = Self.smallModel
    model.layer = .dplr
    var configuration = Self.small
    configuration.model = .s4(model)
    configuration.steps = 60
    var losses: [Float] = []
    let run = try TrainingRun(directory: directory, configuration: configuration, resume: false)
    try run.run { losses.append($0.loss) }
    // The trained model steps with the task length as its recurrent horizon.
    #expect((run.model as? S4Model)?.configuration.kernelHorizon == configuration.task.length)
    let (first, last) = (losses.prefix(10).reduce(0, +) / 10, losses.suffix(10).reduce(0, +) / 10)
    #expect(last < 0.8 * first, "loss \(first) → \(last)")
  }

  // An interruption after the checkpoint at step 20 (killed at 27) and a resume give the
  // same parameters as an uninterrupted run: same batches, dropout masks and updates.
  @Test func resumeEqualsUninterruptedRun() throws {
    var configuration = Self.small
    configuration.steps = 40
    configuration.checkpointEvery = 10
    var model = Self.smallModel
    model.dropout = 0.1
    configuration.model = .s4(model)
    configuration.evaluateEvery = 15
    let (whole, interrupted) = (temporaryPath("ssm-run"), temporaryPath("ssm-run"))
    defer { [whole, interrupted].forEach { try? FileManager.default.removeItem(at: $0) } }
    try expectExactResume(configuration, stop: 27, checkpoint: 20, whole: whole, interrupted: interrupted)
    let metrics = try String(contentsOf: interrupted.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    #expect(metrics == (try String(contentsOf: whole.appendingPathComponent("metrics.jsonl"), encoding: .utf8)))
  }

  @Test func refusesBadRunsAndCheckpoints() throws {
    let directory = temporaryPath("ssm-run")
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
    var model = Self.smallModel
    model.vocabulary = 9
    invalid.model = .s4(model)
    #expect(throws: TrainingError.self) { try invalid.validate() }
  }
}

@Suite("S4 model structure")
struct ModelStructureTests {
  // Causality: changing the last token leaves earlier logits of a causal model unchanged up
  // to float32 FFT round-off (the transform mixes all positions at ~1e-7; 1e-5 bound), and
  // changes them clearly (> 1e-3) in a bidirectional one, whose anti-causal kernels read ahead.
  @Test(arguments: [false, true])
  func bidirectionalModelsReadTheFuture(bidirectional: Bool) throws {
    let model = try S4Model(
      .init(vocabulary: 6, width: 16, depth: 2, stateSize: 8, bidirectional: bidirectional), seed: 5)
    var generator = SeededGenerator(seed: 1)
    let tokens = [[0, 1, 2, 3, 4, 5, 0, 1, 2, 3]]
    var changed = tokens
    changed[0][9] = 5
    let (a, b) = (Tape(), Tape())
    let first = a.value(try model.logits(tokens, on: a, training: false, generator: &generator))
    let second = b.value(try model.logits(changed, on: b, training: false, generator: &generator))
    let earlier = 9 * 6  // logits of positions 0…8
    let difference = zip(first.values.prefix(earlier), second.values.prefix(earlier)).map { abs($0 - $1) }.max()!
    if bidirectional { #expect(difference > 1e-3) } else { #expect(difference <= 1e-5) }
  }
}
