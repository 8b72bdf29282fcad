import Autodiff
import HiPPO
import SeededRandom

/// A token-in, token-out S4 sequence model: embedding (`V × H`) → `depth` ``S4Block``s
/// → LayerNorm → Linear(H → V), giving logits for every position.
///
/// With ``Configuration/inputChannels`` set to `C`, a regression model instead: a linear encoder
/// (`C → H`) replaces the embedding, and the `V` outputs per position are values
/// (``outputs(features:on:training:generator:)``).
public struct S4Model {
  /// The model's shape.
  ///
  /// Encoded with every field (``kernelHorizon`` and ``inputChannels`` only when set); decoding
  /// fills a field absent from older checkpoints with its default, see ``init(from:)``.
  public struct Configuration: Sendable, Equatable, Codable {
    /// Tokens `V` (embedding rows and decoder outputs).
    public var vocabulary: Int
    /// Channels `H`.
    public var width: Int
    /// Residual blocks.
    public var depth: Int
    /// State size `N` (`N/2` stored modes per channel).
    public var stateSize: Int
    /// Dropout probability after each block's output (GLU or projection; training only).
    public var dropout: Float
    /// S4D (diagonal) or S4 (DPLR) layers.
    public var layer: SSMLayerKind
    /// Bidirectional layers (diagonal or DPLR), for tasks that may read the whole sequence, or causal ones.
    public var bidirectional: Bool
    /// DPLR layers only: the kernel horizon `L_h` at which every layer's trained `C̃ = C (I − Ā^{L_h})`
    /// is defined (``S4LayerParameters/horizon``). Both modes compute the function of
    /// `C = C̃ (I − Ā^{L_h})⁻¹` at every sequence length. Training runs record their sequence length;
    /// `nil` means ``S4LayerParameters/defaultHorizon``. Encoded under its earlier key
    /// `recurrentHorizon`, so checkpoints written before keep their horizon.
    public var kernelHorizon: Int?
    /// Real-valued input channels `C`: a linear encoder `C → H` replaces the token embedding and
    /// ``vocabulary`` counts output values (see ``SequenceModel``); `nil` reads tokens.
    public var inputChannels: Int?
    /// Pre-norm (`y = x + F(LayerNorm(x))`) or post-norm (`y = LayerNorm(x + F(x))`) blocks, see
    /// ``S4Block``.
    public var normPosition: NormPosition
    /// Whether the read-out at position `t` sees the mean of the final features over positions
    /// `0 … t` (causal mean pooling; at the last position, the mean over the sequence: a pooled
    /// classification decoder) instead of position `t` alone.
    public var meanPooling: Bool
    /// The range `[dt_min, dt_max]` of every layer's log-uniform initial `dt` (S4's default
    /// `[1e-3, 1e-1]`). A smaller `dt_min` gives modes with longer memory.
    public var dtRange: [Double]
    /// The S4D initialisation of diagonal layers (`Im λ` sets the frequencies a kernel starts
    /// with: S4D-Lin `πn`, S4D-Inv up to `(N/π)(N − 1)`). DPLR layers ignore it.
    public var initialization: S4DInitialization
    /// Every block's output: GLU or a plain linear projection (see ``S4Block``).
    public var blockOutput: BlockOutput

    /// A configuration; the defaults are those of a field absent from a checkpoint.
    public init(
      vocabulary: Int, width: Int, depth: Int, stateSize: Int, dropout: Float = 0, layer: SSMLayerKind = .diagonal,
      bidirectional: Bool = false, kernelHorizon: Int? = nil, inputChannels: Int? = nil,
      normPosition: NormPosition = .pre, dtRange: [Double] = [1e-3, 1e-1], meanPooling: Bool = false,
      initialization: S4DInitialization = .lin, blockOutput: BlockOutput = .glu
    ) {
      self.blockOutput = blockOutput
      self.initialization = initialization
      self.dtRange = dtRange
      self.meanPooling = meanPooling
      self.inputChannels = inputChannels
      self.normPosition = normPosition
      self.kernelHorizon = kernelHorizon
      self.layer = layer
      self.bidirectional = bidirectional
      self.vocabulary = vocabulary
      self.width = width
      self.depth = depth
      self.stateSize = stateSize
      self.dropout = dropout
    }

