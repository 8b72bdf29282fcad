extension MambaModel.Configuration: ModelFamilyConfiguration {
  /// `"mamba"`.
  public static let family = "mamba"

  /// A ``MambaModel``.
  public func build(seed: UInt64) throws -> any SequenceModel { try MambaModel(self, seed: seed) }
}

extension ModelConfiguration {
  /// A Mamba stack, see ``MambaModel``.
  public static func mamba(_ configuration: MambaModel.Configuration) -> ModelConfiguration {
    ModelConfiguration(configuration)
  }
}

extension ModelFamily {
  /// Mamba: selective state space blocks (S6, expansion 2, `Δ` rank `⌈D/16⌉`); second knob the state size `N`
  /// (default 16, any of 4 … 64; `ssm train --state-size`). A block of width `D` with `E = 2D` expanded channels and rank `R` holds
  ///
  ///     2D + 3DE + 7E + 2ER + 3EN
  ///
  /// (LayerNorm; `W_in`, `W_z`, `W_out`; convolution taps `4E` and bias `E`, `b_Δ`, `D`; `W_r`, `W_Δ`;
  /// `W_B`, `W_C`, `A_log`).
  public static let mamba = ModelFamily(
    name: "mamba", summary: "Mamba: selective state space blocks (S6, input-dependent Δ, B, C)",
    configurationType: MambaModel.Configuration.self, innerOption: "--state-size", defaultInner: { _ in 16 },
    innerGrid: { _ in (4, 64, 1) },
    configuration: { shape, size in
      .mamba(
        MambaModel.Configuration(
          vocabulary: shape.vocabulary, width: size.width, depth: shape.depth, stateSize: size.inner ?? 16,
          inputChannels: shape.inputChannels))
    },
    parameterCount: { shape, size in
      let configuration = MambaModel.Configuration(
        vocabulary: shape.vocabulary, width: size.width, depth: shape.depth, stateSize: size.inner ?? 16)
      let (d, n, r) = (size.width, configuration.stateSize, configuration.resolvedStepRank)
      let e = configuration.expansion * d
      return shape.stackParameterCount(width: d, block: 2 * d + 3 * d * e + 7 * e + 2 * e * r + 3 * e * n)
    })
}
