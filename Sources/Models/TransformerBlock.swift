import Autodiff
import LayerOperations
import SeededRandom

/// A pre-norm GPT block on `x` (`B × L × D`):
///
///     a = x + dropout(W_o · CausalMultiHeadAttention(W_q h, W_k h, W_v h)),   h = LayerNorm(x)
///     y = a + dropout(W₂ · GELU(W₁ · LayerNorm(a)))
///
/// with `W₁`: `D → F` and `W₂`: `F → D` (`F` the MLP hidden width). With rotary positions, queries
/// and keys are rotated by their position before attention.
public struct TransformerBlock: Module {
  /// The normalisation before attention.
  public let attentionNorm: LayerNorm
  /// `W_q`, `D → D`.
  public let query: Linear
  /// `W_k`, `D → D`.
  public let key: Linear
  /// `W_v`, `D → D`.
  public let value: Linear
  /// `W_o`, `D → D`.
  public let attentionOutput: Linear
  /// The normalisation before the MLP.
  public let mlpNorm: LayerNorm
  /// `W₁`, `D → F`.
  public let expand: Linear
  /// `W₂`, `F → D`.
  public let contract: Linear
  /// Attention heads (dividing `D`).
  public let heads: Int
  /// Whether queries and keys are rotated by position (RoPE).
  public let rotary: Bool
  /// Dropout probability on both residual branches (training only).
  public let dropout: Float

  /// A seeded block named `name.*`.
  public init(
    name: String, width: Int, heads: Int, mlpHidden: Int, rotary: Bool, dropout: Float,
    generator: inout SeededGenerator
  ) {
    attentionNorm = LayerNorm(name: "\(name).attention.norm", width: width)
    query = Linear(name: "\(name).attention.query", inputs: width, outputs: width, generator: &generator)
    key = Linear(name: "\(name).attention.key", inputs: width, outputs: width, generator: &generator)
    value = Linear(name: "\(name).attention.value", inputs: width, outputs: width, generator: &generator)
    attentionOutput = Linear(name: "\(name).attention.output", inputs: width, outputs: width, generator: &generator)
    mlpNorm = LayerNorm(name: "\(name).mlp.norm", width: width)
    expand = Linear(name: "\(name).mlp.expand", inputs: width, outputs: mlpHidden, generator: &generator)
    contract = Linear(name: "\(name).mlp.contract", inputs: mlpHidden, outputs: width, generator: &generator)
    self.heads = heads
    self.rotary = rotary
    self.dropout = dropout
  }

  /// Parallel mode over whole sequences; `generator` draws the dropout masks when `training`.
  public func callAsFunction(_ x: Variable, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    try apply(x, on: tape, training: training, generator: &generator, position: 0) { q, k, v in
      try tape.causalAttention(query: q, key: k, value: v, heads: heads)
    }
  }

  /// Cached mode: the next `C` tokens of each sequence (`x`: `B × C × D`, the first at
  /// `cache.count`) are appended to `cache` and attend causally to it: up to
  /// ``KVCache/inPlaceChunk`` tokens read the cache in place (``KVCache/attendCausally(_:chunk:)``),
  /// a longer chunk attends through the same operation as the parallel mode.
  public func callAsFunction(_ x: Variable, on tape: Tape, cache: inout KVCache) throws -> Variable {
    var unused = SeededGenerator(seed: 0)
    return try apply(x, on: tape, training: false, generator: &unused, position: cache.count) { q, k, v in
      try cache.append(keys: tape.value(k), values: tape.value(v))
      let queries = tape.value(q)
      guard queries.shape[1] > KVCache.inPlaceChunk else {
        return tape.constant(
          try Tensor(shape: queries.shape, values: cache.attendCausally(queries.values, chunk: queries.shape[1])))
      }
      let stored = try cache.contents()
      return try tape.causalAttention(
        query: q, key: tape.constant(stored.keys), value: tape.constant(stored.values), heads: heads)
    }
  }

  /// The block around a given attention: `attend(q, k, v)` maps the (rotated) projections of
  /// the tokens at positions `position ..< position + L` to the attention output.
  private func apply(
    _ x: Variable, on tape: Tape, training: Bool, generator: inout SeededGenerator, position: Int,
    attend: (Variable, Variable, Variable) throws -> Variable
  ) throws -> Variable {
    let h = try attentionNorm(x, on: tape)
    var (q, k) = (try query(h, on: tape), try key(h, on: tape))
    if rotary {
      q = try tape.rotaryEmbedding(q, heads: heads, offset: position)
      k = try tape.rotaryEmbedding(k, heads: heads, offset: position)
    }
    var attended = try attentionOutput(attend(q, k, try value(h, on: tape)), on: tape)
    if training, dropout > 0 { attended = try tape.dropout(attended, probability: dropout, generator: &generator) }
    let a = try tape.add(x, attended)
    var mlp = try contract(tape.gelu(expand(mlpNorm(a, on: tape), on: tape)), on: tape)
    if training, dropout > 0 { mlp = try tape.dropout(mlp, probability: dropout, generator: &generator) }
    return try tape.add(a, mlp)
  }
}
