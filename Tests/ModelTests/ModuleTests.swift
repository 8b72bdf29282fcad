import Autodiff
import Checkpoint
import Foundation
import Models
import Testing
import Training

/// The checkpoint names every family's parameters carry, in the order optimiser state, gradient
/// clipping and checkpoints have always visited them, spelled out from the naming scheme of the
/// layers (independently of any traversal): encoder, blocks in order, final normalisation, decoder;
/// inside a layer, the order of its math (`W` before `b`, `γ` before `β`, S4's `Λ, P, B, C̃, log dt, D`).
enum ExpectedParameterNames {
  static func linear(_ name: String) -> [String] { ["\(name).weight", "\(name).bias"] }
  static func layerNorm(_ name: String) -> [String] { ["\(name).gamma", "\(name).beta"] }

  /// `encoder.embedding`, or `encoder.input.*` for a feature model (the S4 and GRU families).
  static func stackEncoder(inputChannels: Int?) -> [String] {
    inputChannels == nil ? ["encoder.embedding"] : linear("encoder.input")
  }

  static let decoder = layerNorm("decoder.norm") + linear("decoder.output")

  static func s4(_ c: S4Model.Configuration) -> [String] {
    let layer =
      c.layer == .diagonal
      ? ["logNegativeRealLambda", "imaginaryLambda", "b", "c", "logDt", "skip"]
      : ["logNegativeRealLambda", "imaginaryLambda", "p", "b", "tildeC", "logDt", "skip"]
    let blocks = (0..<c.depth).flatMap { i in
      layerNorm("blocks.\(i).norm") + layer.map { "blocks.\(i).s4.\($0)" } + linear("blocks.\(i).output")
    }
    return stackEncoder(inputChannels: c.inputChannels) + blocks + decoder
  }

  static func transformer(_ c: TransformerModel.Configuration) -> [String] {
    let encoder = c.inputChannels == nil ? ["embedding.tokens"] : linear("embedding.features")
    let positions = c.positions == .learned ? ["embedding.positions"] : []
    let blocks = (0..<c.depth).flatMap { i in
      let attention = "blocks.\(i).attention"
      let mlp = "blocks.\(i).mlp"
      return layerNorm("\(attention).norm") + linear("\(attention).query") + linear("\(attention).key")
        + linear("\(attention).value") + linear("\(attention).output") + layerNorm("\(mlp).norm")
        + linear("\(mlp).expand") + linear("\(mlp).contract")
    }
    let output = c.tiedEmbeddings ? layerNorm("decoder.norm") : decoder
    return encoder + positions + blocks + output
  }

  static func gru(_ c: GRUModel.Configuration) -> [String] {
    let blocks = (0..<c.depth).flatMap { i in
      linear("blocks.\(i).gru.inputProjection") + ["blocks.\(i).gru.hiddenWeight", "blocks.\(i).gru.hiddenBias"]
    }
    return stackEncoder(inputChannels: c.inputChannels) + blocks + decoder
  }

  /// The expected names of a model of `configuration`, whatever its family.
  static func of(_ configuration: ModelConfiguration) -> [String] {
    if let s4 = configuration.as(S4Model.Configuration.self) { return Self.s4(s4) }
    if let transformer = configuration.as(TransformerModel.Configuration.self) { return Self.transformer(transformer) }
    if let gru = configuration.as(GRUModel.Configuration.self) { return Self.gru(gru) }
    Issue.record("no expected names for the family \(configuration.family)")
    return []
  }
}

/// Models of every family and option that changes which parameters a model holds.
enum ParameterLayout: String, CaseIterable, CustomTestStringConvertible {
  case s4d, s4dBidirectional, s4, s4Features, transformerRotary, transformerLearned, transformerTied
  case transformerFeatures, gru, gruFeatures, emptyStack

  var configuration: ModelConfiguration {
    switch self {
    case .s4d: .s4(.init(vocabulary: 5, width: 8, depth: 3, stateSize: 4))
    case .s4dBidirectional:
      .s4(.init(vocabulary: 5, width: 8, depth: 2, stateSize: 4, bidirectional: true, blockOutput: .linear))
    case .s4: .s4(.init(vocabulary: 5, width: 8, depth: 2, stateSize: 4, layer: .dplr, kernelHorizon: 16))
    case .s4Features: .s4(.init(vocabulary: 2, width: 8, depth: 2, stateSize: 4, inputChannels: 3))
    case .transformerRotary: .transformer(.init(vocabulary: 5, width: 8, depth: 2, heads: 2, mlpRatio: 2))
    case .transformerLearned:
      .transformer(.init(vocabulary: 5, width: 8, depth: 2, heads: 2, positions: .learned, contextLength: 12))
    case .transformerTied:
      .transformer(.init(vocabulary: 5, width: 8, depth: 2, heads: 2, positions: .sinusoidal, tiedEmbeddings: true))
    case .transformerFeatures:
      .transformer(
        .init(vocabulary: 2, width: 8, depth: 1, heads: 2, positions: .learned, contextLength: 12, inputChannels: 3))
    case .gru: .gru(.init(vocabulary: 5, width: 8, depth: 3))
    case .gruFeatures: .gru(.init(vocabulary: 2, width: 8, depth: 2, inputChannels: 3))
    case .emptyStack: .s4(.init(vocabulary: 5, width: 8, depth: 0, stateSize: 4))
    }
  }

