import Foundation
import Models
import Tasks
import TestSupport
import Testing
import Training
import TrainingTestSupport

/// Resumable runs on the tasks of the suite other than copying: real-valued tasks (adding) with
/// feature models and the mean squared error, token tasks (selective copying) with accuracy.
@Suite("Training runs on every task")
struct TaskRunTests {
  static let adding = S4Model.Configuration(vocabulary: 1, width: 16, depth: 2, stateSize: 8, inputChannels: 2)

  static func addingRun(steps: Int, dropout: Float = 0) -> RunConfiguration {
    var model = adding
    model.dropout = dropout
    return RunConfiguration(
      task: TaskConfiguration(.adding, length: 32), model: .s4(model), batch: 8, steps: steps, learningRate: 1e-2,
      stateSpaceLearningRate: 1e-2, warmupSteps: 5, seed: 4, checkpointEvery: 4)
  }

  // A run on a task other than copying is the library's training loop plus checkpoints: step s
  // reads batch s of the train split at seed + 1, so its parameters equal, bit for bit, those
  // of `train(_:on:settings:)` on a model built from the same seed with the same settings.
  @Test func runEqualsTheLibraryLoop() throws {
    let configuration = Self.addingRun(steps: 12)
    let directory = temporaryPath("ssm-run")
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try TrainingRun(directory: directory, configuration: configuration, resume: false)
    var losses: [Float] = []
    try run.run { losses.append($0.loss) }

    let model = try S4Model(Self.adding, seed: 4)
    let log = try train(
      model, on: AddingTask(length: 32),
      settings: TaskTrainingSettings(
        steps: 12, batch: 8, learningRate: 1e-2, stateSpaceLearningRate: 1e-2, warmupSteps: 5, seed: 5))
    #expect(log.losses == losses)
    for (a, b) in zip(run.model.parameters, model.parameters) { #expect(a.value == b.value, "\(a.name)") }
  }

  // Interrupted after its checkpoint at step 4 (stopped at 6) and resumed, a run with dropout
  // on the adding task ends with the parameters of an uninterrupted run; its evaluation is the
  // test-split mean squared error of `evaluate(_:on:examples:seed:)`.
  @Test func addingResumesExactlyAndEvaluatesByMeanSquaredError() throws {
    let configuration = Self.addingRun(steps: 8, dropout: 0.1)
    let (whole, interrupted) = (temporaryPath("ssm-run"), temporaryPath("ssm-run"))
    defer { [whole, interrupted].forEach { try? FileManager.default.removeItem(at: $0) } }
    var reports: [StepReport] = []
    try expectExactResume(
      configuration, stop: 6, checkpoint: 4, whole: whole, interrupted: interrupted, report: { reports.append($0) })

    let (model, stored) = try TrainingRun.model(fromCheckpoint: TrainingRun.checkpointURL(in: interrupted))
    #expect(stored == configuration)
    let mse = try stored.evaluate(model, examples: 64, seed: 9)
    #expect(mse == (try evaluate(model, on: AddingTask(length: 32), examples: 64, seed: 9)))
    #expect(mse > 0 && mse.isFinite)
    #expect(reports.allSatisfy { $0.metric == .meanSquaredError })
  }

  // Token tasks other than copying train token models and report accuracy.
  @Test func selectiveCopyingRunsWithAccuracy() throws {
    let task = try SelectiveCopyingTask(length: 48)
    let configuration = RunConfiguration(
      task: TaskConfiguration(.selectiveCopying, length: 48),
      model: .gru(.init(vocabulary: try tokenVocabulary(of: task), width: 8, depth: 1)), batch: 4, steps: 2,
      checkpointEvery: 2, evaluateEvery: 2)
    let directory = temporaryPath("ssm-run")
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try TrainingRun(directory: directory, configuration: configuration, resume: false)
    var reports: [StepReport] = []
    try run.run { reports.append($0) }
    let evaluation = try #require(reports.last?.evaluation)
    #expect(reports.last?.metric == .accuracy && (0...1).contains(evaluation))
    let metrics = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    #expect(metrics.contains("\"evalAccuracy\""))
  }

  // Models that do not read or write what the task has are refused before any step.
  @Test func mismatchedModelsAreRefused() {
    let models: [ModelConfiguration] = [
      .s4(.init(vocabulary: 2, width: 8, depth: 1, stateSize: 4)),  // tokens on a real-valued task
      .s4(.init(vocabulary: 1, width: 8, depth: 1, stateSize: 4, inputChannels: 1)),  // wrong inputs
      .gru(.init(vocabulary: 3, width: 8, depth: 1, inputChannels: 2)),  // wrong outputs
    ]
    for model in models {
      let configuration = RunConfiguration(task: TaskConfiguration(.adding, length: 32), model: model, steps: 1)
      #expect(throws: TrainingError.self) { try configuration.validate() }
    }
    let featureOnCopying = RunConfiguration(
      task: TaskConfiguration(.copying, length: 24),
      model: .s4(.init(vocabulary: 10, width: 8, depth: 1, stateSize: 4, inputChannels: 1)), steps: 1)
    #expect(throws: TrainingError.self) { try featureOnCopying.validate() }
  }

  // Checkpoints written before runs stored a `TaskConfiguration` keep the task in flat fields: without
  // `taskName` the run is copying with the stored count and alphabet; another task ignores them (they were
  // written for every task); the text task keeps its corpus. A configuration written today reads back equal.
  @Test func legacyTaskFieldsDecode() throws {
    func decode(_ taskFields: String) throws -> RunConfiguration {
      let json = """
        {\(taskFields),"model":{"family":"gru","configuration":{"vocabulary":6,"width":8,"depth":1}},"batch":4,"steps":4,\
        "learningRate":0.003,"weightDecay":0.01,"stateSpaceLearningRate":0.001,"warmupSteps":2,\
        "gradientClip":1,"seed":0,"checkpointEvery":2}
        """
      return try JSONDecoder().decode(RunConfiguration.self, from: Data(json.utf8))
    }
    let unnamed = try decode(#""taskCount":4,"taskAlphabet":3,"taskLength":24"#)
    #expect(unnamed.task == TaskConfiguration(.copying, length: 24, count: 4, alphabet: 3))
    #expect(try unnamed.makeTask() as? CopyingTask == CopyingTask(count: 4, delay: 16, alphabet: 3))
    let named = try decode(#""taskName":"copying","taskCount":4,"taskAlphabet":3,"taskLength":24"#)
    #expect(named == unnamed)
    let adding = try decode(#""taskName":"adding","taskCount":10,"taskAlphabet":8,"taskLength":32"#)
    #expect(adding.task == TaskConfiguration(.adding, length: 32))
    #expect(try adding.makeTask() is AddingTask)
    let text = try decode(#""taskName":"text","taskCount":10,"taskAlphabet":8,"taskLength":64,"taskCorpus":"/c""#)
    #expect(text.task == TaskConfiguration(.text, length: 64, corpus: "/c"))
    for configuration in [unnamed, adding, text] {
      let written = try JSONEncoder().encode(configuration)
      #expect(try JSONDecoder().decode(RunConfiguration.self, from: written) == configuration)
    }
  }

  // A run initialised from a checkpoint starts from exactly its parameters (not its seeded
  // initialisation) at step 0 with fresh optimiser moments, trains away from them, and records
  // the source; a checkpoint of another model shape, or no file, is refused before any step.
  @Test func initializedFromACheckpoint() throws {
    let (first, second) = (temporaryPath("ssm-run"), temporaryPath("ssm-run"))
    defer { [first, second].forEach { try? FileManager.default.removeItem(at: $0) } }
    let stage1 = try TrainingRun(directory: first, configuration: Self.addingRun(steps: 3), resume: false)
    try stage1.run()
    let source = TrainingRun.checkpointURL(in: first).path
    var configuration = Self.addingRun(steps: 2)
    configuration.initializedFrom = source
    let stage2 = try TrainingRun(directory: second, configuration: configuration, resume: false)
    #expect(stage2.step == 0)
    for (a, b) in zip(stage1.model.parameters, stage2.model.parameters) { #expect(a.value == b.value, "\(a.name)") }
    let seeded = try Self.addingRun(steps: 2).makeModel().parameters
    #expect(zip(seeded, stage2.model.parameters).contains { $0.value != $1.value })
    try stage2.run()
    #expect(zip(stage1.model.parameters, stage2.model.parameters).contains { $0.value != $1.value })
    let (_, stored) = try TrainingRun.model(fromCheckpoint: TrainingRun.checkpointURL(in: second))
    #expect(stored.initializedFrom == source)

    var wider = configuration
    wider.model = .s4(.init(vocabulary: 1, width: 24, depth: 2, stateSize: 8, inputChannels: 2))
    #expect(throws: TrainingError.self) {
      try TrainingRun(directory: temporaryPath("ssm-run"), configuration: wider, resume: false)
    }
    var missing = configuration
    missing.initializedFrom = first.appendingPathComponent("none.safetensors").path
    #expect(throws: (any Error).self) {
      try TrainingRun(directory: temporaryPath("ssm-run"), configuration: missing, resume: false)
    }
  }
}

@Suite("Copying runs: train, validation and test splits")
struct CopyingRunSplitTests {
  // Copying 4 tokens over 3 symbols has 81 instances. Exhaustively: each instance is owned by one
  // split (its content hash, computed here from the layout data + blanks + markers rebuilt by
  // hand), every training batch of a 300-step run holds only train-owned instances, and the
  // validation and test batches its evaluations read hold only their own: no instance a run
  // scores was ever trained on.
  @Test func runsNeverScoreTrainedInstances() throws {
    let configuration = RunConfiguration(
      task: TaskConfiguration(.copying, length: 10, count: 4, alphabet: 3),
      model: .s4(.init(vocabulary: 5, width: 8, depth: 1, stateSize: 4)), batch: 16, steps: 300)
    let task = try configuration.makeTask()
    var owner: [[Int]: Split] = [:]
    for code in 0..<81 {
      let inputs = [code % 3, code / 3 % 3, code / 9 % 3, code / 27] + [3, 3] + [4, 4, 4, 4]
      owner[inputs] = Split.owning(hash: Split.contentHash(tokens: inputs))
    }
    for split in Split.allCases { try #require(owner.values.contains(split), "no instance owned by \(split)") }
    func instances(_ batch: TaskBatch) -> [[Int]] {
      guard case .tokens(let rows) = batch.inputs else { return [] }
      return rows
    }
    var trained = Set<[Int]>()
    for step in 0..<configuration.steps {
      trained.formUnion(instances(try configuration.trainingBatch(step: step, of: task)))
    }
    #expect(trained.allSatisfy { owner[$0] == .train })
    for split in [Split.validation, .test] {
      let scored = try (0..<20).flatMap { instances(try task.batch(16, split: split, index: $0, seed: 99)) }
      #expect(scored.allSatisfy { owner[$0] == split })
      #expect(Set(scored).isDisjoint(with: trained))
    }
    // Every train-owned instance is eventually trained on (4 800 draws from ≤ 81 instances).
    #expect(trained.count == owner.values.filter { $0 == .train }.count)
  }
}