    /// Decodes a configuration of any checkpoint: `vocabulary`, `width`, `depth`, `stateSize` and
    /// `dropout` are required; every other field was added later, and where it is absent it takes
    /// the default of the initialiser above (diagonal, causal, pre-norm, per-position read-out,
    /// `dt ∈ [1e-3, 1e-1]`, S4D-Lin, GLU; no kernel horizon, token input).
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      self.init(
        vocabulary: try container.decode(Int.self, forKey: .vocabulary),
        width: try container.decode(Int.self, forKey: .width), depth: try container.decode(Int.self, forKey: .depth),
        stateSize: try container.decode(Int.self, forKey: .stateSize),
        dropout: try container.decode(Float.self, forKey: .dropout),
        kernelHorizon: try container.decodeIfPresent(Int.self, forKey: .kernelHorizon),
        inputChannels: try container.decodeIfPresent(Int.self, forKey: .inputChannels))
      layer = try container.decodeIfPresent(SSMLayerKind.self, forKey: .layer) ?? layer
      bidirectional = try container.decodeIfPresent(Bool.self, forKey: .bidirectional) ?? bidirectional
      normPosition = try container.decodeIfPresent(NormPosition.self, forKey: .normPosition) ?? normPosition
      meanPooling = try container.decodeIfPresent(Bool.self, forKey: .meanPooling) ?? meanPooling
      dtRange = try container.decodeIfPresent([Double].self, forKey: .dtRange) ?? dtRange
      initialization = try container.decodeIfPresent(S4DInitialization.self, forKey: .initialization) ?? initialization
      blockOutput = try container.decodeIfPresent(BlockOutput.self, forKey: .blockOutput) ?? blockOutput
    }

