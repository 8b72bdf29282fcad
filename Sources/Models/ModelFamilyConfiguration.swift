/// The configuration type of a family of models: what a checkpoint stores to rebuild a model, encoded
/// inside a ``ModelConfiguration`` as `{"family": ``family``, "configuration": {…}}`.
///
/// `S4Model.Configuration`, `TransformerModel.Configuration` and `GRUModel.Configuration` conform; a
/// new family's configuration conforms and is named by its ``ModelFamily`` entries, whose registration
/// in ``ModelFamily/all`` is what lets checkpoints decode it.
public protocol ModelFamilyConfiguration: Codable, Sendable, Equatable {
  /// The `family` tag of the encoding (`"s4"`, `"transformer"`, `"gru"`), unique among the registered
  /// configuration types.
  static var family: String { get }
  /// Tokens `V` of the model (output channels of a feature model).
  var vocabulary: Int { get }
  /// Real-valued input channels `C` of a feature model, or `nil` for a token model.
  var inputChannels: Int? { get }
  /// Channels `H` (model dimension `D`) of the residual stream.
  var width: Int { get }
  /// Residual blocks.
  var depth: Int { get }
  /// A model of this configuration initialised from `seed`.
  /// - Throws: the family initialiser's errors (`AutodiffError`) for an invalid configuration.
  func build(seed: UInt64) throws -> any SequenceModel
  /// The configuration a training run on sequences of `length` positions records: the same, except
  /// where a model's function is defined at a training length (an S4 model with DPLR layers and no
  /// kernel horizon gets `length`). The default returns `self`.
  func trained(atLength length: Int) -> Self
}

extension ModelFamilyConfiguration {
  /// `self`: most configurations do not depend on the training length.
  public func trained(atLength length: Int) -> Self { self }

  /// Whether `other` is a configuration of this type equal to this one.
  func isEqual(to other: any ModelFamilyConfiguration) -> Bool {
    guard let other = other as? Self else { return false }
    return self == other
  }
}
