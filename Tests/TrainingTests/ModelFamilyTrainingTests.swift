import Autodiff
import Checkpoint
import Foundation
import Models
import Tasks
import TestSupport
import Testing
import Training
import TrainingTestSupport

/// The small copying task of the S4 training tests (4 tokens from 4 symbols over a delay of
/// 16: vocabulary 6, length 24) with a tiny model of each family.
enum TrainingFamily: String, CaseIterable, CustomTestStringConvertible {
  case s4d, s4, transformer, gru

  var model: ModelConfiguration {
    switch self {
    case .s4d: .s4(S4Model.Configuration(vocabulary: 6, width: 16, depth: 1, stateSize: 8))
    case .s4: .s4(S4Model.Configuration(vocabulary: 6, width: 16, depth: 1, stateSize: 8, layer: .dplr))
    case .transformer:
      .transformer(
        TransformerModel.Configuration(
          vocabulary: 6, width: 16, depth: 2, heads: 2, mlpRatio: 2, positions: .rotary, contextLength: 24))
    case .gru: .gru(GRUModel.Configuration(vocabulary: 6, width: 16, depth: 1))
    }
  }

  func configuration(steps: Int) -> RunConfiguration {
    RunConfiguration(
      task: TaskConfiguration(.copying, length: 24, count: 4, alphabet: 4), model: model, batch: 16, steps: steps,
      learningRate: 1e-2, warmupSteps: 10, seed: 7, checkpointEvery: 50)
  }

  var testDescription: String { rawValue }
}

@Suite("Training every model family")
struct ModelFamilyTrainingTests {
  // A tiny transformer (2 blocks, D = 16) learns to copy within 60 steps: the mean loss of
  // the last 10 steps is far below that of the first 10 (≈ 1.4 → ≈ 0.003 at seed 7) and it
  // scores ≥ 95 % token accuracy on fresh instances (100 % at seed 7; chance is 25 %).
  @Test func transformerLearnsToCopy() throws {
    let (losses, accuracy) = try train(TrainingFamily.transformer.configuration(steps: 60))
    let (first, last) = (mean(losses.prefix(10)), mean(losses.suffix(10)))
    #expect(last < 0.2 * first, "transformer loss \(first) → \(last)")
    #expect(accuracy >= 0.95, "transformer accuracy \(accuracy)")
  }

  // A tiny GRU (H = 32) trains through the same loop, more slowly: over 150 steps the mean
  // loss of the last 10 is well below that of the first 10 (≈ 1.57 → ≈ 1.0 at seed 7) and
  // below log 4 ≈ 1.39, the loss of knowing the symbol frequencies only, and its accuracy is
  // above the 25 % of chance (≈ 49 %).
  @Test func gruLearns() throws {
    var configuration = TrainingFamily.gru.configuration(steps: 150)
    configuration.model = .gru(GRUModel.Configuration(vocabulary: 6, width: 32, depth: 1))
    configuration.learningRate = 2e-2
    let (losses, accuracy) = try train(configuration)
    let (first, last) = (mean(losses.prefix(10)), mean(losses.suffix(10)))
    #expect(last < 0.8 * first && last < 1.3, "GRU loss \(first) → \(last)")
    #expect(accuracy >= 0.35, "GRU accuracy \(accuracy)")
  }

  /// The per-step losses of a fresh run of `configuration` and the trained model's accuracy
  /// on 128 fresh instances.
  private func train(_ configuration: RunConfiguration) throws -> (losses: [Float], accuracy: Double) {
    let directory = temporaryPath("ssm-run")
    defer { try? FileManager.default.removeItem(at: directory) }
    var losses: [Float] = []
    let run = try TrainingRun(directory: directory, configuration: configuration, resume: false)
    try run.run { losses.append($0.loss) }
    let accuracy = try configuration.evaluate(run.model, examples: 128, seed: 99)
    return (losses, accuracy)
  }

  private func mean(_ values: ArraySlice<Float>) -> Float { values.reduce(0, +) / Float(values.count) }

  // The final checkpoint of every family rebuilds a model of that family with exactly the
  // trained parameters, and stores the configuration it was made with.
  @Test(arguments: TrainingFamily.allCases)
  func checkpointRoundTrip(_ family: TrainingFamily) throws {
    let directory = temporaryPath("ssm-run")
    defer { try? FileManager.default.removeItem(at: directory) }
    let configuration = family.configuration(steps: 3)
    let run = try TrainingRun(directory: directory, configuration: configuration, resume: false)
    try run.run()
    let (restored, stored) = try TrainingRun.model(fromCheckpoint: TrainingRun.checkpointURL(in: directory))
    #expect(stored == configuration)
    #expect(type(of: restored) == type(of: run.model))
    let (a, b) = (restored.parameters, run.model.parameters)
    #expect(a.map(\.name) == b.map(\.name))
    #expect(zip(a, b).allSatisfy { $0.value == $1.value })
    #expect(try restored.forward([[0, 1, 2, 3, 4, 5]]) == run.model.forward([[0, 1, 2, 3, 4, 5]]))
  }

