import Autodiff
import SeededRandom

/// A gated-RNN baseline (the HiPPO paper's GRU comparison): embedding (`V × H`) → `depth`
/// residual ``GRULayer``s → LayerNorm → Linear(H → V), giving logits for every position.
///
/// Layer `ℓ` maps `x` (`B × L × H`) to `x + GRU_ℓ(x)`. The residual connection (absent from
/// PyTorch's stacked `nn.GRU`) gives deep stacks an identity path for gradients, and matches
/// the residual structure of the S4 and transformer models, so comparisons differ in the
/// sequence mixing only. Both modes run the same tape operations: the parallel mode runs each
/// layer's recurrence over the whole sequence from `h₀ = 0`, the recurrent mode over one token
/// (``step(_:state:)``) or a chunk (``prefill(_:state:)``) from the carried hidden states.
///
/// With ``Configuration/inputChannels`` set to `C`, a regression model instead: a linear encoder
/// (`C → H`) replaces the embedding, and the `V` outputs per position are values
/// (``outputs(features:on:training:generator:)``).
public struct GRUModel {
  /// The model's shape.
  public struct Configuration: Sendable, Equatable, Codable {
    /// Tokens `V` (embedding rows and decoder outputs).
    public var vocabulary: Int
    /// Hidden size `H` (also the embedding width).
    public var width: Int
    /// GRU layers.
    public var depth: Int
    /// Real-valued input channels `C`: a linear encoder `C → H` replaces the token embedding and
    /// ``vocabulary`` counts output values (see ``SequenceModel``); `nil` (or absent in older
    /// configurations) reads tokens.
    public var inputChannels: Int?

    /// A configuration.
    public init(vocabulary: Int, width: Int, depth: Int, inputChannels: Int? = nil) {
      self.inputChannels = inputChannels
      self.vocabulary = vocabulary
      self.width = width
      self.depth = depth
    }
  }

  /// The shape the model was built with.
  public let configuration: Configuration
  /// The token embedding (`V × H`, `~ N(0, 1)`, named `encoder.embedding`) or, with
  /// ``Configuration/inputChannels``, the linear encoder `C → H` (`encoder.input.*`).
  public let encoder: InputEncoder
  /// The GRU layers, in order, named `blocks.ℓ.gru.*`.
  public let blocks: [GRULayer]
  /// The normalisation before the decoder, `decoder.norm.*`.
  public let finalNorm: LayerNorm
  /// The output projection `H → V`, `decoder.output.*`.
  public let decoder: Linear

  /// A model initialised from `seed`.
  /// - Throws: `AutodiffError/invalidArgument(_:)` for a vocabulary, width or input channels
  ///   below 1 or a negative depth.
  public init(_ configuration: Configuration, seed: UInt64) throws {
    guard configuration.vocabulary >= 1, configuration.width >= 1, configuration.depth >= 0,
      (configuration.inputChannels ?? 1) >= 1
    else {
      throw AutodiffError.invalidArgument("vocabulary, width, input channels must be ≥ 1 and depth ≥ 0")
    }
    var generator = SeededGenerator(seed: seed)
    self.configuration = configuration
    encoder = try InputEncoder.seeded(
      vocabulary: configuration.vocabulary, width: configuration.width, inputChannels: configuration.inputChannels,
      generator: &generator)
    blocks = (0..<configuration.depth).map { index in
      GRULayer(name: "blocks.\(index).gru", width: configuration.width, generator: &generator)
    }
    finalNorm = LayerNorm(name: "decoder.norm", width: configuration.width)
    decoder = Linear(
      name: "decoder.output", inputs: configuration.width, outputs: configuration.vocabulary, generator: &generator)
  }

  /// The whole network on the embedded input `x` (`B × L × H`) from the hidden states `initial`
  /// (one `B × H` per layer): logits `B·L × V` (row `b·L + t`), the last hidden state
  /// `LayerNorm_f(x)` (`B × L × H`) the logits project, and each layer's last recurrent state
  /// `h_L` (`B × H`).
  private func run(_ input: Variable, from initial: [Tensor], on tape: Tape) throws
    -> (logits: Variable, hidden: Variable, final: [Tensor])
  {
    let shape = tape.value(input).shape
    let (x, final) = try trunk(input, from: initial, on: tape)
    let hidden = try finalNorm(x, on: tape)
    let output = try decoder(hidden, on: tape)
    return (try tape.reshape(output, to: [shape[0] * shape[1], configuration.vocabulary]), hidden, final)
  }

