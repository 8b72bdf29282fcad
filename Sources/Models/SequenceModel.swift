import Autodiff
import SeededRandom

/// The one interface every token model of the framework implements, so that training,
/// evaluation, generation and the comparison runner treat S4 stacks, transformer decoders
/// and recurrent baselines alike.
///
/// A model has two modes that compute the same function:
/// - **parallel** (training): ``logits(_:on:training:generator:)`` maps `B` sequences of
///   length `L` to logits for every position at once, on a `Tape` so gradients flow;
/// - **recurrent** (generation): ``initialState(batchSize:)`` then ``prefill(_:state:)``
///   chunks of tokens (``step(_:state:)`` one token per sequence at a time), carrying an
///   explicit `State` (an SSM's hidden state, a transformer's KV cache, an RNN's cell).
///
/// For every conforming model, feeding a sequence in chunks or token by token gives the logits
/// of the parallel forward at every position (tested per family, float32, relative 1e-4).
///
/// ## Real-valued inputs and outputs
///
/// A model whose configuration sets `inputChannels` to `C` reads real-valued features instead of
/// tokens (regression tasks such as adding, delay, reconstruct): its first layer is a linear
/// encoder `C → H` (see ``InputEncoder``) and its parallel mode is
/// ``outputs(features:on:training:generator:)``, `B × L × C` features to a `B·L × V` read-out
/// whose `V` = ``vocabulary`` columns are the predicted output values (so for such a model
/// ``vocabulary`` counts output channels, not tokens). ``inputChannels`` says which kind a model
/// is. Its recurrent mode is ``prefill(features:state:)`` (and ``step(features:state:)``), chunks of
/// features in, read-outs out, equal to the parallel read-out at those positions (streaming
/// inference). The token entry points (``logits(_:on:training:generator:)``, ``step(_:state:)``,
/// ``prefill(_:state:)``) throw on a feature model, and the feature entry points throw on a token model.
///
/// Both kinds share this one protocol rather than a second one because the kind is a property
/// of a configuration, not of a type: the same `S4Model` type reads tokens or features, and
/// `ModelConfiguration/build(seed:)`, training and the comparison runner hold models as
/// `any SequenceModel`. A separate protocol would be conformed to by every family whatever its
/// configuration, so it could not promise more than this one does, and would force casts at
/// every use. The defaults (``inputChannels`` `nil`, ``outputs(features:on:training:generator:)``
/// throwing) keep token-only conformers unchanged.
///
/// ## Hidden states and heads
///
/// ``hiddenStates(_:on:training:generator:)`` is the parallel mode up to the last hidden state
/// `h` (`B·L × H`, ``hiddenWidth`` `= H`): the features the output layer reads, so that
/// ``logits(_:on:training:generator:)`` is that layer applied to them. Heads that read the same
/// features attach here: Medusa's extra token heads (``MedusaHead``) and the scalar value head of
/// PPO's critic (``ValueHead``). The defaults (`nil` width, throwing) keep models without heads
/// unchanged; every family of the registry implements both.
///
/// ## Parameters
///
/// A model is a `Module`: its `parameters` are found by walking its stored properties in
/// declaration order (encoder, blocks, final normalisation, decoder in every family), each with a
/// unique `Parameter/name`, the checkpoint key. That order is the one optimiser state and gradient
/// clipping visit them in.
public protocol SequenceModel: Module {
  /// What the recurrent mode carries from one token to the next.
  associatedtype State

  /// Tokens `V`: inputs lie in `0 ..< V`, logits have `V` columns. For a feature model
  /// (``inputChannels`` not `nil`), the output channels: the read-out's `V` columns are values.
  var vocabulary: Int { get }
  /// Input channels `C` of a model that reads real-valued features, or `nil` for a token model.
  var inputChannels: Int? { get }
  /// The longest sequence the model can read (learned positions), or `nil` for no limit.
  var contextLimit: Int? { get }

