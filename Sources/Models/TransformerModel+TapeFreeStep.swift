import Autodiff
import LayerOperations

/// Preallocated activations of ``TransformerModel``'s tape-free step for `B` sequences: the
/// residual stream `x`, the normalised `h`, the query, key and value projections, the attention
/// output and a residual branch (`B × D` each), the MLP's hidden layer (`B × F`), the logits
/// (`B × V`) and the rotary angles of the current position (`d/2` cosines and sines, with the
/// frequencies `θ_i`).
///
/// A ``TransformerModel/State`` holds its buffers by reference; a state that shares them with a
/// copy (a checkpoint for speculative decoding, a beam) takes fresh ones before it steps, so copies
/// never write into each other's activations (the caches themselves are copied on write).
final class TransformerStepBuffers {
  let x: UnsafeMutablePointer<Float>
  let h: UnsafeMutablePointer<Float>
  let query: UnsafeMutablePointer<Float>
  let key: UnsafeMutablePointer<Float>
  let value: UnsafeMutablePointer<Float>
  let attended: UnsafeMutablePointer<Float>
  let branch: UnsafeMutablePointer<Float>
  let hidden: UnsafeMutablePointer<Float>
  let logits: UnsafeMutablePointer<Float>
  let cosines: UnsafeMutablePointer<Float>
  let sines: UnsafeMutablePointer<Float>
  /// `θ_i = 10000^{−2i/d}`, `i < d/2`.
  let frequencies: [Double]
  private let storage: UnsafeMutablePointer<Float>

  init(batch: Int, width: Int, heads: Int, hidden: Int, vocabulary: Int) {
    let half = width / heads / 2
    let sizes = [Int](repeating: batch * width, count: 7) + [batch * hidden, batch * vocabulary, half, half]
    storage = .allocate(capacity: sizes.reduce(0, +))
    storage.initialize(repeating: 0, count: sizes.reduce(0, +))
    var next = storage
    let take = { (count: Int) -> UnsafeMutablePointer<Float> in
      defer { next += count }
      return next
    }
    (x, h, query, key, value, attended, branch) = (
      take(sizes[0]), take(sizes[1]), take(sizes[2]), take(sizes[3]), take(sizes[4]), take(sizes[5]),
      take(sizes[6])
    )
    (self.hidden, logits, cosines, sines) = (take(sizes[7]), take(sizes[8]), take(sizes[9]), take(sizes[10]))
    frequencies = RotaryKernels.frequencies(half: half, base: 10_000)
  }

  deinit {
    storage.deallocate()
  }
}

extension TransformerModel {
  /// Whether one-token steps take ``tapeFreeStep(_:state:)``: token models (a feature model's
  /// steps go through the tape).
  var hasTapeFreeStep: Bool { encoder.table != nil }

