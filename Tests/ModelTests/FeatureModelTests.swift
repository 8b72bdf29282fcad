import Autodiff
import Foundation
import ModelTestSupport
import Models
import SeededRandom
import Tasks
import Testing
import Training

/// A tiny feature model of each family: 2 input channels (the adding task's value and marker),
/// 1 output value, width 8, one block (two for the transformer), for sequences of length 8.
enum FeatureFamily: String, CaseIterable, CustomTestStringConvertible {
  case s4d, s4, transformerRotary, transformerLearned, gru

  var configuration: ModelConfiguration {
    switch self {
    case .s4d: .s4(.init(vocabulary: 1, width: 8, depth: 1, stateSize: 4, inputChannels: 2))
    // DPLR layers step with C = C̃(I − Ā^L)⁻¹ at the recorded horizon: the tests' length 8.
    case .s4:
      .s4(.init(vocabulary: 1, width: 8, depth: 1, stateSize: 4, layer: .dplr, kernelHorizon: 8, inputChannels: 2))
    case .transformerRotary:
      .transformer(
        .init(vocabulary: 1, width: 8, depth: 2, heads: 2, mlpRatio: 2, positions: .rotary, inputChannels: 2))
    case .transformerLearned:
      .transformer(
        .init(
          vocabulary: 1, width: 8, depth: 1, heads: 2, mlpRatio: 2, positions: .learned, contextLength: 8,
          inputChannels: 2))
    case .gru: .gru(.init(vocabulary: 1, width: 8, depth: 1, inputChannels: 2))
    }
  }

  var testDescription: String { rawValue }
}

/// Checks the tape's gradient of a feature model's scored mean squared error (the training loss
/// of feature tasks) against central differences, as ``checkModelGradients(_:tokens:targets:checksPerParameter:sourceLocation:)``
/// does for the token loss, with the same step and tolerance (`2e-2` of the parameter's largest
/// gradient plus `1e-4`, see there for why).
func checkFeatureModelGradients(
  _ model: any SequenceModel, batch: TaskBatch, checksPerParameter: Int = 4,
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  try checkParameterGradients(model.parameters, checksPerParameter: checksPerParameter, sourceLocation: sourceLocation)
  {
    tape in
    var unused = SeededGenerator(seed: 0)
    return try taskLoss(model, batch: batch, on: tape, training: false, generator: &unused)
  }
}

@Suite("Feature models: linear input encoder, real-valued outputs")
struct FeatureModelTests {
  /// Three adding instances of length 8 (scored at the last position only).
  static func addingBatch() throws -> TaskBatch {
    try AddingTask(length: 8).batch(3, split: .train, index: 0, seed: 5)
  }

  // The whole model's gradient (encoder, blocks, norm, decoder) through the scored-position
  // loss agrees with central differences; the encoder's weight gets a non-zero gradient (the
  // input path is connected).
  @Test(arguments: FeatureFamily.allCases)
  func wholeModelGradient(family: FeatureFamily) throws {
    let model = try family.configuration.build(seed: 3)
    #expect(model.inputChannels == 2)
    let batch = try Self.addingBatch()
    try checkFeatureModelGradients(model, batch: batch)
    let encoderWeight = try #require(model.parameters.first)
    #expect(encoderWeight.value.shape == [2, 8])
    #expect(encoderWeight.gradient.values.contains { $0 != 0 })
  }

  // The read-out is B·L × V with V = output channels, `forward(features:)` reshapes it to
  // B × L × V, and the batch's MSE from it equals the training loss (same scored positions).
  @Test(arguments: FeatureFamily.allCases)
  func readOutShapeAndLoss(family: FeatureFamily) throws {
    let model = try family.configuration.build(seed: 4)
    let batch = try Self.addingBatch()
    let features = try featureTensor(of: batch)
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    let outputs = try model.outputs(features: features, on: tape, training: false, generator: &unused)
    #expect(tape.value(outputs).shape == [3 * 8, 1])
    let forward = try model.forward(features: features)
    #expect(forward.shape == [3, 8, 1])
    #expect(forward.values == tape.value(outputs).values)
    let loss = try scoredMeanSquaredError(outputs, batch: batch, on: tape)
    let reference = try batch.meanSquaredError(predictions: forward.values, layout: .everyPosition).mean
    // float32 loss vs the Double reference over 3 terms: relative 1e-6.
    #expect(abs(Double(tape.value(loss).scalar) - reference) <= 1e-6 * max(reference, 1e-6))
  }

  // Causal families: the read-out at position t depends on the features up to t only; changing
  // the inputs at positions 5 … 7 changes the read-out there by far more than rounding.
  @Test(arguments: FeatureFamily.allCases)
  func causal(family: FeatureFamily) throws {
    let model = try family.configuration.build(seed: 6)
    var features = try featureTensor(of: Self.addingBatch())
    let before = try model.forward(features: features)
    for t in 5..<8 { features.values[(0 * 8 + t) * 2] += 0.5 }  // sequence 0, positions 5 … 7
    let after = try model.forward(features: features)
    // FFT convolutions (S4, S4D) mix every position at rounding level, ≈ 1e-7 here: bound 1e-5.
    for t in 0..<5 { #expect(abs(before.values[t] - after.values[t]) <= 1e-5, "position \(t)") }
    for t in 5..<8 { #expect(abs(before.values[t] - after.values[t]) > 1e-4, "position \(t)") }
    for t in 8..<before.count { #expect(abs(before.values[t] - after.values[t]) <= 1e-5) }  // other sequences
  }

  // Token entry points (parallel and recurrent) throw on a feature model, the feature entry
  // points throw on features with the wrong channel count or batch and on a token model; tied
  // embeddings and zero channels are rejected.
  @Test(arguments: FeatureFamily.allCases)
  func wrongKindOfInputThrows(family: FeatureFamily) throws {
    let model = try family.configuration.build(seed: 0)
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    #expect(throws: AutodiffError.self) {
      try model.logits([[0, 0]], on: tape, training: false, generator: &unused)
    }
    try Self.expectRecurrentInputErrors(model)
    #expect(throws: AutodiffError.self) {
      try model.outputs(features: Tensor(shape: [1, 4, 3]), on: tape, training: false, generator: &unused)
    }
    #expect(throws: AutodiffError.self) {
      try model.outputs(features: Tensor(shape: [4, 2]), on: tape, training: false, generator: &unused)
    }
  }

