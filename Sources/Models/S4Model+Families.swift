extension S4Model.Configuration: ModelFamilyConfiguration {
  /// `"s4"`, for diagonal (S4D) and DPLR (S4) layers alike.
  public static let family = "s4"

  /// An ``S4Model``.
  public func build(seed: UInt64) throws -> any SequenceModel { try S4Model(self, seed: seed) }

  /// With DPLR layers and no kernel horizon: the horizon `length` (the trained `C̃` is defined at the
  /// length the run trains on); otherwise unchanged.
  public func trained(atLength length: Int) -> S4Model.Configuration {
    guard layer == .dplr, kernelHorizon == nil else { return self }
    var configuration = self
    configuration.kernelHorizon = length
    return configuration
  }
}

extension ModelConfiguration {
  /// An S4 or S4D stack, see ``S4Model``.
  public static func s4(_ configuration: S4Model.Configuration) -> ModelConfiguration {
    ModelConfiguration(configuration)
  }
}

extension ModelFamily {
  /// S4D: diagonal S4 layers (S4D-Lin, ZOH, Vandermonde kernel); second knob the state size `N`
  /// (default 64, even values 16 … 256).
  public static let s4d = s4Family(
    name: "s4d", summary: "S4D: diagonal S4 layers (S4D-Lin, ZOH, Vandermonde kernel)", layer: .diagonal)

  /// S4: DPLR layers from HiPPO-LegS (bilinear, Cauchy + Woodbury kernel), kernel horizon the training
  /// length; second knob the state size `N` (default 64, even values 16 … 256).
  public static let s4 = s4Family(
    name: "s4", summary: "S4: DPLR layers from HiPPO-LegS (Cauchy + Woodbury kernel)", layer: .dplr)

  /// An S4 family with layers of `layer`. A block (LayerNorm, S4 layer, GLU output `H → 2H`) holds
  ///
  ///     2H + H(3N + 2) + (2H² + 2H)    S4D: Re λ, Im λ (N/2 each), B, C (N each), log dt, D
  ///     2H + H(4N + 2) + (2H² + 2H)    S4: as S4D with the rank-1 low-rank term P (N)
  private static func s4Family(name: String, summary: String, layer: SSMLayerKind) -> ModelFamily {
    ModelFamily(
      name: name, summary: summary, configurationType: S4Model.Configuration.self, defaultInner: { _ in 64 },
      innerGrid: { _ in (16, 256, 2) },
      configuration: { shape, size in
        .s4(
          S4Model.Configuration(
            vocabulary: shape.vocabulary, width: size.width, depth: shape.depth, stateSize: size.inner ?? 64,
            layer: layer, kernelHorizon: layer == .dplr ? shape.length : nil, inputChannels: shape.inputChannels))
      },
      parameterCount: { shape, size in
        let (h, n) = (size.width, size.inner ?? 64)
        let perMode = layer == .dplr ? 4 : 3
        return shape.stackParameterCount(width: h, block: 2 * h + h * (perMode * n + 2) + 2 * h * h + 2 * h)
      })
  }
}
