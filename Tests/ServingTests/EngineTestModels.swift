import Models

/// Small models of each family (vocabulary 11, width 16, two blocks), seeded.
enum EngineTestModels {
  static let vocabulary = 11

  static func transformer(seed: UInt64 = 1) throws -> TransformerModel {
    try TransformerModel(.init(vocabulary: vocabulary, width: 16, depth: 2, heads: 2, contextLength: 128), seed: seed)
  }

  static func s4d(seed: UInt64 = 2) throws -> S4Model {
    try S4Model(.init(vocabulary: vocabulary, width: 16, depth: 2, stateSize: 8), seed: seed)
  }

  static func gru(seed: UInt64 = 3) throws -> GRUModel {
    try GRUModel(.init(vocabulary: vocabulary, width: 16, depth: 2), seed: seed)
  }
}
