import Autodiff
import Foundation
import SeededRandom

/// A selective state space model (Mamba, Gu & Dao 2023): embedding (`V × D`) → `depth` pre-norm
/// ``MambaBlock``s → LayerNorm → Linear(D → V), giving logits for every position.
///
/// Both modes run the same tape operations: the parallel mode runs every block over the whole sequence from
/// the zero state; the recurrent mode (``prefill(_:state:)``, ``step(_:state:)``) over a chunk from each
/// block's carried convolution inputs and scan state (`O(E·N)` per token and block, independent of the
/// context read so far).
///
/// With ``Configuration/inputChannels`` set to `C`, a regression model instead: a linear encoder (`C → D`)
/// replaces the embedding, and the `V` outputs per position are values
/// (``outputs(features:on:training:generator:)``).
public struct MambaModel {
  /// The model's shape.
  public struct Configuration: Sendable, Equatable, Codable {
    /// Tokens `V` (embedding rows and decoder outputs).
    public var vocabulary: Int
    /// Model width `D`.
    public var width: Int
    /// Residual blocks.
    public var depth: Int
    /// State size `N` per expanded channel (16 in the paper).
    public var stateSize: Int
    /// Expansion factor: `E = expansion · D` expanded channels (2 in the paper).
    public var expansion: Int
    /// The rank `R` of `Δ`'s projection; `nil` means `⌈D/16⌉` (the paper's `"auto"`).
    public var stepRank: Int?
    /// Real-valued input channels `C`: a linear encoder `C → D` replaces the token embedding and
    /// ``vocabulary`` counts output values (see ``SequenceModel``); `nil` reads tokens.
    public var inputChannels: Int?

    /// A configuration.
    public init(
      vocabulary: Int, width: Int, depth: Int, stateSize: Int = 16, expansion: Int = 2, stepRank: Int? = nil,
      inputChannels: Int? = nil
    ) {
      self.vocabulary = vocabulary
      self.width = width
      self.depth = depth
      self.stateSize = stateSize
      self.expansion = expansion
      self.stepRank = stepRank
      self.inputChannels = inputChannels
    }

    /// `R`: ``stepRank``, or `⌈D/16⌉`.
    public var resolvedStepRank: Int { stepRank ?? (width + 15) / 16 }
  }

  /// The range of every block's initial `dt` (the official code's `[1e-3, 1e-1]`).
  public static let dtRange: ClosedRange<Double> = 1e-3...1e-1

  /// The shape the model was built with.
  public let configuration: Configuration
  /// The token embedding (`V × D`, `encoder.embedding`) or the linear encoder `C → D` (`encoder.input.*`).
  public let encoder: InputEncoder
  /// The residual blocks, in order, named `blocks.ℓ.*`.
  public let blocks: [MambaBlock]
  /// The normalisation before the decoder, `decoder.norm.*`.
  public let finalNorm: LayerNorm
  /// The output projection `D → V`, `decoder.output.*`.
  public let decoder: Linear

  /// A model initialised from `seed`.
  /// - Throws: `AutodiffError/invalidArgument(_:)` for a vocabulary, width, state size, expansion, step rank
  ///   or input channels below 1, or a negative depth.
  public init(_ configuration: Configuration, seed: UInt64) throws {
    let sizes = [
      ("vocabulary", configuration.vocabulary), ("width", configuration.width),
      ("state size", configuration.stateSize), ("expansion", configuration.expansion),
      ("step rank", configuration.resolvedStepRank), ("input channels", configuration.inputChannels ?? 1),
    ]
    for (name, size) in sizes where size < 1 {
      throw AutodiffError.invalidArgument("\(name) \(size) must be ≥ 1")
    }
    guard configuration.depth >= 0 else {
      throw AutodiffError.invalidArgument("depth \(configuration.depth) must be ≥ 0")
    }
    var generator = SeededGenerator(seed: seed)
    self.configuration = configuration
    encoder = try InputEncoder.seeded(
      vocabulary: configuration.vocabulary, width: configuration.width, inputChannels: configuration.inputChannels,
      generator: &generator)
    blocks = (0..<configuration.depth).map { index in
      MambaBlock(
        name: "blocks.\(index)", width: configuration.width, expanded: configuration.expansion * configuration.width,
        stateSize: configuration.stateSize, stepRank: configuration.resolvedStepRank, dtRange: Self.dtRange,
        generator: &generator)
    }
    finalNorm = LayerNorm(name: "decoder.norm", width: configuration.width)
    decoder = Linear(
      name: "decoder.output", inputs: configuration.width, outputs: configuration.vocabulary, generator: &generator)
  }

