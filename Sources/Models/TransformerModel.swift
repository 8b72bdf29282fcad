import Autodiff
import SeededRandom

/// A GPT-style decoder: token embedding (+ learned or sinusoidal positions) → `depth`
/// ``TransformerBlock``s → LayerNorm → output projection (or the transposed embedding when
/// tied), giving next-token logits at every position. Its recurrent state is a ``KVCache``
/// per block.
///
/// With ``Configuration/inputChannels`` set to `C`, a regression model instead: a linear encoder
/// (`C → D`) replaces the token embedding, positions are added (or rotated) as for tokens, and the
/// `V` outputs per position are values (``outputs(features:on:training:generator:)``).
public struct TransformerModel {
  /// The model's shape.
  public struct Configuration: Sendable, Equatable, Codable {
    /// Tokens `V`.
    public var vocabulary: Int
    /// Model width `D`.
    public var width: Int
    /// Blocks.
    public var depth: Int
    /// Attention heads (dividing `D`; with rotary positions `D/heads` must be even).
    public var heads: Int
    /// MLP hidden width as a multiple of `D` (used when ``mlpHidden`` is absent).
    public var mlpRatio: Int
    /// MLP hidden width `F` of every block (`D → F → D`); absent (`nil`, also in older
    /// configurations) means `mlpRatio · D`.
    public var mlpHidden: Int?
    /// Where positions come from.
    public var positions: PositionEncoding
    /// Rows of the learned position table (the longest readable sequence); unused otherwise.
    public var contextLength: Int
    /// Logits from the transposed token embedding instead of a separate output projection.
    public var tiedEmbeddings: Bool
    /// Dropout on the embeddings and both residual branches of every block (training only).
    public var dropout: Float
    /// Real-valued input channels `C`: a linear encoder `C → D` replaces the token embedding and
    /// ``vocabulary`` counts output values (see ``SequenceModel``; not with ``tiedEmbeddings``);
    /// `nil` (or absent in older configurations) reads tokens.
    public var inputChannels: Int?

    /// A configuration.
    public init(
      vocabulary: Int, width: Int, depth: Int, heads: Int, mlpRatio: Int = 4, mlpHidden: Int? = nil,
      positions: PositionEncoding = .rotary, contextLength: Int = 1024, tiedEmbeddings: Bool = false,
      dropout: Float = 0, inputChannels: Int? = nil
    ) {
      self.mlpHidden = mlpHidden
      self.inputChannels = inputChannels
      self.vocabulary = vocabulary
      self.width = width
      self.depth = depth
      self.heads = heads
      self.mlpRatio = mlpRatio
      self.positions = positions
      self.contextLength = contextLength
      self.tiedEmbeddings = tiedEmbeddings
      self.dropout = dropout
    }
  }

  /// The shape the model was built with.
  public let configuration: Configuration
  /// The token embedding (`V × D`, `N(0, 0.02²)` as in GPT-2, named `embedding.tokens`) or, with
  /// ``Configuration/inputChannels``, the linear encoder `C → D` (`embedding.features.*`).
  public let encoder: InputEncoder
  /// Learned positions, `contextLength × D` (`N(0, 0.02²)`), or `nil`.
  public let positionTable: Parameter?
  /// The blocks, in order.
  public let blocks: [TransformerBlock]
  /// The normalisation before the output.
  public let finalNorm: LayerNorm
  /// The output projection `D → V`, or `nil` with tied embeddings.
  public let decoder: Linear?