  // A run is a pure function of its configuration, down to the checkpoint's bytes: the
  // configuration metadata is written with sorted keys (JSONEncoder's order otherwise depends on
  // the process's hash seed), so two processes write identical files.
  @Test func checkpointMetadataHasSortedKeys() throws {
    let directory = temporaryPath("ssm-run")
    defer { try? FileManager.default.removeItem(at: directory) }
    let configuration = TrainingFamily.s4d.configuration(steps: 1)
    try TrainingRun(directory: directory, configuration: configuration, resume: false).run()
    let stored = try #require(
      try SafeTensors.read(from: TrainingRun.checkpointURL(in: directory)).metadata["configuration"])
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    #expect(stored == String(decoding: try encoder.encode(configuration), as: UTF8.self))
  }

  // A transformer with dropout interrupted after its checkpoint at step 4 (stopped at 6) and
  // resumed ends with the parameters of an uninterrupted run: same batches, masks and updates.
  @Test func transformerResumesExactly() throws {
    var configuration = TrainingFamily.transformer.configuration(steps: 8)
    guard var model = configuration.model.as(TransformerModel.Configuration.self) else { return }
    model.dropout = 0.1
    configuration.model = .transformer(model)
    configuration.checkpointEvery = 4
    let (whole, interrupted) = (temporaryPath("ssm-run"), temporaryPath("ssm-run"))
    defer { [whole, interrupted].forEach { try? FileManager.default.removeItem(at: $0) } }
    try expectExactResume(configuration, stop: 6, checkpoint: 4, whole: whole, interrupted: interrupted)
  }

  // An S4 model with DPLR layers records the task length as its recurrent horizon, so that
  // stepping the trained model reproduces its parallel (convolution) logits.
  @Test func dplrModelsStepLikeTheirConvolution() throws {
    let configuration = TrainingFamily.s4.configuration(steps: 1)
    guard let model = configuration.model.as(S4Model.Configuration.self) else {
      Issue.record("not an S4 configuration")
      return
    }
    #expect(model.kernelHorizon == 24)
    let built = try #require(try configuration.makeModel() as? S4Model)
    let tokens = [[0, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5]]
    let parallel = try built.forward(tokens)
    var state = try built.initialState(batchSize: 1)
    let stepped = try built.prefill(tokens, state: &state)
    let scale = parallel.values.map(abs).max() ?? 1
    let difference = zip(parallel.values, stepped.values).map { abs($0 - $1) }.max() ?? 0
    #expect(difference <= 1e-3 * max(1, scale), "max |Δ| \(difference)")
  }
}

@Suite("Run configurations of every family")
struct RunConfigurationCodingTests {
  // The format of checkpoints written before ModelConfiguration: `model` is a bare S4
  // configuration object (here with every field of that format, and with the optional
  // ones absent).
  @Test func oldFormatDecodes() throws {
    let full = """
      {"taskCount":4,"taskAlphabet":4,"taskLength":24,"model":{"vocabulary":6,"width":32,"depth":2,\
      "stateSize":16,"dropout":0.1,"layer":"dplr","bidirectional":false},"batch":16,"steps":400,\
      "learningRate":0.003,"weightDecay":0.01,"stateSpaceLearningRate":0.001,"warmupSteps":20,\
      "gradientClip":1,"seed":3,"checkpointEvery":200}
      """
    let decoded = try JSONDecoder().decode(RunConfiguration.self, from: Data(full.utf8))
    #expect(
      decoded.model
        == .s4(
          S4Model.Configuration(
            vocabulary: 6, width: 32, depth: 2, stateSize: 16, dropout: 0.1, layer: .dplr, bidirectional: false)))
    #expect(decoded.steps == 400 && decoded.seed == 3 && decoded.evaluateEvery == nil)
    // No horizon was recorded; the model is built with the task length.
    #expect(decoded.resolvedModel.family == "s4")
    guard let resolved = decoded.resolvedModel.as(S4Model.Configuration.self) else { return }
    #expect(resolved.kernelHorizon == 24)