  /// The GRU layers with their residual connections on the embedded input `x` (`B × L × H`) from
  /// the hidden states `initial`: the output `B × L × H` and each layer's last hidden state.
  private func trunk(_ input: Variable, from initial: [Tensor], on tape: Tape) throws
    -> (output: Variable, final: [Tensor])
  {
    var x = input
    var final: [Tensor] = []
    for (block, hidden) in zip(blocks, initial) {
      let states = try block(x, initialHidden: tape.constant(hidden), on: tape)
      final.append(try Self.lastPosition(of: tape.value(states)))
      x = try tape.add(x, states)
    }
    return (x, final)
  }

  /// `h_L` (`B × H`) of the hidden states `h_1 … h_L` (`B × L × H`).
  private static func lastPosition(of states: Tensor) throws -> Tensor {
    let (batch, length, width) = (states.shape[0], states.shape[1], states.shape[2])
    var last: [Float] = []
    last.reserveCapacity(batch * width)
    for b in 0..<batch {
      let end = (b + 1) * length * width
      last += states.values[(end - width)..<end]
    }
    return try Tensor(shape: [batch, width], values: last)
  }
}

extension GRUModel: SequenceModel {
  /// The recurrent state: the hidden state of every layer.
  public struct State {
    /// `h` of each layer, in order, `B × H`.
    public var hidden: [Tensor]
    /// Sequences `B`.
    public let batch: Int
    /// The activations of the tape-free step (made at the first step).
    var stepBuffers: GRUStepBuffers?
  }

  /// `V`.
  public var vocabulary: Int { configuration.vocabulary }

  /// Logits (`B·L × V`, row `b·L + t`) for `tokens` (`B` sequences of equal length `L`), every
  /// layer's recurrence run over the whole sequence from `h₀ = 0`. No dropout: `training` and
  /// `generator` are unused.
  public func logits(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    try run(encoder.embed(tokens, on: tape), from: zeroHidden(batch: tokens.count), on: tape).logits
  }

  /// `H` = ``Configuration/width``.
  public var hiddenWidth: Int? { configuration.width }

  /// The output projection `decoder.output.*`: `U` (`H × V`) and `c` (`V`).
  public var outputLayer: (weight: Tensor, bias: Tensor?)? { (decoder.weight.value, decoder.bias.value) }

  /// The last hidden state `h` (`B·L × H`, row `b·L + t`) for `tokens`: every layer from `h₀ = 0`
  /// and the final normalisation; the output projection of `h` gives
  /// ``logits(_:on:training:generator:)``. No dropout.
  public func hiddenStates(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    let x = try trunk(encoder.embed(tokens, on: tape), from: zeroHidden(batch: tokens.count), on: tape).output
    let shape = tape.value(x).shape
    return try tape.reshape(finalNorm(x, on: tape), to: [shape[0] * shape[1], configuration.width])
  }

  /// The logits (`B·L × V`) and the hidden states (`B·L × H`) they project, of one pass from `h₀ = 0`.
  public func logitsAndHiddenStates(
    _ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator
  ) throws -> (logits: Variable, hidden: Variable) {
    let (logits, hidden, _) = try run(encoder.embed(tokens, on: tape), from: zeroHidden(batch: tokens.count), on: tape)
    let shape = tape.value(hidden).shape
    return (logits, try tape.reshape(hidden, to: [shape[0] * shape[1], configuration.width]))
  }

  /// The read-out (`B·L × V`, row `b·L + t`: `V` values per position) for `features`
  /// (`B × L × C`), every layer's recurrence run from `h₀ = 0`. No dropout.
  /// - Throws: for a token model or features of another shape.
  public func outputs(features: Tensor, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    try run(encoder.encode(features, on: tape), from: zeroHidden(batch: features.shape[0]), on: tape).logits
  }