  /// A model initialised from `seed`.
  /// - Throws: for sizes below 1, a width the heads do not divide (evenly, for rotary
  ///   positions), a dropout outside `[0, 1)`, or input channels below 1 or with tied embeddings.
  public init(_ configuration: Configuration, seed: UInt64) throws {
    let c = configuration
    guard c.vocabulary >= 1, c.width >= 1, c.depth >= 0, c.heads >= 1, c.mlpRatio >= 1, (c.mlpHidden ?? 1) >= 1,
      c.contextLength >= 1
    else {
      throw AutodiffError.invalidArgument(
        "vocabulary, width, heads, MLP ratio, MLP hidden width, context must be ≥ 1 and depth ≥ 0")
    }
    guard c.width.isMultiple(of: c.heads), c.positions != .rotary || (c.width / c.heads).isMultiple(of: 2) else {
      throw AutodiffError.invalidArgument(
        "width \(c.width) must split into \(c.heads) heads\(c.positions == .rotary ? " of even width (rotary)" : "")")
    }
    guard c.dropout >= 0, c.dropout < 1 else {
      throw AutodiffError.invalidArgument("dropout \(c.dropout) outside [0, 1)")
    }
    guard (c.inputChannels ?? 1) >= 1, c.inputChannels == nil || !c.tiedEmbeddings else {
      throw AutodiffError.invalidArgument("input channels must be ≥ 1 and need an untied output projection")
    }
    var generator = SeededGenerator(seed: seed)
    let normal = { (rows: Int, generator: inout SeededGenerator) in
      try Tensor(
        shape: [rows, c.width], values: (0..<(rows * c.width)).map { _ in Float(0.02 * generator.nextStandardNormal()) }
      )
    }
    self.configuration = c
    if let channels = c.inputChannels {
      encoder = .features(Linear(name: "embedding.features", inputs: channels, outputs: c.width, generator: &generator))
    } else {
      encoder = .tokens(Parameter(name: "embedding.tokens", value: try normal(c.vocabulary, &generator)))
    }
    positionTable =
      c.positions == .learned
      ? Parameter(name: "embedding.positions", value: try normal(c.contextLength, &generator)) : nil
    blocks = (0..<c.depth).map { index in
      TransformerBlock(
        name: "blocks.\(index)", width: c.width, heads: c.heads, mlpHidden: c.mlpHidden ?? c.mlpRatio * c.width,
        rotary: c.positions == .rotary, dropout: c.dropout, generator: &generator)
    }
    finalNorm = LayerNorm(name: "decoder.norm", width: c.width)
    decoder =
      c.tiedEmbeddings
      ? nil : Linear(name: "decoder.output", inputs: c.width, outputs: c.vocabulary, generator: &generator)
  }

  /// Logits (`B·L × V`, row `b·L + t`) for `tokens` (`B` sequences of one length `L`).
  public func logits(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    try decode(
      trunk(embed(tokens, position: 0, on: tape), on: tape, training: training, generator: &generator), on: tape)
  }

  /// `H` = ``Configuration/width``.
  public var hiddenWidth: Int? { configuration.width }

  /// The output projection `decoder.output.*` (`U`: `D × V`, `c`: `V`), or with tied embeddings the
  /// transposed token embedding `U = Eᵀ` and no bias; `nil` for a feature model with tied embeddings
  /// (which cannot be built).
  public var outputLayer: (weight: Tensor, bias: Tensor?)? {
    if let decoder { return (decoder.weight.value, decoder.bias.value) }
    guard let table = encoder.table?.value else { return nil }
    let (rows, columns) = (table.shape[0], table.shape[1])
    let transposed = (0..<(columns * rows)).map { table.values[($0 % rows) * columns + $0 / rows] }
    return (try! Tensor(shape: [columns, rows], values: transposed), nil)
  }

  /// The last hidden state `h` (`B·L × D`, row `b·L + t`) for `tokens`: the blocks and the final
  /// normalisation; the output projection (or the tied embedding) of `h` gives
  /// ``logits(_:on:training:generator:)``.
  public func hiddenStates(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    try hiddenRows(
      trunk(embed(tokens, position: 0, on: tape), on: tape, training: training, generator: &generator), on: tape)
  }

  /// The logits (`B·L × V`) and the hidden states (`B·L × D`) they project, of one forward pass.
  public func logitsAndHiddenStates(
    _ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator
  ) throws -> (logits: Variable, hidden: Variable) {
    let hidden = try hiddenStates(tokens, on: tape, training: training, generator: &generator)
    return (try project(hidden, on: tape), hidden)
  }

  /// The read-out (`B·L × V`, row `b·L + t`: `V` values per position) for `features`
  /// (`B × L × C`): the encoded features with positions from 0, then the blocks as for tokens.
  /// - Throws: for a token model, features of another shape, or more positions than a learned table has.
  public func outputs(features: Tensor, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    let x = try encoder.encode(features, on: tape)
    return try decode(
      trunk(
        addPositions(x, position: 0, length: features.shape[1], on: tape), on: tape, training: training,
        generator: &generator), on: tape)
  }