    private enum CodingKeys: String, CodingKey {
      case vocabulary, width, depth, stateSize, dropout, layer, bidirectional, inputChannels, normPosition
      case meanPooling, dtRange, initialization, blockOutput
      case kernelHorizon = "recurrentHorizon"
    }
  }

  /// The shape the model was built with.
  public let configuration: Configuration
  /// The token embedding (`V × H`, named `encoder.embedding`) or, with
  /// ``Configuration/inputChannels``, the linear encoder `C → H` (`encoder.input.*`).
  public let encoder: InputEncoder
  /// The residual blocks, in order.
  public let blocks: [S4Block]
  /// The normalisation before the decoder.
  public let finalNorm: LayerNorm
  /// The output projection `H → V`.
  public let decoder: Linear

  /// A model initialised from `seed`.
  /// - Throws: for sizes below 1 (input channels included), an odd state size or a dropout outside `[0, 1)`.
  public init(_ configuration: Configuration, seed: UInt64) throws {
    guard configuration.vocabulary >= 1, configuration.width >= 1, configuration.depth >= 0 else {
      throw AutodiffError.invalidArgument("vocabulary, width must be ≥ 1 and depth ≥ 0")
    }
    let bounds = configuration.dtRange
    guard bounds.count == 2, bounds[0] > 0, bounds[0] <= bounds[1], bounds[1].isFinite else {
      throw AutodiffError.invalidArgument("dt range \(bounds) must be [dt_min, dt_max] with 0 < dt_min ≤ dt_max")
    }
    let dtRange = bounds[0]...bounds[1]
    guard (configuration.kernelHorizon ?? 1) >= 1 else {
      throw AutodiffError.invalidArgument("kernel horizon \(configuration.kernelHorizon ?? 0) must be ≥ 1")
    }
    guard configuration.dropout >= 0, configuration.dropout < 1 else {
      throw AutodiffError.invalidArgument("dropout \(configuration.dropout) outside [0, 1)")
    }
    guard (configuration.inputChannels ?? 1) >= 1 else {
      throw AutodiffError.invalidArgument("input channels \(configuration.inputChannels ?? 0) must be ≥ 1")
    }
    var generator = SeededGenerator(seed: seed)
    self.configuration = configuration
    encoder = try InputEncoder.seeded(
      vocabulary: configuration.vocabulary, width: configuration.width, inputChannels: configuration.inputChannels,
      generator: &generator)
    blocks = try (0..<configuration.depth).map { index in
      try S4Block(
        name: "blocks.\(index)", kind: configuration.layer, width: configuration.width,
        stateSize: configuration.stateSize, dropout: configuration.dropout, bidirectional: configuration.bidirectional,
        normPosition: configuration.normPosition, dtRange: dtRange, initialization: configuration.initialization,
        outputKind: configuration.blockOutput,
        horizon: configuration.kernelHorizon ?? S4LayerParameters.defaultHorizon, generator: &generator)
    }
    finalNorm = LayerNorm(name: "decoder.norm", width: configuration.width)
    decoder = Linear(
      name: "decoder.output", inputs: configuration.width, outputs: configuration.vocabulary, generator: &generator)
  }

  /// Logits (`B·L × V`, row `b·L + t`) for `tokens` (`B` sequences of equal length `L`),
  /// every block in convolution mode.
  public func logits(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    var pool: PooledSum? = nil
    return try decode(trunk(tokens, on: tape, training: training, generator: &generator), on: tape, pool: &pool)
  }

  /// `H` = ``Configuration/width``.
  public var hiddenWidth: Int? { configuration.width }

  /// The output projection `decoder.output.*`: `U` (`H × V`) and `c` (`V`).
  public var outputLayer: (weight: Tensor, bias: Tensor?)? { (decoder.weight.value, decoder.bias.value) }

  /// The last hidden state `h` (`B·L × H`, row `b·L + t`) for `tokens`: the blocks in convolution
  /// mode, the final normalisation and, when configured, the causal mean pooling; the output
  /// projection of `h` gives ``logits(_:on:training:generator:)``.
  public func hiddenStates(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    let x = try trunk(tokens, on: tape, training: training, generator: &generator)
    let shape = tape.value(x).shape
    var pool: PooledSum? = nil
    return try tape.reshape(features(x, on: tape, pool: &pool), to: [shape[0] * shape[1], configuration.width])
  }

  /// The embedded `tokens` through every block in convolution mode: `B × L × H`.
  private func trunk(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    var x = try encoder.embed(tokens, on: tape)
    for block in blocks { x = try block(x, on: tape, training: training, generator: &generator) }
    return x
  }

  /// The read-out (`B·L × V`, row `b·L + t`: `V` values per position) for `features`
  /// (`B × L × C`), every block in convolution mode.
  /// - Throws: for a token model or features of another shape.
  public func outputs(features: Tensor, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    var x = try encoder.encode(features, on: tape)
    for block in blocks { x = try block(x, on: tape, training: training, generator: &generator) }
    var pool: PooledSum? = nil
    return try decode(x, on: tape, pool: &pool)
  }

  /// The output projection of the ``features(_:on:pool:)`` of `x` (`B × L × H`): logits `B·L × V`.
  private func decode(_ x: Variable, on tape: Tape, pool: inout PooledSum?) throws -> Variable {
    let shape = tape.value(x).shape
    let output = try decoder(features(x, on: tape, pool: &pool), on: tape)
    return try tape.reshape(output, to: [shape[0] * shape[1], configuration.vocabulary])
  }

  /// Final normalisation and, when configured, causal mean pooling (continuing `pool`, the running
  /// sum and count of earlier chunks, which it advances) of `x` (`B × L × H`): the last hidden
  /// state, `B × L × H`.
  private func features(_ x: Variable, on tape: Tape, pool: inout PooledSum?) throws -> Variable {
    let shape = tape.value(x).shape
    var features = try finalNorm(x, on: tape)
    if configuration.meanPooling {
      let prior = pool ?? PooledSum(sum: Tensor(shape: [shape[0], shape[2]]), count: 0)
      pool = prior.adding(tape.value(features))
      features = try tape.cumulativeMean(features, priorSum: prior.sum, priorCount: prior.count)
    }
    return features
  }
}

extension S4Model: SequenceModel {
  /// The recurrent state: every block's S4 layer with its hidden state (`B × H × N/2` complex).
  public struct State {
    /// One per block, in order.
    public var layers: [SSMLayerRecurrence]
    /// Sequences `B`.
    public let batch: Int
    /// With ``Configuration/meanPooling``: the running sum of the final features and its count.
    public internal(set) var pool: PooledSum?
    /// The activations of the tape-free step (made at the first step).
    var stepBuffers: S4StepBuffers?
  }

  /// `V`.
  public var vocabulary: Int { configuration.vocabulary }

  /// ``Configuration/inputChannels``.
  public var inputChannels: Int? { configuration.inputChannels }

  /// Zero hidden states for `batchSize` sequences.
  /// - Throws: for bidirectional models (no recurrent mode) or `batchSize < 1`.
  public func initialState(batchSize: Int) throws -> State {
    guard batchSize >= 1 else { throw AutodiffError.invalidArgument("batch size \(batchSize) must be ≥ 1") }
    return State(
      layers: try blocks.map { try $0.s4.recurrence(batch: batchSize) },
      batch: batchSize, pool: nil, stepBuffers: nil)
  }