  /// ``Configuration/inputChannels``.
  public var inputChannels: Int? { configuration.inputChannels }

  /// `h₀ = 0` (`B × H`) for every layer.
  private func zeroHidden(batch: Int) -> [Tensor] {
    Array(repeating: Tensor(shape: [batch, configuration.width]), count: blocks.count)
  }

  /// Zero hidden states (`B × H` per layer) for `batchSize` sequences.
  /// - Throws: `AutodiffError/invalidArgument(_:)` for `batchSize < 1`.
  public func initialState(batchSize: Int) throws -> State {
    guard batchSize >= 1 else { throw AutodiffError.invalidArgument("batch size \(batchSize) must be ≥ 1") }
    return State(hidden: zeroHidden(batch: batchSize), batch: batchSize, stepBuffers: nil)
  }

  /// `C` tokens per sequence (`B × C`): every layer's recurrence runs over the chunk from the
  /// carried hidden states, which then hold `h_C`. Logits `B × C × V`. On a thrown error the
  /// state is unchanged. A chunk of one token takes the tape-free step (``hasTapeFreeStep``: token
  /// models).
  /// - Throws: `AutodiffError` for a ragged or empty chunk, a batch other than the state's, or
  ///   a token outside `0 ..< V`.
  public func prefill(_ tokens: [[Int]], state: inout State) throws -> Tensor {
    if try Self.chunkLength(of: tokens) == 1, hasTapeFreeStep {
      return try tapeFreeStep(tokens.map { $0[0] }, state: &state)
    }
    return try tapePrefill(tokens, state: &state)
  }

  /// ``prefill(_:state:)`` through an inference tape, whatever the chunk's length (the reference
  /// the tape-free step is tested against).
  package func tapePrefill(_ tokens: [[Int]], state: inout State) throws -> Tensor {
    try tapePrefillWithHiddenStates(tokens, state: &state).logits
  }

  /// ``prefill(_:state:)`` with the last hidden states `LayerNorm_f(x)` (`B × C × H`): the
  /// tape-free step for one token, the tape otherwise.
  public func prefillWithHiddenStates(_ tokens: [[Int]], state: inout State) throws -> (logits: Tensor, hidden: Tensor)
  {
    guard try Self.chunkLength(of: tokens) == 1, hasTapeFreeStep else {
      return try tapePrefillWithHiddenStates(tokens, state: &state)
    }
    let logits = try tapeFreeStep(tokens.map { $0[0] }, state: &state)
    return (logits, try Tensor(shape: [state.batch, 1, configuration.width], values: state.stepBuffers!.normalized))
  }

  /// ``prefillWithHiddenStates(_:state:)`` through an inference tape, whatever the chunk's length.
  package func tapePrefillWithHiddenStates(_ tokens: [[Int]], state: inout State) throws
    -> (logits: Tensor, hidden: Tensor)
  {
    let length = try Self.chunkLength(of: tokens)
    for t in 0..<length { try validateStep(tokens.map { $0[t] }, batch: state.batch) }
    let tape = Tape(recordsGradients: false)
    let (logits, hidden, final) = try run(encoder.embed(tokens, on: tape), from: state.hidden, on: tape)
    state.hidden = final
    return (
      try Tensor(shape: [tokens.count, length, vocabulary], values: tape.value(logits).values),
      try Tensor(shape: [tokens.count, length, configuration.width], values: tape.value(hidden).values)
    )
  }

  /// `C` positions of features per sequence (`B × C × channels`) from the carried hidden states,
  /// as ``prefill(_:state:)`` does for tokens: `B × C × V`. On a thrown error the state is unchanged.
  public func prefill(features: Tensor, state: inout State) throws -> Tensor {
    let tape = Tape(recordsGradients: false)
    let x = try encoder.encode(features, on: tape)
    try validateChunk(batch: features.shape[0], stateBatch: state.batch)
    let (logits, _, final) = try run(x, from: state.hidden, on: tape)
    state.hidden = final
    return try Tensor(shape: [features.shape[0], features.shape[1], vocabulary], values: tape.value(logits).values)
  }
}