  /// Embedding dropout and the blocks on the embedded input `x` (`B × L × D`): `B × L × D`.
  private func trunk(_ input: Variable, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    var x = input
    if training, configuration.dropout > 0 {
      x = try tape.dropout(x, probability: configuration.dropout, generator: &generator)
    }
    for block in blocks { x = try block(x, on: tape, training: training, generator: &generator) }
    return x
  }

  /// Token (and absolute position) embeddings of tokens at `position ..< position + L`: `B × L × D`.
  private func embed(_ tokens: [[Int]], position: Int, on tape: Tape) throws -> Variable {
    let length = try Self.chunkLength(of: tokens)
    return try addPositions(encoder.embed(tokens, on: tape), position: position, length: length, on: tape)
  }

  /// `x` (`B × L × D`, positions `position ..< position + L`) plus absolute position embeddings
  /// (learned or sinusoidal); unchanged for rotary positions, which the blocks apply.
  private func addPositions(_ x: Variable, position: Int, length: Int, on tape: Tape) throws -> Variable {
    if let limit = contextLimit, position + length > limit {
      throw AutodiffError.invalidArgument("position \(position + length - 1) beyond the learned context of \(limit)")
    }
    let width = configuration.width
    switch configuration.positions {
    case .learned:
      let rows = try tape.embedding(
        tape.parameter(positionTable!), indices: Array(position..<(position + length)))
      return try tape.add(x, rows)
    case .sinusoidal:
      let table = try Tensor(
        shape: [length, width], values: PositionEncoding.sinusoids(offset: position, length: length, width: width))
      return try tape.add(x, tape.constant(table))
    case .rotary:
      return x
    }
  }

  /// The final normalisation of `x` (`B × L × D`) as rows: the last hidden state, `B·L × D`.
  private func hiddenRows(_ x: Variable, on tape: Tape) throws -> Variable {
    let shape = tape.value(x).shape
    return try tape.reshape(finalNorm(x, on: tape), to: [shape[0] * shape[1], configuration.width])
  }

  /// Final normalisation and output projection of `x` (`B × L × D`): logits `B·L × V`.
  private func decode(_ x: Variable, on tape: Tape) throws -> Variable {
    try project(hiddenRows(x, on: tape), on: tape)
  }

  /// The output projection (or the tied embedding) of hidden rows `h` (`B·L × D`): logits `B·L × V`.
  private func project(_ rows: Variable, on tape: Tape) throws -> Variable {
    guard let decoder else {
      guard let table = encoder.table else { throw AutodiffError.invalidArgument("tied embeddings need tokens") }
      return try tape.matmul(rows, tape.transpose(tape.parameter(table), permutation: [1, 0]))
    }
    return try decoder(rows, on: tape)
  }
}

extension TransformerModel: SequenceModel {
  /// The recurrent state: one key–value cache per block and the next position.
  public struct State {
    /// One per block, in order.
    public var caches: [KVCache]
    /// Sequences `B`.
    public let batch: Int
    /// Tokens read so far (the position of the next one).
    public private(set) var position: Int
    /// The activations of the tape-free step (made at the first step).
    var stepBuffers: TransformerStepBuffers? = nil

    mutating func advance(by count: Int) { position += count }

    /// Forgets every token from `position` on, as if only the first `position` had been read.
    public mutating func rewind(to position: Int) throws {
      for index in caches.indices { try caches[index].truncate(to: position) }
      self.position = position
    }

    /// Keeps, of the entries read from `start` on, only those at `start + offsets[k]` (strictly
    /// increasing offsets), moved to `start + k`: the state that read only those tokens after
    /// `start` when each of them attended to the earlier kept ones only (a tree path).
    public mutating func keep(_ offsets: [Int], from start: Int) throws {
      for index in caches.indices { try caches[index].compact(keeping: offsets, from: start) }
      position = start + offsets.count
    }
  }

  /// `V`.
  public var vocabulary: Int { configuration.vocabulary }

  /// ``State/position``: every transformer state rewinds in place.
  public func rewindablePosition(of state: State) -> Int? { state.position }

