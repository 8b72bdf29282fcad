/// The configuration of a model of any family: what training runs store in their
/// checkpoints, so that a checkpoint rebuilds the model it was trained with.
///
/// Encoded as `{"family": "s4" | "transformer" | "gru", "configuration": {…}}`, the
/// family's own configuration nested. A bare S4 configuration object (the format of
/// checkpoints written before other families could be trained) decodes as ``s4(_:)``.
public enum ModelConfiguration: Sendable, Equatable, Codable {
  /// An S4 or S4D stack, see ``S4Model``.
  case s4(S4Model.Configuration)
  /// A GPT-style decoder, see ``TransformerModel``.
  case transformer(TransformerModel.Configuration)
  /// A residual GRU stack, see ``GRUModel``.
  case gru(GRUModel.Configuration)

  /// The name of a model family, as written in the `family` member of the encoding.
  public enum Family: String, Sendable, Codable, CaseIterable {
    /// ``S4Model`` (diagonal or DPLR layers).
    case s4
    /// ``TransformerModel``.
    case transformer
    /// ``GRUModel``.
    case gru
  }

  /// The family of this configuration.
  public var family: Family {
    switch self {
    case .s4: .s4
    case .transformer: .transformer
    case .gru: .gru
    }
  }

  /// Tokens `V` of the model (output channels of a feature model).
  public var vocabulary: Int {
    switch self {
    case .s4(let configuration): configuration.vocabulary
    case .transformer(let configuration): configuration.vocabulary
    case .gru(let configuration): configuration.vocabulary
    }
  }

  /// Real-valued input channels `C` of a feature model, or `nil` for a token model (see
  /// ``SequenceModel/inputChannels``).
  public var inputChannels: Int? {
    switch self {
    case .s4(let configuration): configuration.inputChannels
    case .transformer(let configuration): configuration.inputChannels
    case .gru(let configuration): configuration.inputChannels
    }
  }

  /// A model of this configuration initialised from `seed` (the family's own initialiser).
  /// - Throws: the family initialiser's errors (`AutodiffError`) for an invalid configuration.
  public func build(seed: UInt64) throws -> any SequenceModel {
    switch self {
    case .s4(let configuration): try S4Model(configuration, seed: seed)
    case .transformer(let configuration): try TransformerModel(configuration, seed: seed)
    case .gru(let configuration): try GRUModel(configuration, seed: seed)
    }
  }

  /// This configuration with the kernel horizon of an S4 model with DPLR layers set to
  /// `length` when it has none (see ``S4Model/Configuration/kernelHorizon``): a training run's
  /// `C̃` is defined at its sequence length. Every other configuration is returned unchanged.
  public func withKernelHorizon(_ length: Int) -> ModelConfiguration {
    guard case .s4(var configuration) = self, configuration.layer == .dplr, configuration.kernelHorizon == nil
    else { return self }
    configuration.kernelHorizon = length
    return .s4(configuration)
  }

  private enum CodingKeys: String, CodingKey {
    case family, configuration
  }

  /// Decodes either encoding (see ``ModelConfiguration``).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    guard container.contains(.family) else {
      self = .s4(try S4Model.Configuration(from: decoder))
      return
    }
    switch try container.decode(Family.self, forKey: .family) {
    case .s4: self = .s4(try container.decode(S4Model.Configuration.self, forKey: .configuration))
    case .transformer:
      self = .transformer(try container.decode(TransformerModel.Configuration.self, forKey: .configuration))
    case .gru: self = .gru(try container.decode(GRUModel.Configuration.self, forKey: .configuration))
    }
  }

  /// Encodes `{"family": …, "configuration": {…}}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(family, forKey: .family)
    switch self {
    case .s4(let configuration): try container.encode(configuration, forKey: .configuration)
    case .transformer(let configuration): try container.encode(configuration, forKey: .configuration)
    case .gru(let configuration): try container.encode(configuration, forKey: .configuration)
    }
  }
}