  /// The blocks, final normalisation and decoder on the encoded input `x` (`B × L × D`): logits
  /// `B·L × V` and the last hidden state `LayerNorm_f(x)` (`B × L × D`) they project. `states` (one
  /// per block) continue and advance the recurrent mode; `nil` runs the parallel mode.
  private func run(_ input: Variable, on tape: Tape, states: inout [MambaBlock.State]?) throws
    -> (logits: Variable, hidden: Variable)
  {
    let shape = tape.value(input).shape
    let hidden = try finalNorm(trunk(input, on: tape, states: &states), on: tape)
    let output = try decoder(hidden, on: tape)
    return (try tape.reshape(output, to: [shape[0] * shape[1], configuration.vocabulary]), hidden)
  }

  /// The blocks on the encoded input `x` (`B × L × D`), continuing `states` as ``run(_:on:states:)``
  /// does: `B × L × D`.
  private func trunk(_ input: Variable, on tape: Tape, states: inout [MambaBlock.State]?) throws -> Variable {
    var x = input
    for (index, block) in blocks.enumerated() {
      var state = states?[index]
      x = try block(x, on: tape, state: &state)
      if let state { states?[index] = state }
    }
    return x
  }
}

extension MambaModel: SequenceModel {
  /// The recurrent state: every block's convolution inputs and scan state.
  public struct State {
    /// One per block, in order.
    public var blocks: [MambaBlock.State]
    /// Sequences `B`.
    public let batch: Int
    /// The activations of the tape-free step (made at the first step).
    var stepBuffers: MambaStepBuffers?
  }

  /// `V`.
  public var vocabulary: Int { configuration.vocabulary }

  /// ``Configuration/inputChannels``.
  public var inputChannels: Int? { configuration.inputChannels }

  /// Logits (`B·L × V`, row `b·L + t`) for `tokens` (`B` sequences of equal length `L`). No dropout:
  /// `training` and `generator` are unused.
  public func logits(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    var parallel: [MambaBlock.State]? = nil
    return try run(encoder.embed(tokens, on: tape), on: tape, states: &parallel).logits
  }

  /// `D` = ``Configuration/width``.
  public var hiddenWidth: Int? { configuration.width }

  /// The output projection `decoder.output.*`: `U` (`D × V`) and `c` (`V`).
  public var outputLayer: (weight: Tensor, bias: Tensor?)? { (decoder.weight.value, decoder.bias.value) }

  /// The last hidden state `h` (`B·L × D`, row `b·L + t`) for `tokens`: the blocks in parallel
  /// mode and the final normalisation; the output projection of `h` gives
  /// ``logits(_:on:training:generator:)``. No dropout.
  public func hiddenStates(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    var parallel: [MambaBlock.State]? = nil
    let x = try trunk(encoder.embed(tokens, on: tape), on: tape, states: &parallel)
    let shape = tape.value(x).shape
    return try tape.reshape(finalNorm(x, on: tape), to: [shape[0] * shape[1], configuration.width])
  }

  /// The logits (`B·L × V`) and the hidden states (`B·L × D`) they project, of one parallel pass.
  public func logitsAndHiddenStates(
    _ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator
  ) throws -> (logits: Variable, hidden: Variable) {
    var parallel: [MambaBlock.State]? = nil
    let (logits, hidden) = try run(encoder.embed(tokens, on: tape), on: tape, states: &parallel)
    let shape = tape.value(hidden).shape
    return (logits, try tape.reshape(hidden, to: [shape[0] * shape[1], configuration.width]))
  }