  /// ``State/rewind(to:)``: the caches truncated to `position` entries.
  public func rewind(_ state: inout State, to position: Int) throws { try state.rewind(to: position) }

  /// ``Configuration/inputChannels``.
  public var inputChannels: Int? { configuration.inputChannels }

  /// The learned position table's length, or `nil` (sinusoidal and rotary positions extend
  /// to any length).
  public var contextLimit: Int? { configuration.positions == .learned ? configuration.contextLength : nil }

  /// Empty caches for `batchSize` sequences.
  /// - Throws: for `batchSize < 1`.
  public func initialState(batchSize: Int) throws -> State {
    guard batchSize >= 1 else { throw AutodiffError.invalidArgument("batch size \(batchSize) must be ≥ 1") }
    let c = configuration
    return State(
      caches: blocks.map { _ in
        KVCache(batch: batchSize, heads: c.heads, headWidth: c.width / c.heads, capacity: min(256, c.contextLength))
      }, batch: batchSize, position: 0)
  }

  /// `C` tokens per sequence attending to the cache and to each other: `B × C × V`. A chunk of up
  /// to ``KVCache/inPlaceChunk`` tokens (a decoding step, a speculative verification) takes the
  /// tape-free path (``hasTapeFreeStep``: token models).
  public func prefill(_ tokens: [[Int]], state: inout State) throws -> Tensor {
    if try Self.chunkLength(of: tokens) <= KVCache.inPlaceChunk, hasTapeFreeStep {
      return try tapeFreeChunk(tokens, state: &state)
    }
    return try tapePrefill(tokens, state: &state)
  }

  /// ``prefill(_:state:)`` through an inference tape, whatever the chunk's length (the reference
  /// the tape-free step is tested against).
  package func tapePrefill(_ tokens: [[Int]], state: inout State) throws -> Tensor {
    try tapePrefillWithHiddenStates(tokens, state: &state).logits
  }

  /// `C` positions of features per sequence (`B × C × channels`) attending to the cache and to
  /// each other, as ``prefill(_:state:)`` does for tokens: `B × C × V`.
  public func prefill(features: Tensor, state: inout State) throws -> Tensor {
    let tape = Tape(recordsGradients: false)
    let x = try encoder.encode(features, on: tape)
    try validateChunk(batch: features.shape[0], stateBatch: state.batch)
    return try recurrent(
      addPositions(x, position: state.position, length: features.shape[1], on: tape), on: tape, state: &state)
  }

  /// The blocks (reading and extending the caches) and the decoder on the embedded chunk `x`
  /// (`B × C × D`, positions from `state.position`): `B × C × V`.
  private func recurrent(_ input: Variable, on tape: Tape, state: inout State) throws -> Tensor {
    try recurrentWithHiddenStates(input, on: tape, state: &state).logits
  }

  /// ``recurrent(_:on:state:)`` with the last hidden states: logits `B × C × V`, `h` `B × C × D`.
  private func recurrentWithHiddenStates(_ input: Variable, on tape: Tape, state: inout State) throws
    -> (logits: Tensor, hidden: Tensor)
  {
    let shape = tape.value(input).shape
    var x = input
    for (index, block) in blocks.enumerated() { x = try block(x, on: tape, cache: &state.caches[index]) }
    state.advance(by: shape[1])
    let hidden = try hiddenRows(x, on: tape)
    let logits = tape.value(try project(hidden, on: tape))
    return (
      try Tensor(shape: [shape[0], shape[1], vocabulary], values: logits.values),
      try Tensor(shape: [shape[0], shape[1], configuration.width], values: tape.value(hidden).values)
    )
  }

  /// ``prefillWithHiddenStates(_:state:)`` through an inference tape, whatever the chunk's length.
  package func tapePrefillWithHiddenStates(_ tokens: [[Int]], state: inout State) throws
    -> (logits: Tensor, hidden: Tensor)
  {
    _ = try Self.chunkLength(of: tokens)
    try validateStep(tokens.map { $0[0] }, batch: state.batch)
    let tape = Tape(recordsGradients: false)
    return try recurrentWithHiddenStates(embed(tokens, position: state.position, on: tape), on: tape, state: &state)
  }
}