  var testDescription: String { rawValue }
}

@Suite("Every model's parameters: names and order of the naming scheme, checkpoints of earlier revisions")
struct ModuleTests {
  /// The parameters come in the order of the naming scheme, each name once.
  @Test(arguments: ParameterLayout.allCases)
  func parametersFollowTheNamingScheme(layout: ParameterLayout) throws {
    let names = try layout.configuration.build(seed: 0).parameters.map(\.name)
    #expect(names == ExpectedParameterNames.of(layout.configuration))
    #expect(Set(names).count == names.count)
  }

  static let legacyFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("CommandLineTests/Fixtures")

  /// The checkpoints written by earlier revisions (one per family, see `LegacyCheckpointTests`) hold
  /// exactly the parameters of the model their configuration builds today: `param.NAME` for every
  /// name, and no other `param.*` tensor.
  @Test(arguments: [
    "legacy-checkpoints/s4d", "legacy-checkpoints/s4", "legacy-checkpoints/transformer", "legacy-checkpoints/gru",
    "legacy-checkpoints/adding", "s4-option-checkpoints/s4-options", "s4-option-checkpoints/s4d-options",
  ])
  func legacyCheckpointsHoldTheTraversedNames(fixture: String) throws {
    let url = Self.legacyFixtures.appendingPathComponent("\(fixture).safetensors")
    let stored = try SafeTensors.read(from: url).tensors.keys.filter { $0.hasPrefix("param.") }
    let (model, configuration) = try TrainingRun.model(fromCheckpoint: url)
    let names = model.parameters.map(\.name)
    #expect(Set(stored) == Set(names.map { "param.\($0)" }))
    #expect(names == ExpectedParameterNames.of(configuration.resolvedModel))
  }

  /// The traversal paths name where each parameter sits (property labels, indices, enum cases), once each.
  @Test(arguments: ParameterLayout.allCases)
  func traversalPathsAreUnique(layout: ParameterLayout) throws {
    let paths = try layout.configuration.build(seed: 0).namedParameters.map(\.path)
    #expect(Set(paths).count == paths.count)
  }

  /// Paths are Swift locations (property and case names), names are checkpoint keys: they differ, e.g. the
  /// DPLR layer of block 1 sits at `blocks.1.s4.dplr` and its `C̃` is named `blocks.1.s4.tildeC`.
  @Test func traversalPathsFollowTheStoredProperties() throws {
    let s4 = try S4Model(.init(vocabulary: 5, width: 8, depth: 2, stateSize: 4, layer: .dplr), seed: 0)
    #expect(s4.namedParameters.first?.path == "encoder.tokens")
    #expect(
      s4.namedParameters.contains { $0.path == "blocks.1.s4.dplr.tildeC" && $0.parameter.name == "blocks.1.s4.tildeC" })
    let transformer = try TransformerModel(
      .init(vocabulary: 5, width: 8, depth: 1, heads: 2, positions: .learned, contextLength: 4), seed: 0)
    #expect(
      transformer.namedParameters.map(\.path).prefix(3) == [
        "encoder.tokens", "positionTable", "blocks.0.attentionNorm.gamma",
      ])
    #expect(transformer.namedParameters.last?.path == "decoder.bias")
  }

  /// `parameterCount` is `Σ |p|` (element counts from the shapes) and the family registry's count
  /// from the layer shapes alone, for several sizes, depths, vocabularies and both input kinds.
  @Test(arguments: ModelFamily.all)
  func parameterCountMatchesTheShapes(family: ModelFamily) throws {
    for (width, depth, vocabulary, inputChannels) in [(8, 0, 3, nil), (16, 1, 7, nil), (24, 2, 5, nil), (8, 2, 2, 3)] {
      let shape = ModelFamily.Shape(vocabulary: vocabulary, inputChannels: inputChannels, depth: depth, length: 16)
      let inners: [Int?] =
        family.innerGrid(width: width).map { grid in [grid.lowest, grid.lowest + grid.step] } ?? [nil]
      for inner in inners {
        let size = ModelFamily.Size(width: width, inner: inner)
        let model = try family.configuration(shape, size: size).build(seed: 0)
        let fromShapes = model.parameters.reduce(0) { $0 + $1.value.shape.reduce(1, *) }
        #expect(model.parameterCount == fromShapes, "\(family) \(shape) \(size)")
        #expect(model.parameterCount == family.parameterCount(shape, size: size), "\(family) \(shape) \(size)")
      }
    }
  }
}
