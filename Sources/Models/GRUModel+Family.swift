extension GRUModel.Configuration: ModelFamilyConfiguration {
  /// `"gru"`.
  public static let family = "gru"

  /// A ``GRUModel``.
  public func build(seed: UInt64) throws -> any SequenceModel { try GRUModel(self, seed: seed) }
}

extension ModelConfiguration {
  /// A residual GRU stack, see ``GRUModel``.
  public static func gru(_ configuration: GRUModel.Configuration) -> ModelConfiguration {
    ModelConfiguration(configuration)
  }
}

extension ModelFamily {
  /// Residual GRU layers (the gated-RNN baseline of the HiPPO paper's comparisons); the width is its
  /// only size. A layer (`W_ih`, `b_ih`, `W_hh`, `b_hh`) holds `2(3H² + 3H)`.
  public static let gru = ModelFamily(
    name: "gru", summary: "residual GRU layers (gated-RNN baseline)", configurationType: GRUModel.Configuration.self,
    defaultInner: { _ in nil }, innerGrid: { _ in nil },
    configuration: { shape, size in
      .gru(
        GRUModel.Configuration(
          vocabulary: shape.vocabulary, width: size.width, depth: shape.depth, inputChannels: shape.inputChannels))
    },
    parameterCount: { shape, size in
      let h = size.width
      return shape.stackParameterCount(width: h, block: 2 * (3 * h * h + 3 * h))
    })
}
