import Autodiff
import Models
import SeededRandom

// The worked example of the Models article "Adding a sequence model family", compiled and tested here
// (`AveragingFamilyExampleTests`) so that the article's code stays true to the API. In a real family these
// declarations live in `Sources/Models/AveragingModel.swift` and `Sources/Models/AveragingModel+Family.swift`.

/// A token model that mixes positions by causal averaging: embedding (`V × H`) → `depth` residual
/// blocks `x_t ← x_t + (mean_{s≤t} x_s) W + b` → LayerNorm → Linear(H → V).
///
/// Its recurrent state is, per block, the running sum `S = Σ_{s<t} x_s` (`B × H`) and the count of
/// positions read, so a chunk continues the average where the last one stopped.
public struct AveragingModel {
  /// The model's shape.
  public struct Configuration: Sendable, Equatable, Codable {
    /// Tokens `V`.
    public var vocabulary: Int
    /// Channels `H`.
    public var width: Int
    /// Residual blocks.
    public var depth: Int

    /// A configuration.
    public init(vocabulary: Int, width: Int, depth: Int) {
      self.vocabulary = vocabulary
      self.width = width
      self.depth = depth
    }
  }

  /// The shape the model was built with.
  public let configuration: Configuration
  /// The token embedding, `encoder.embedding`.
  public let encoder: InputEncoder
  /// Each block's `W` (`H × H`) and `b`, `blocks.ℓ.mixer.*`.
  public let mixers: [Linear]
  /// The normalisation before the decoder, `decoder.norm.*`.
  public let finalNorm: LayerNorm
  /// The output projection `H → V`, `decoder.output.*`.
  public let decoder: Linear

  /// A model initialised from `seed`.
  /// - Throws: `AutodiffError.invalidArgument(_:)` for a vocabulary or width below 1 or a negative depth.
  public init(_ configuration: Configuration, seed: UInt64) throws {
    let (v, h) = (configuration.vocabulary, configuration.width)
    guard v >= 1, h >= 1, configuration.depth >= 0 else {
      throw AutodiffError.invalidArgument("vocabulary and width must be ≥ 1, depth ≥ 0")
    }
    var generator = SeededGenerator(seed: seed)
    let table = (0..<(v * h)).map { _ in Float(2 * generator.nextUnitInterval() - 1) }
    self.configuration = configuration
    encoder = .tokens(Parameter(name: "encoder.embedding", value: try Tensor(shape: [v, h], values: table)))
    mixers = (0..<configuration.depth).map { index in
      Linear(name: "blocks.\(index).mixer", inputs: h, outputs: h, generator: &generator)
    }
    finalNorm = LayerNorm(name: "decoder.norm", width: h)
    decoder = Linear(name: "decoder.output", inputs: h, outputs: v, generator: &generator)
  }

  /// Logits `B·L × V` for a chunk of `tokens` that continues `count` earlier positions whose sums per
  /// block are `prior` (`nil`: none), and each block's sums after the chunk.
  func run(_ tokens: [[Int]], prior: [Tensor]?, count: Int, on tape: Tape) throws
    -> (logits: Variable, sums: [Tensor])
  {
    var x = try encoder.embed(tokens, on: tape)
    let (batch, length, width) = (tokens.count, tokens[0].count, configuration.width)
    var sums: [Tensor] = []
    for (index, mixer) in mixers.enumerated() {
      let priorSum = prior?[index] ?? Tensor(shape: [batch, width])
      sums.append(try Self.sum(tape.value(x), continuing: priorSum))
      x = try tape.add(x, mixer(tape.cumulativeMean(x, priorSum: priorSum, priorCount: count), on: tape))
    }
    let output = try decoder(finalNorm(x, on: tape), on: tape)
    return (try tape.reshape(output, to: [batch * length, configuration.vocabulary]), sums)
  }

  /// `S + Σ_t x_t` per sequence: `x` is `B × L × H`, `S` is `B × H`.
  static func sum(_ x: Tensor, continuing prior: Tensor) throws -> Tensor {
    let (length, width) = (x.shape[1], x.shape[2])
    var total = prior.values
    for (offset, value) in x.values.enumerated() {
      total[offset / (length * width) * width + offset % width] += value
    }
    return try Tensor(shape: prior.shape, values: total)
  }
}

extension AveragingModel: SequenceModel {
  /// Each block's running sum (`B × H`) and the positions read.
  public struct State {
    /// `Σ_{s<t} x_s` of each block's input.
    public var sums: [Tensor]
    /// Positions read so far.
    public var count: Int
    /// Sequences `B`.
    public let batch: Int
  }

  /// `V`.
  public var vocabulary: Int { configuration.vocabulary }

  /// Logits `B·L × V` for `tokens`, averaging from the first position. No dropout.
  public func logits(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    try run(tokens, prior: nil, count: 0, on: tape).logits
  }

  /// Zero sums for `batchSize` sequences.
  public func initialState(batchSize: Int) throws -> State {
    guard batchSize >= 1 else { throw AutodiffError.invalidArgument("batch size \(batchSize) must be ≥ 1") }
    let zero = Tensor(shape: [batchSize, configuration.width])
    return State(sums: Array(repeating: zero, count: mixers.count), count: 0, batch: batchSize)
  }

  /// A chunk of tokens (`B × C`) continuing the state's averages: logits `B × C × V`.
  public func prefill(_ tokens: [[Int]], state: inout State) throws -> Tensor {
    let length = try Self.chunkLength(of: tokens)
    try validateChunk(batch: tokens.count, stateBatch: state.batch)
    let tape = Tape(recordsGradients: false)
    let (logits, sums) = try run(tokens, prior: state.sums, count: state.count, on: tape)
    state.sums = sums
    state.count += length
    return try Tensor(shape: [tokens.count, length, vocabulary], values: tape.value(logits).values)
  }
}

extension AveragingModel.Configuration: ModelFamilyConfiguration {
  /// `"averaging"`.
  public static let family = "averaging"

  /// An ``AveragingModel``.
  public func build(seed: UInt64) throws -> any SequenceModel { try AveragingModel(self, seed: seed) }

  /// `nil`: a token model.
  public var inputChannels: Int? { nil }
}

extension ModelFamily {
  /// Residual causal-averaging blocks; the width is the only size. A block (`W`, `b`) holds `H² + H`.
  public static let averaging = ModelFamily(
    name: "averaging", summary: "residual causal-averaging blocks",
    configurationType: AveragingModel.Configuration.self,
    defaultInner: { _ in nil }, innerGrid: { _ in nil },
    configuration: { shape, size in
      ModelConfiguration(
        AveragingModel.Configuration(vocabulary: shape.vocabulary, width: size.width, depth: shape.depth))
    },
    parameterCount: { shape, size in
      shape.stackParameterCount(width: size.width, block: size.width * size.width + size.width)
    })
}