  /// The logits (`B·L × V`) and the hidden states (`B·L × H`) they project, of one convolution-mode
  /// forward pass.
  public func logitsAndHiddenStates(
    _ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator
  ) throws -> (logits: Variable, hidden: Variable) {
    let x = try trunk(tokens, on: tape, training: training, generator: &generator)
    let shape = tape.value(x).shape
    var pool: PooledSum? = nil
    let hidden = try features(x, on: tape, pool: &pool)
    return (
      try tape.reshape(decoder(hidden, on: tape), to: [shape[0] * shape[1], configuration.vocabulary]),
      try tape.reshape(hidden, to: [shape[0] * shape[1], configuration.width])
    )
  }

  /// `C` tokens per sequence: each block's S4 layer runs its recurrence over the chunk
  /// (state passing), the rest of the block acts on all `C` positions at once. `B × C × V`.
  /// A chunk of one token takes the tape-free step where the model has one
  /// (``hasTapeFreeStep``: S4D layers, token inputs, no mean pooling).
  public func prefill(_ tokens: [[Int]], state: inout State) throws -> Tensor {
    if try Self.chunkLength(of: tokens) == 1, hasTapeFreeStep {
      return try tapeFreeStep(tokens.map { $0[0] }, state: &state)
    }
    return try prefillWithHiddenStates(tokens, state: &state).logits
  }

  /// `C` positions of features per sequence (`B × C × channels`), as ``prefill(_:state:)``
  /// does for tokens: `B × C × V`.
  public func prefill(features: Tensor, state: inout State) throws -> Tensor {
    let tape = Tape(recordsGradients: false)
    let x = try encoder.encode(features, on: tape)
    try validateChunk(batch: features.shape[0], stateBatch: state.batch)
    return try recurrent(x, on: tape, state: &state)
  }

  /// The blocks in recurrent mode and the decoder on the encoded chunk `x` (`B × C × H`): `B × C × V`.
  private func recurrent(_ input: Variable, on tape: Tape, state: inout State) throws -> Tensor {
    try recurrentWithHiddenStates(input, on: tape, state: &state).logits
  }

  /// ``recurrent(_:on:state:)`` with the last hidden states (``features(_:on:pool:)``, `B × C × H`)
  /// the logits (`B × C × V`) project.
  private func recurrentWithHiddenStates(_ input: Variable, on tape: Tape, state: inout State) throws
    -> (logits: Tensor, hidden: Tensor)
  {
    let shape = tape.value(input).shape
    var x = input
    for (index, block) in blocks.enumerated() { x = try block(x, on: tape, recurrence: &state.layers[index]) }
    let hidden = try features(x, on: tape, pool: &state.pool)
    let logits = tape.value(try decoder(hidden, on: tape))
    return (
      try Tensor(shape: [shape[0], shape[1], vocabulary], values: logits.values),
      try Tensor(shape: [shape[0], shape[1], configuration.width], values: tape.value(hidden).values)
    )
  }

  /// ``prefill(_:state:)`` with the last hidden states (`B × C × H`, the final normalisation's
  /// output, mean-pooled when configured): the tape-free step for one token where the model has
  /// one, the recurrence on a tape otherwise.
  public func prefillWithHiddenStates(_ tokens: [[Int]], state: inout State) throws -> (logits: Tensor, hidden: Tensor)
  {
    if try Self.chunkLength(of: tokens) == 1, hasTapeFreeStep {
      let logits = try tapeFreeStep(tokens.map { $0[0] }, state: &state)
      return (logits, try Tensor(shape: [state.batch, 1, configuration.width], values: state.stepBuffers!.v))
    }
    try validateStep(tokens.map { $0[0] }, batch: state.batch)
    let tape = Tape(recordsGradients: false)
    return try recurrentWithHiddenStates(encoder.embed(tokens, on: tape), on: tape, state: &state)
  }
}

/// The running sum of pooled features (`B × H`) over the `count` positions read so far.
public struct PooledSum: Sendable {
  /// `Σ_s x_s`, `B × H`.
  public let sum: Tensor
  /// Positions summed.
  public let count: Int

  /// The sum after a chunk of features `x` (`B × C × H`).
  func adding(_ x: Tensor) -> PooledSum {
    let (batch, length, width) = (x.shape[0], x.shape[1], x.shape[2])
    var values = sum.values
    for b in 0..<batch {
      for t in 0..<length {
        for j in 0..<width { values[b * width + j] += x.values[(b * length + t) * width + j] }
      }
    }
    return PooledSum(sum: try! Tensor(shape: [batch, width], values: values), count: count + length)
  }
}