  /// The next-token logits (`B × 1 × V`) after one token per sequence at position `p`, computed as
  /// ``tapePrefill(_:state:)`` computes them but without a tape, on the state's preallocated
  /// ``TransformerStepBuffers``. The embedding row (plus the learned or sinusoidal position `p`),
  /// then per block, on each row of `B × D`:
  ///
  ///     h = LayerNorm(x),  q = R_p(h W_q + b_q),  k = R_p(h W_k + b_k),  v = h W_v + b_v,
  ///     append k, v to the block's cache (positions 0 … p),
  ///     x ← x + Attention(q; cache) W_o + b_o   (per head: softmax_j(⟨q, k_j⟩/√d) over j ≤ p, Σ_j · v_j),
  ///     x ← x + GELU(LayerNorm(x) W₁ + b₁) W₂ + b₂,
  ///
  /// (`R_p` the rotary turn with rotary positions, the identity otherwise), then
  /// `logits = LayerNorm_f(x) W_o + b_o` (or `LayerNorm_f(x) Eᵀ` with tied embeddings).
  /// Parameters are read at every step (a model being trained decodes with its current weights).
  /// - Throws: tokens outside the vocabulary or not one per sequence of the state, or a position
  ///   beyond a learned position table.
  func tapeFreeStep(_ tokens: [Int], state: inout State) throws -> Tensor {
    try validateStep(tokens, batch: state.batch)
    let position = state.position
    if let limit = contextLimit, position + 1 > limit {
      throw AutodiffError.invalidArgument("position \(position) beyond the learned context of \(limit)")
    }
    guard let table = encoder.table else { throw AutodiffError.invalidArgument("a token model steps tokens") }
    let c = configuration
    let (batch, width, hidden) = (state.batch, c.width, c.mlpHidden ?? c.mlpRatio * c.width)
    if state.stepBuffers == nil || !isKnownUniquelyReferenced(&state.stepBuffers!) {
      state.stepBuffers = TransformerStepBuffers(
        batch: batch, width: width, heads: c.heads, hidden: hidden, vocabulary: c.vocabulary)
    }
    let buffers = state.stepBuffers!
    table.value.values.withUnsafeBufferPointer { embedding in
      for (b, token) in tokens.enumerated() {
        (buffers.x + b * width).update(from: embedding.baseAddress! + token * width, count: width)
      }
    }
    switch c.positions {
    case .learned:
      positionTable!.value.values.withUnsafeBufferPointer { rows in
        let row = rows.baseAddress! + position * width
        for b in 0..<batch {
          for j in 0..<width { buffers.x[b * width + j] += row[j] }
        }
      }
    case .sinusoidal:
      for b in 0..<batch { PositionEncoding.addSinusoid(position: position, width: width, to: buffers.x + b * width) }
    case .rotary:
      RotaryKernels.angles(
        position: position, frequencies: buffers.frequencies, half: buffers.frequencies.count,
        cosines: buffers.cosines, sines: buffers.sines)
    }
    for (index, block) in blocks.enumerated() {
      step(block, cache: &state.caches[index], buffers: buffers, batch: batch, hidden: hidden)
    }
    state.advance(by: 1)
    finalNorm.apply(buffers.x, rows: batch, into: buffers.h)
    if let decoder {
      decoder.apply(buffers.h, rows: batch, into: buffers.logits)
    } else {
      table.value.values.withUnsafeBufferPointer { embedding in
        RowKernels.productWithTranspose(
          buffers.h, rows: batch, table: embedding.baseAddress!, tableRows: c.vocabulary, width: width,
          into: buffers.logits)
      }
    }
    return try Tensor(
      shape: [batch, 1, c.vocabulary],
      values: Array(UnsafeBufferPointer(start: buffers.logits, count: batch * c.vocabulary)))
  }

  /// One block on the residual stream `buffers.x`, reading and extending `cache` (see
  /// ``tapeFreeStep(_:state:)``).
  private func step(
    _ block: TransformerBlock, cache: inout KVCache, buffers: TransformerStepBuffers, batch: Int, hidden: Int
  ) {
    let width = configuration.width
    block.attentionNorm.apply(buffers.x, rows: batch, into: buffers.h)
    block.query.apply(buffers.h, rows: batch, into: buffers.query)
    block.key.apply(buffers.h, rows: batch, into: buffers.key)
    block.value.apply(buffers.h, rows: batch, into: buffers.value)
    if block.rotary {
      let half = buffers.frequencies.count
      for row in stride(from: 0, to: batch * width, by: width) {
        RotaryKernels.rotate(
          buffers.query + row, heads: block.heads, half: half, cosines: buffers.cosines, sines: buffers.sines,
          sign: 1, into: buffers.query + row)
        RotaryKernels.rotate(
          buffers.key + row, heads: block.heads, half: half, cosines: buffers.cosines, sines: buffers.sines, sign: 1,
          into: buffers.key + row)
      }
    }
    cache.append(keys: buffers.key, values: buffers.value, positions: 1)
    cache.attend(buffers.query, into: buffers.attended)
    block.attentionOutput.apply(buffers.attended, rows: batch, into: buffers.branch)
    for index in 0..<(batch * width) { buffers.x[index] += buffers.branch[index] }
    block.mlpNorm.apply(buffers.x, rows: batch, into: buffers.h)
    block.expand.apply(buffers.h, rows: batch, into: buffers.hidden)
    RowKernels.gelu(buffers.hidden, count: batch * hidden)
    block.contract.apply(buffers.hidden, rows: batch, into: buffers.branch)
    for index in 0..<(batch * width) { buffers.x[index] += buffers.branch[index] }
  }
}