  /// The read-out (`B·L × V`, row `b·L + t`) for `features` (`B × L × C`). No dropout.
  /// - Throws: for a token model or features of another shape.
  public func outputs(features: Tensor, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    var parallel: [MambaBlock.State]? = nil
    return try run(encoder.encode(features, on: tape), on: tape, states: &parallel).logits
  }

  /// Zero states for `batchSize` sequences.
  /// - Throws: `AutodiffError/invalidArgument(_:)` for `batchSize < 1`.
  public func initialState(batchSize: Int) throws -> State {
    guard batchSize >= 1 else { throw AutodiffError.invalidArgument("batch size \(batchSize) must be ≥ 1") }
    return State(blocks: blocks.map { $0.initialState(batch: batchSize) }, batch: batchSize, stepBuffers: nil)
  }

  /// `C` tokens per sequence (`B × C`) from the carried states, which then hold the last `W − 1`
  /// convolution inputs and the scan state after the chunk. Logits `B × C × V`. On a thrown error the state
  /// is unchanged. A chunk of one token takes the tape-free step (``hasTapeFreeStep``: token models).
  /// - Throws: `AutodiffError` for a ragged or empty chunk, a batch other than the state's, or a token outside
  ///   `0 ..< V`.
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

  /// ``prefill(_:state:)`` with the last hidden states `LayerNorm_f(x)` (`B × C × D`): the
  /// tape-free step for one token, the tape otherwise.
  public func prefillWithHiddenStates(_ tokens: [[Int]], state: inout State) throws -> (logits: Tensor, hidden: Tensor)
  {
    guard try Self.chunkLength(of: tokens) == 1, hasTapeFreeStep else {
      return try tapePrefillWithHiddenStates(tokens, state: &state)
    }
    let logits = try tapeFreeStep(tokens.map { $0[0] }, state: &state)
    let count = state.batch * configuration.width
    return (
      logits,
      try Tensor(
        shape: [state.batch, 1, configuration.width],
        values: Array(UnsafeBufferPointer(start: state.stepBuffers!.h, count: count)))
    )
  }

  /// ``prefillWithHiddenStates(_:state:)`` through an inference tape, whatever the chunk's length.
  package func tapePrefillWithHiddenStates(_ tokens: [[Int]], state: inout State) throws
    -> (logits: Tensor, hidden: Tensor)
  {
    let length = try Self.chunkLength(of: tokens)
    for t in 0..<length { try validateStep(tokens.map { $0[t] }, batch: state.batch) }
    let tape = Tape(recordsGradients: false)
    return try recurrentWithHiddenStates(encoder.embed(tokens, on: tape), on: tape, state: &state)
  }

  /// `C` positions of features per sequence (`B × C × channels`), as ``prefill(_:state:)`` does for tokens:
  /// `B × C × V`. On a thrown error the state is unchanged.
  public func prefill(features: Tensor, state: inout State) throws -> Tensor {
    let tape = Tape(recordsGradients: false)
    let x = try encoder.encode(features, on: tape)
    try validateChunk(batch: features.shape[0], stateBatch: state.batch)
    return try recurrent(x, on: tape, state: &state)
  }

  /// The recurrent mode on the encoded chunk `x` (`B × C × D`): `B × C × V`, the state advanced only on success.
  private func recurrent(_ x: Variable, on tape: Tape, state: inout State) throws -> Tensor {
    try recurrentWithHiddenStates(x, on: tape, state: &state).logits
  }

  /// ``recurrent(_:on:state:)`` with the last hidden states: logits `B × C × V`, `h` `B × C × D`.
  private func recurrentWithHiddenStates(_ x: Variable, on tape: Tape, state: inout State) throws
    -> (logits: Tensor, hidden: Tensor)
  {
    let shape = tape.value(x).shape
    var states: [MambaBlock.State]? = state.blocks
    let (logits, hidden) = try run(x, on: tape, states: &states)
    state.blocks = states ?? state.blocks
    return (
      try Tensor(shape: [shape[0], shape[1], vocabulary], values: tape.value(logits).values),
      try Tensor(shape: [shape[0], shape[1], configuration.width], values: tape.value(hidden).values)
    )
  }
}
