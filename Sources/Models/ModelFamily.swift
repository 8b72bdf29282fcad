/// A kind of model that training, comparisons and the command line offer by name: `ssm train --model
/// NAME`, `ssm compare --models NAME,…`. An entry knows how to configure a model of its family for a
/// task's ``Shape`` at a ``Size``, the default and the range of its second size knob (the one parameter
/// matching adjusts where widths alone are too coarse), and how many parameters a size has.
///
/// The registered families are ``all``; adding a family is its files (a model conforming to
/// ``SequenceModel``, a configuration conforming to ``ModelFamilyConfiguration``, and the entry, a
/// `static let` in an extension of `ModelFamily`) and one line in ``all``.
public struct ModelFamily: Sendable, Hashable, Codable, CustomStringConvertible {
  /// What a model must read and write for a task, and how long its sequences are.
  public struct Shape: Sendable, Equatable {
    /// Tokens `V` (or output values of a feature model).
    public var vocabulary: Int
    /// Real-valued input channels `C` of a feature model, or `nil` for a token model.
    public var inputChannels: Int?
    /// Residual blocks.
    public var depth: Int
    /// The training sequence length (learned positions, DPLR kernel horizons).
    public var length: Int

    /// A shape.
    public init(vocabulary: Int, inputChannels: Int? = nil, depth: Int, length: Int) {
      self.vocabulary = vocabulary
      self.inputChannels = inputChannels
      self.depth = depth
      self.length = length
    }
  }

  /// The size of a model of one family: its width and, where the family has one, a second knob.
  public struct Size: Codable, Sendable, Hashable {
    /// Channels `H` (S4D, S4, GRU) or model dimension `D` (transformer).
    public var width: Int
    /// The family's second knob (the state size `N` of S4 layers, the MLP hidden width `F` of a
    /// transformer block), or `nil` for a family whose width is its only size (the GRU).
    public var inner: Int?

    /// A size.
    public init(width: Int, inner: Int?) {
      self.width = width
      self.inner = inner
    }
  }

  /// The name on the command line and in reports (`"s4d"`).
  public let name: String
  /// One line for help texts.
  public let summary: String
  /// The configuration type its models are stored as.
  public let configurationType: any ModelFamilyConfiguration.Type
  /// The `ssm train` option that sets the second knob of ``Size`` (`"--state-size"`), or `nil` where the
  /// family's configuration reads its options itself or has no second knob.
  public let innerOption: String?
  private let defaultInner: @Sendable (_ width: Int) -> Int?
  private let grid: @Sendable (_ width: Int) -> (lowest: Int, highest: Int, step: Int)?
  private let configure: @Sendable (Shape, Size) -> ModelConfiguration
  private let count: @Sendable (Shape, Size) -> Int

  /// A family entry.
  /// - Parameters:
  ///   - name: the name on the command line and in reports.
  ///   - summary: one line for help texts.
  ///   - configurationType: the configuration type `configuration` produces.
  ///   - innerOption: the `ssm train` option that sets the second knob (`nil` for none).
  ///   - defaultInner: the second knob's default at a width (`nil` for none).
  ///   - innerGrid: the second knob's values parameter matching may choose at a width, an arithmetic
  ///     grid `lowest, lowest + step, …, highest` (`nil` for none).
  ///   - configuration: the configuration of a model for a shape at a size.
  ///   - parameterCount: the trainable parameters of that model, from its shapes (without building
  ///     it); must equal the built model's count.
  public init(
    name: String, summary: String, configurationType: any ModelFamilyConfiguration.Type,
    innerOption: String? = nil, defaultInner: @escaping @Sendable (_ width: Int) -> Int?,
    innerGrid: @escaping @Sendable (_ width: Int) -> (lowest: Int, highest: Int, step: Int)?,
    configuration: @escaping @Sendable (Shape, Size) -> ModelConfiguration,
    parameterCount: @escaping @Sendable (Shape, Size) -> Int
  ) {
    self.name = name
    self.summary = summary
    self.configurationType = configurationType
    self.innerOption = innerOption
    self.defaultInner = defaultInner
    self.grid = innerGrid
    self.configure = configuration
    self.count = parameterCount
  }

  /// The registered family called `name`, or `nil`.
  public static func named(_ name: String) -> ModelFamily? { all.first { $0.name == name } }

  /// The size at `width` with the default second knob.
  public func defaultSize(width: Int) -> Size { Size(width: width, inner: defaultInner(width)) }

  /// The second knob's values at `width` parameter matching may choose, or `nil` for none.
  public func innerGrid(width: Int) -> (lowest: Int, highest: Int, step: Int)? { grid(width) }

  /// The configuration of this family's model for `shape` at `size`.
  public func configuration(_ shape: Shape, size: Size) -> ModelConfiguration { configure(shape, size) }

  /// The trainable parameters of ``configuration(_:size:)``'s model.
  public func parameterCount(_ shape: Shape, size: Size) -> Int { count(shape, size) }

  /// ``name``.
  public var description: String { name }

  public static func == (lhs: ModelFamily, rhs: ModelFamily) -> Bool { lhs.name == rhs.name }

  public func hash(into hasher: inout Hasher) { hasher.combine(name) }

  /// Decodes a name of a registered family.
  /// - Throws: `DecodingError` for an unknown name.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let name = try container.decode(String.self)
    guard let family = Self.named(name) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "unknown model family \"\(name)\" (known: \(Self.all.map(\.name)))")
    }
    self = family
  }

  /// Encodes ``name``.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(name)
  }
}

extension ModelFamily.Shape {
  /// The parameters of a stack of `depth` blocks of `block` parameters each between an input encoder
  /// and a decoder, at width `H`, vocabulary `V`:
  ///
  ///     encoder + depth · block + 2H + (HV + V)      (final LayerNorm, output projection H → V)
  ///     encoder = VH (token embedding)  or  CH + H (linear encoder of C input channels)
  public func stackParameterCount(width h: Int, block: Int) -> Int {
    let encoder = inputChannels.map { $0 * h + h } ?? vocabulary * h
    return encoder + depth * block + 2 * h + h * vocabulary + vocabulary
  }
}