    // Every field added later is absent: the defaults (diagonal, causal, pre-norm, no pooling,
    // dt ∈ [1e-3, 1e-1], S4D-Lin, GLU; no horizon, tokens).
    let minimal = #"{"vocabulary":6,"width":8,"depth":1,"stateSize":4,"dropout":0}"#
    let model = try JSONDecoder().decode(ModelConfiguration.self, from: Data(minimal.utf8))
    #expect(
      model
        == .s4(
          S4Model.Configuration(
            vocabulary: 6, width: 8, depth: 1, stateSize: 4, dropout: 0, layer: .diagonal, bidirectional: false,
            kernelHorizon: nil, inputChannels: nil, normPosition: .pre, dtRange: [1e-3, 1e-1], meanPooling: false,
            initialization: .lin, blockOutput: .glu)))
    #expect(try model.build(seed: 0) is S4Model)

    // A recorded horizon (key `recurrentHorizon` in every checkpoint so far) is the kernel horizon,
    // and encodes under the same key.
    let recorded =
      #"{"vocabulary":6,"width":8,"depth":1,"stateSize":4,"dropout":0,"layer":"dplr","recurrentHorizon":40}"#
    let withHorizon = try JSONDecoder().decode(S4Model.Configuration.self, from: Data(recorded.utf8))
    #expect(withHorizon.kernelHorizon == 40)
    let encoded = try #require(
      try JSONSerialization.jsonObject(with: JSONEncoder().encode(withHorizon)) as? [String: Any])
    #expect(encoded["recurrentHorizon"] as? Int == 40)
  }

  // Each family encodes as {"family": …, "configuration": {…}} and decodes to itself;
  // unknown families and malformed objects are errors.
  @Test(arguments: TrainingFamily.allCases)
  func roundTrip(_ family: TrainingFamily) throws {
    let configuration = family.configuration(steps: 5)
    let data = try JSONEncoder().encode(configuration)
    #expect(try JSONDecoder().decode(RunConfiguration.self, from: data) == configuration)
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let model = try #require(object["model"] as? [String: Any])
    #expect(model["family"] as? String == (family == .s4d ? "s4" : family.rawValue))
    #expect(model["configuration"] is [String: Any])
  }

  @Test func malformedModelsAreErrors() {
    for text in [
      #"{"family":"lstm","configuration":{"vocabulary":6}}"#,
      #"{"family":"gru"}"#,
      #"{"family":"transformer","configuration":{"vocabulary":6,"width":8}}"#,
      #"{"width":8}"#,
    ] {
      #expect(throws: DecodingError.self, "\(text)") {
        _ = try JSONDecoder().decode(ModelConfiguration.self, from: Data(text.utf8))
      }
    }
  }

  // A learned position table shorter than the task cannot be trained on it.
  @Test func learnedPositionsMustCoverTheTask() {
    var configuration = TrainingFamily.transformer.configuration(steps: 1)
    configuration.model = .transformer(
      TransformerModel.Configuration(
        vocabulary: 6, width: 8, depth: 1, heads: 2, positions: .learned, contextLength: 20))
    #expect(throws: TrainingError.self) { try configuration.validate() }
  }
}

@Suite("Checkpoints of the S4-only format")
struct OldCheckpointTests {
  // A checkpoint whose metadata holds the old configuration JSON (model = bare S4
  // configuration) loads for evaluation and resumes training.
  @Test func oldCheckpointLoadsAndResumes() throws {
    let directory = temporaryPath("ssm-run")
    defer { try? FileManager.default.removeItem(at: directory) }
    var configuration = TrainingFamily.s4d.configuration(steps: 4)
    configuration.checkpointEvery = 2
    let run = try TrainingRun(directory: directory, configuration: configuration, resume: false)
    try run.run(until: 2)
    let url = TrainingRun.checkpointURL(in: directory)
    let checkpoint = try SafeTensors.read(from: url)
    let text = try #require(checkpoint.metadata["configuration"])
    var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let model = try #require(object["model"] as? [String: Any])
    object["model"] = model["configuration"]
    let old = try JSONSerialization.data(withJSONObject: object)
    try SafeTensors(tensors: checkpoint.tensors, metadata: ["configuration": String(decoding: old, as: UTF8.self)])
      .write(to: url)

    let (restored, stored) = try TrainingRun.model(fromCheckpoint: url)
    #expect(stored == configuration)
    #expect(zip(restored.parameters, run.model.parameters).allSatisfy { $0.value == $1.value })
    let resumed = try TrainingRun(directory: directory, configuration: configuration, resume: true)
    #expect(resumed.step == 2)
    try resumed.run()
    #expect(resumed.step == 4)
  }
}