  /// The recurrent entry points of a feature model with 2 input channels refuse tokens,
  /// 3 channels, a batch other than the state's and a 3-d single step.
  static func expectRecurrentInputErrors<Model: SequenceModel>(_ model: Model) throws {
    var state = try model.initialState(batchSize: 1)
    #expect(throws: AutodiffError.self) { try model.step([0], state: &state) }
    #expect(throws: AutodiffError.self) { try model.prefill(features: Tensor(shape: [1, 2, 3]), state: &state) }
    #expect(throws: AutodiffError.self) { try model.prefill(features: Tensor(shape: [2, 2, 2]), state: &state) }
    #expect(throws: AutodiffError.self) { try model.step(features: Tensor(shape: [1, 1, 2]), state: &state) }
  }

  /// Streams one chunk of features through a model (which throws for a token model).
  static func streamFeatures<Model: SequenceModel>(_ model: Model) throws {
    var state = try model.initialState(batchSize: 1)
    _ = try model.prefill(features: Tensor(shape: [1, 2, 2]), state: &state)
  }

  // Recurrent mode of feature models (streaming): a chunk of 3 positions, then one position at
  // a time, gives the parallel read-out at every position (float32, relative 1e-4 as for the
  // token models: the two modes round differently, a missing term shows at O(1)).
  @Test(arguments: FeatureFamily.allCases)
  func recurrentModeEqualsParallel(family: FeatureFamily) throws {
    let model = try family.configuration.build(seed: 7)
    let features = try featureTensor(of: Self.addingBatch())
    #expect(try recurrentDeviation(model, features: features, prefillChunks: [3]) <= 1e-4)
  }

  @Test func tokenModelsReadNoFeatures() throws {
    let models: [any SequenceModel] = [
      try S4Model(.init(vocabulary: 5, width: 8, depth: 1, stateSize: 4), seed: 0),
      try TransformerModel(.init(vocabulary: 5, width: 8, depth: 1, heads: 2), seed: 0),
      try GRUModel(.init(vocabulary: 5, width: 8, depth: 1), seed: 0),
    ]
    for model in models {
      #expect(model.inputChannels == nil)
      #expect(model.parameters.first?.value.shape == [5, 8])  // the token embedding
      let tape = Tape(recordsGradients: false)
      var unused = SeededGenerator(seed: 0)
      #expect(throws: AutodiffError.self) {
        try model.outputs(features: Tensor(shape: [1, 4, 2]), on: tape, training: false, generator: &unused)
      }
      #expect(throws: AutodiffError.self) { try Self.streamFeatures(model) }
    }
    #expect(throws: AutodiffError.self) {
      try TransformerModel(
        .init(vocabulary: 1, width: 8, depth: 1, heads: 2, tiedEmbeddings: true, inputChannels: 2), seed: 0)
    }
    #expect(throws: AutodiffError.self) {
      try S4Model(.init(vocabulary: 1, width: 8, depth: 1, stateSize: 4, inputChannels: 0), seed: 0)
    }
    #expect(throws: AutodiffError.self) {
      try GRUModel(.init(vocabulary: 1, width: 8, depth: 1, inputChannels: 0), seed: 0)
    }
  }

  // Configurations written before `inputChannels` existed decode as token models, token
  // configurations still encode without the field, and feature configurations round-trip.
  @Test func oldConfigurationsDecode() throws {
    let old = [
      #"{"family":"s4","configuration":{"vocabulary":6,"width":16,"depth":1,"stateSize":8,"dropout":0}}"#,
      #"{"vocabulary":6,"width":16,"depth":1,"stateSize":8,"dropout":0,"layer":"diagonal"}"#,
      #"{"family":"transformer","configuration":{"vocabulary":6,"width":16,"depth":2,"heads":2,"mlpRatio":2,"#
        + #""positions":"rotary","contextLength":24,"tiedEmbeddings":false,"dropout":0}}"#,
      #"{"family":"gru","configuration":{"vocabulary":6,"width":16,"depth":1}}"#,
    ]
    for json in old {
      let configuration = try JSONDecoder().decode(ModelConfiguration.self, from: Data(json.utf8))
      #expect(configuration.inputChannels == nil, "\(json)")
      #expect(configuration.vocabulary == 6)
      let encoded = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
      #expect(!encoded.contains("inputChannels"))
      #expect(try configuration.build(seed: 0).inputChannels == nil)
    }
    for family in FeatureFamily.allCases {
      let encoded = try JSONEncoder().encode(family.configuration)
      let decoded = try JSONDecoder().decode(ModelConfiguration.self, from: encoded)
      #expect(decoded == family.configuration)
      #expect(decoded.inputChannels == 2)
    }
  }
}