  /// Parallel mode: logits `B·L × V` (row `b·L + t`) for `tokens` (`B` sequences of one
  /// length `L`), recorded on `tape`; `generator` draws dropout masks when `training`.
  func logits(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws -> Variable

  /// Width `H` of ``hiddenStates(_:on:training:generator:)``, or `nil` for a model that exposes none.
  var hiddenWidth: Int? { get }

  /// Parallel mode up to the last hidden state: `h` (`B·L × H`, row `b·L + t`) for `tokens` (`B`
  /// sequences of one length `L`), the input of the output layer (after the final normalisation),
  /// recorded on `tape`; the logits are that layer applied to `h`.
  /// - Throws: for a model that exposes no hidden states (``hiddenWidth`` `nil`), a feature model,
  ///   or tokens the model cannot read.
  func hiddenStates(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable

  /// Parallel mode with both outputs of one forward pass, under one set of dropout masks: the
  /// logits of ``logits(_:on:training:generator:)`` (`B·L × V`) and the hidden states `h` of
  /// ``hiddenStates(_:on:training:generator:)`` (`B·L × H`) they project, for training a model
  /// together with heads on `h` (Medusa-2).
  /// - Throws: as ``hiddenStates(_:on:training:generator:)``.
  func logitsAndHiddenStates(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator)
    throws -> (logits: Variable, hidden: Variable)

  /// The output layer that ``logits(_:on:training:generator:)`` applies to
  /// ``hiddenStates(_:on:training:generator:)``, `z = h U + c`: copies of `U` (`H × V`) and `c`
  /// (`V`, `nil` for none, as with a transformer's tied embedding `U = Eᵀ`), the initial value of
  /// a ``MedusaHead``'s projection; `nil` for a model that exposes no hidden states.
  var outputLayer: (weight: Tensor, bias: Tensor?)? { get }

  /// Parallel mode of a feature model: the read-out `Y` (`B·L × V`, row `b·L + t`, the values
  /// predicted at position `t` of sequence `b`) for `features` `U` (`B × L × C`, row-major, `C` =
  /// ``inputChannels``), recorded on `tape`; `generator` draws dropout masks when `training`.
  /// Each family applies the linear encoder `x_t = u_t W + b`, then the same blocks, final
  /// normalisation and output projection as its token path.
  /// - Throws: for a token model, or features not of shape `B × L × C` with `B, L ≥ 1`.
  func outputs(features: Tensor, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws -> Variable

  /// The state before the first token, for `batchSize` sequences.
  func initialState(batchSize: Int) throws -> State

  /// Recurrent mode: reads a chunk of `C ≥ 1` tokens per sequence (`B × C`) from `state`,
  /// advances it past them, and returns the logits at each of them, `B × C × V`: the parallel
  /// mode's logits at those positions of the whole sequence read so far. ``step(_:state:)`` is
  /// the one-token case.
  func prefill(_ tokens: [[Int]], state: inout State) throws -> Tensor

  /// Tokens `state` has read, for a family that returns a state to an earlier position in place
  /// (``rewind(_:to:)``), or `nil` for one that does not.
  func rewindablePosition(of state: State) -> Int?

  /// Returns `state` in place to having read only its first `position` tokens, without copying it
  /// (a transformer truncates its key–value caches: the kept entries depend on kept positions only).
  /// - Throws: for a family without in-place rewinding (``rewindablePosition(of:)`` `nil`) or a
  ///   `position` beyond the tokens read.
  func rewind(_ state: inout State, to position: Int) throws

  /// Recurrent mode up to the last hidden state: ``prefill(_:state:)`` that also returns `h` at each
  /// of the chunk's tokens (`B × C × H`, ``hiddenWidth`` `= H`), the features the output layer and
  /// Medusa heads read (those of ``hiddenStates(_:on:training:generator:)`` at those positions).
  /// - Throws: as ``prefill(_:state:)``, and for a model that exposes no hidden states.
  func prefillWithHiddenStates(_ tokens: [[Int]], state: inout State) throws -> (logits: Tensor, hidden: Tensor)

  /// Reads a tree of candidate tokens from `state` (one sequence) for a verification (see
  /// ``TreeReading``): the logits and hidden state after every node's path. The default forks a
  /// copy of the parent's state for every node and steps it; a transformer reads the whole tree
  /// in one pass with a tree attention mask, extending `state` itself (taken, not copied, when the
  /// caller hands over its only copy: a transformer's caches then grow in place).
  /// - Throws: for a malformed tree (``TreeReading/validate(tokens:parents:)``), a state of more
  ///   than one sequence, tokens the model cannot read, or a model without hidden states.
  func readTree(_ tokens: [Int], parents: [Int], from state: consuming State) throws -> TreeReading<State>

  /// The state that has read the tokens of `reading`'s state and then exactly the tokens of
  /// `path` (a node's path, ``TreeReading/validatePath(_:)``): what decoding continues from once the
  /// verification accepted that path (taken from `reading`, which the call consumes, so a
  /// transformer keeps the path's cache entries in place).
  /// - Throws: for a `path` that is not a path of the tree.
  func state(after path: [Int], of reading: consuming TreeReading<State>) throws -> State

  /// Recurrent mode of a feature model: reads the next `C` positions of features per sequence
  /// (`B × C × channels`, `channels` = ``inputChannels``) from `state`, advances it, and returns
  /// the read-out at each of them, `B × C × V`: the parallel
  /// ``outputs(features:on:training:generator:)`` of the whole sequence at those positions.
  /// - Throws: for a token model, features of another shape or a batch other than the state's.
  func prefill(features: Tensor, state: inout State) throws -> Tensor
}

extension SequenceModel {
  /// No context limit.
  public var contextLimit: Int? { nil }

  /// `nil`: a token model.
  public var inputChannels: Int? { nil }

  /// `nil`: no hidden states exposed.
  public var hiddenWidth: Int? { nil }

  /// `nil`: states are kept as copies to return to an earlier position.
  public func rewindablePosition(of state: State) -> Int? { nil }

  /// Throws `AutodiffError/invalidArgument(_:)`: the family does not rewind in place.
  public func rewind(_ state: inout State, to position: Int) throws {
    throw AutodiffError.invalidArgument("\(Self.self) does not rewind a state in place")
  }

  /// Throws `AutodiffError/invalidArgument(_:)`: the model exposes no hidden states.
  public func logitsAndHiddenStates(
    _ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator
  ) throws -> (logits: Variable, hidden: Variable) {
    throw AutodiffError.invalidArgument("\(Self.self) exposes no hidden states")
  }

  /// `nil`: no hidden states exposed.
  public var outputLayer: (weight: Tensor, bias: Tensor?)? { nil }

  /// Throws `AutodiffError/invalidArgument(_:)`: the model exposes no hidden states.
  public func hiddenStates(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    throw AutodiffError.invalidArgument("\(Self.self) exposes no hidden states")
  }

  /// Throws `AutodiffError/invalidArgument(_:)`: a token model reads no features.
  public func outputs(features: Tensor, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    throw AutodiffError.invalidArgument("\(Self.self) reads tokens, not real-valued features")
  }

  /// Throws `AutodiffError/invalidArgument(_:)`: a token model reads no features.
  public func prefill(features: Tensor, state: inout State) throws -> Tensor {
    throw AutodiffError.invalidArgument("\(Self.self) reads tokens, not real-valued features")
  }

  /// One position of features per sequence (`B × C`, `C` = ``inputChannels``) through
  /// ``prefill(features:state:)``: the read-out `B × V`.
  public func step(features: Tensor, state: inout State) throws -> Tensor {
    guard features.rank == 2 else {
      throw AutodiffError.shapeMismatch("one step reads B × C features, got \(features.shape)")
    }
    let (batch, channels) = (features.shape[0], features.shape[1])
    let output = try prefill(features: Tensor(shape: [batch, 1, channels], values: features.values), state: &state)
    return try Tensor(shape: [batch, vocabulary], values: output.values)
  }

  /// Checks that a chunk of `batch` sequences matches a state of `stateBatch` sequences.
  public func validateChunk(batch: Int, stateBatch: Int) throws {
    guard batch == stateBatch else {
      throw AutodiffError.shapeMismatch("a chunk of \(batch) sequences for a state of \(stateBatch)")
    }
  }

  /// Parallel-mode read-out of a feature model without dropout or gradients: `B × L × V` for
  /// `features` `B × L × C`.
  public func forward(features: Tensor) throws -> Tensor {
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    let output = tape.value(try outputs(features: features, on: tape, training: false, generator: &unused))
    return try Tensor(shape: [features.shape[0], features.shape[1], vocabulary], values: output.values)
  }

  /// Recurrent mode, one token per sequence (`B` tokens): ``prefill(_:state:)`` of a chunk of
  /// one, the next-token logits `B × V`.
  public func step(_ tokens: [Int], state: inout State) throws -> Tensor {
    let logits = try prefill(tokens.map { [$0] }, state: &state)
    return try Tensor(shape: [tokens.count, vocabulary], values: logits.values)
  }

  /// Parallel-mode logits without dropout or gradients: `B × L × V`.
  public func forward(_ tokens: [[Int]]) throws -> Tensor {
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    let logits = tape.value(try self.logits(tokens, on: tape, training: false, generator: &unused))
    return try Tensor(shape: [tokens.count, tokens.first?.count ?? 0, vocabulary], values: logits.values)
  }

  /// The common length of a non-empty batch of non-empty token rows.
  /// - Throws: `AutodiffError/shapeMismatch(_:)` otherwise.
  public static func chunkLength(of tokens: [[Int]]) throws -> Int {
    guard let length = tokens.first?.count, length > 0, tokens.allSatisfy({ $0.count == length }) else {
      throw AutodiffError.shapeMismatch("a batch needs at least one sequence, all of one non-zero length")
    }
    return length
  }

  /// Checks that `tokens` has one entry per sequence of `batch`, each in `0 ..< vocabulary`.
  public func validateStep(_ tokens: [Int], batch: Int) throws {
    guard tokens.count == batch else {
      throw AutodiffError.shapeMismatch("\(tokens.count) tokens for a state of \(batch) sequences")
    }
    for token in tokens where !(0..<vocabulary).contains(token) {
      throw AutodiffError.invalidArgument("token \(token) outside 0..<\(vocabulary)")
    }
  }
}
