import Autodiff
import SeededRandom

/// A token-in, token-out S4 sequence model: embedding (`V × H`) → `depth` ``S4Block``s
/// → LayerNorm → Linear(H → V), giving logits for every position.
public struct S4Model {
  /// The model's shape.
  public struct Configuration: Sendable, Equatable, Codable {
    /// Tokens `V` (embedding rows and decoder outputs).
    public var vocabulary: Int
    /// Channels `H`.
    public var width: Int
    /// Residual blocks.
    public var depth: Int
    /// State size `N` (`N/2` stored modes per channel).
    public var stateSize: Int
    /// Dropout probability after each block's GLU (training only).
    public var dropout: Float
    /// S4D (diagonal) or S4 (DPLR) layers; absent in older checkpoints, meaning diagonal.
    public var layer: SSMLayerKind?
    /// Bidirectional (diagonal) layers, for tasks that may read the whole sequence; absent means causal.
    public var bidirectional: Bool?

    /// A configuration.
    public init(
      vocabulary: Int, width: Int, depth: Int, stateSize: Int, dropout: Float = 0, layer: SSMLayerKind = .diagonal,
      bidirectional: Bool = false
    ) {
      self.layer = layer
      self.bidirectional = bidirectional
      self.vocabulary = vocabulary
      self.width = width
      self.depth = depth
      self.stateSize = stateSize
      self.dropout = dropout
    }
  }

  /// The shape the model was built with.
  public let configuration: Configuration
  /// The token embedding, `V × H`.
  public let embedding: Parameter
  /// The residual blocks, in order.
  public let blocks: [S4Block]
  /// The normalisation before the decoder.
  public let finalNorm: LayerNorm
  /// The output projection `H → V`.
  public let decoder: Linear

  /// A model initialised from `seed`.
  /// - Throws: for sizes below 1, an odd state size or a dropout outside `[0, 1)`.
  public init(_ configuration: Configuration, seed: UInt64) throws {
    guard configuration.vocabulary >= 1, configuration.width >= 1, configuration.depth >= 0 else {
      throw AutodiffError.invalidArgument("vocabulary, width must be ≥ 1 and depth ≥ 0")
    }
    guard configuration.dropout >= 0, configuration.dropout < 1 else {
      throw AutodiffError.invalidArgument("dropout \(configuration.dropout) outside [0, 1)")
    }
    var generator = SeededGenerator(seed: seed)
    self.configuration = configuration
    embedding = Parameter(
      name: "encoder.embedding",
      value: try Tensor(
        shape: [configuration.vocabulary, configuration.width],
        values: (0..<(configuration.vocabulary * configuration.width)).map { _ in Float(generator.nextStandardNormal())
        }))
    blocks = try (0..<configuration.depth).map { index in
      try S4Block(
        name: "blocks.\(index)", kind: configuration.layer ?? .diagonal, width: configuration.width,
        stateSize: configuration.stateSize, dropout: configuration.dropout,
        bidirectional: configuration.bidirectional ?? false, generator: &generator)
    }
    finalNorm = LayerNorm(name: "decoder.norm", width: configuration.width)
    decoder = Linear(
      name: "decoder.output", inputs: configuration.width, outputs: configuration.vocabulary, generator: &generator)
  }

  /// Every parameter, in a fixed order with unique names.
  public var parameters: [Parameter] {
    [embedding] + blocks.flatMap(\.parameters) + finalNorm.parameters + decoder.parameters
  }

  /// Logits (`B·L × V`, row `b·L + t`) for `tokens` (`B` sequences of equal length `L`).
  public func logits(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    guard let length = tokens.first?.count, length > 0, tokens.allSatisfy({ $0.count == length }) else {
      throw AutodiffError.shapeMismatch("a batch needs sequences of one non-zero length")
    }
    let embedded = try tape.embedding(tape.parameter(embedding), indices: tokens.flatMap { $0 })
    var x = try tape.reshape(embedded, to: [tokens.count, length, configuration.width])
    for block in blocks { x = try block(x, on: tape, training: training, generator: &generator) }
    let output = try decoder(finalNorm(x, on: tape), on: tape)
    return try tape.reshape(output, to: [tokens.count * length, configuration.vocabulary])
  }
}
