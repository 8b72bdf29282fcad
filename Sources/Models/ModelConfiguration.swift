/// The configuration of a model of any family: what training runs store in their checkpoints, so
/// that a checkpoint rebuilds the model it was trained with.
///
/// Encoded as `{"family": "s4" | "transformer" | "gru" | …, "configuration": {…}}`, the family's own
/// configuration (a ``ModelFamilyConfiguration``) nested; decoding finds the configuration type by its
/// tag among those of the registered families (``ModelFamily/all``). A bare S4 configuration object
/// (the format of checkpoints written before other families could be trained) decodes as an S4 one.
///
/// ```swift
/// let configuration = ModelConfiguration.s4(.init(vocabulary: 10, width: 64, depth: 2, stateSize: 64))
/// let model = try configuration.build(seed: 0)
/// if let s4 = configuration.as(S4Model.Configuration.self) { print(s4.stateSize) }
/// ```
public struct ModelConfiguration: Sendable, Equatable, Codable {
  /// The family's own configuration.
  public let configuration: any ModelFamilyConfiguration

  /// Wraps a family's configuration.
  public init(_ configuration: some ModelFamilyConfiguration) { self.configuration = configuration }

  /// The `family` tag of the encoding (``ModelFamilyConfiguration/family``).
  public var family: String { type(of: configuration).family }

  /// The family's configuration as `type`, or `nil` for a configuration of another family.
  public func `as`<Configuration: ModelFamilyConfiguration>(_ type: Configuration.Type) -> Configuration? {
    configuration as? Configuration
  }

  /// Tokens `V` of the model (output channels of a feature model).
  public var vocabulary: Int { configuration.vocabulary }

  /// Real-valued input channels `C` of a feature model, or `nil` for a token model (see
  /// ``SequenceModel/inputChannels``).
  public var inputChannels: Int? { configuration.inputChannels }

  /// A model of this configuration initialised from `seed` (the family's own initialiser).
  /// - Throws: the family initialiser's errors (`AutodiffError`) for an invalid configuration.
  public func build(seed: UInt64) throws -> any SequenceModel { try configuration.build(seed: seed) }

  /// This configuration as a training run on sequences of `length` records it
  /// (``ModelFamilyConfiguration/trained(atLength:)``: an S4 model with DPLR layers and no kernel
  /// horizon gets `length`, see ``S4Model/Configuration/kernelHorizon``).
  public func withKernelHorizon(_ length: Int) -> ModelConfiguration {
    func trained<Configuration: ModelFamilyConfiguration>(_ configuration: Configuration) -> ModelConfiguration {
      ModelConfiguration(configuration.trained(atLength: length))
    }
    return trained(configuration)
  }

  public static func == (lhs: ModelConfiguration, rhs: ModelConfiguration) -> Bool {
    lhs.configuration.isEqual(to: rhs.configuration)
  }

  /// The configuration types of the registered families, by tag.
  static var registeredTypes: [String: any ModelFamilyConfiguration.Type] {
    Dictionary(ModelFamily.all.map { ($0.configurationType.family, $0.configurationType) }) { first, _ in first }
  }

  private enum CodingKeys: String, CodingKey {
    case family, configuration
  }

  /// Decodes either encoding (see ``ModelConfiguration``).
  /// - Throws: `DecodingError` for an unknown family tag or a malformed configuration.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    guard container.contains(.family) else {
      self.init(try S4Model.Configuration(from: decoder))
      return
    }
    let tag = try container.decode(String.self, forKey: .family)
    guard let type = Self.registeredTypes[tag] else {
      throw DecodingError.dataCorruptedError(
        forKey: .family, in: container,
        debugDescription: "unknown model family \"\(tag)\" (known: \(Self.registeredTypes.keys.sorted()))")
    }
    func decode<Configuration: ModelFamilyConfiguration>(_: Configuration.Type) throws -> ModelConfiguration {
      ModelConfiguration(try container.decode(Configuration.self, forKey: .configuration))
    }
    self = try decode(type)
  }

  /// Encodes `{"family": …, "configuration": {…}}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(family, forKey: .family)
    try container.encode(configuration, forKey: .configuration)
  }
}
