extension TransformerModel.Configuration: ModelFamilyConfiguration {
  /// `"transformer"`.
  public static let family = "transformer"

  /// A ``TransformerModel``.
  public func build(seed: UInt64) throws -> any SequenceModel { try TransformerModel(self, seed: seed) }
}

extension ModelConfiguration {
  /// A GPT-style decoder, see ``TransformerModel``.
  public static func transformer(_ configuration: TransformerModel.Configuration) -> ModelConfiguration {
    ModelConfiguration(configuration)
  }
}

extension ModelFamily {
  /// GPT-style decoder: 4 heads, rotary positions, context the training length; second knob the MLP
  /// hidden width `F` (default `4D`, any of `D … 8D`; the default leaves `mlpHidden` absent). A block
  /// (two LayerNorms, `W_q, W_k, W_v, W_o`, `W₁`, `W₂`) holds `4D + 4(D² + D) + (DF + F) + (FD + D)`.
  public static let transformer = ModelFamily(
    name: "transformer", summary: "GPT-style decoder (4 heads, rotary positions)",
    configurationType: TransformerModel.Configuration.self, defaultInner: { 4 * $0 },
    innerGrid: { ($0, 8 * $0, 1) },
    configuration: { shape, size in
      .transformer(
        TransformerModel.Configuration(
          vocabulary: shape.vocabulary, width: size.width, depth: shape.depth, heads: 4,
          mlpHidden: size.inner.flatMap { $0 == 4 * size.width ? nil : $0 }, positions: .rotary,
          contextLength: shape.length, inputChannels: shape.inputChannels))
    },
    parameterCount: { shape, size in
      let (d, f) = (size.width, size.inner ?? 4 * size.width)
      return shape.stackParameterCount(width: d, block: 4 * d + 4 * (d * d + d) + (d * f + f) + (f * d + d))
    })
}
