import Autodiff
import LayerOperations

/// Preallocated activations of ``TransformerModel``'s tape-free path for `R` rows (`B` sequences
/// × `C` tokens, row `b·C + i`): the residual stream `x`, the normalised `h`, the query, key and
/// value projections, the attention output and a residual branch (`R × D` each), the MLP's
/// hidden layer (`R × F`), the logits (`R × V`) and each row's rotary angles (`R × d/2` cosines
/// and sines, with the frequencies `θ_i`).
///
/// A ``TransformerModel/State`` holds its buffers by reference; a state that shares them with a
/// copy (a checkpoint for speculative decoding, a beam) takes fresh ones before it steps, so copies
/// never write into each other's activations (the caches themselves are copied on write).
final class TransformerStepBuffers {
  /// Rows the buffers hold.
  let rows: Int
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

  init(rows: Int, width: Int, heads: Int, hidden: Int, vocabulary: Int) {
    self.rows = rows
    let half = width / heads / 2
    let sizes = [Int](repeating: rows * width, count: 7) + [rows * hidden, rows * vocabulary, rows * half, rows * half]
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
  /// Whether short chunks take ``tapeFreeChunk(_:state:)``: token models (a feature model's
  /// chunks go through the tape).
  var hasTapeFreeStep: Bool { encoder.table != nil }

  /// The logits (`B × C × V`) of `C` tokens per sequence at positions `p … p + C − 1`, computed as
  /// ``tapePrefill(_:state:)`` computes them but without a tape, on the state's preallocated
  /// ``TransformerStepBuffers`` (`C = 1` is a decoding step, a few tokens a speculative
  /// verification). The embedding row (plus the learned or sinusoidal position `p + i`), then per
  /// block, on each row `b·C + i` of `B·C × D`:
  ///
  ///     h = LayerNorm(x),  q = R_{p+i}(h W_q + b_q),  k = R_{p+i}(h W_k + b_k),  v = h W_v + b_v,
  ///     append the chunk's k, v to the block's cache (positions 0 … p + C − 1),
  ///     x ← x + Attention(q; cache) W_o + b_o   (per head: softmax_j(⟨q, k_j⟩/√d) over j ≤ p + i, Σ_j · v_j),
  ///     x ← x + GELU(LayerNorm(x) W₁ + b₁) W₂ + b₂,
  ///
  /// (`R_t` the rotary turn with rotary positions, the identity otherwise), then
  /// `logits = LayerNorm_f(x) W_o + b_o` (or `LayerNorm_f(x) Eᵀ` with tied embeddings).
  /// Parameters are read at every step (a model being trained decodes with its current weights).
  /// - Throws: a ragged or empty chunk, tokens outside the vocabulary, a batch other than the
  ///   state's, or positions beyond a learned position table.
  func tapeFreeChunk(_ tokens: [[Int]], state: inout State) throws -> Tensor {
    let chunk = try Self.chunkLength(of: tokens)
    let buffers = try tapeFreePass(tokens, offsets: Array(0..<chunk), visibility: nil, state: &state)
    return try Tensor(
      shape: [state.batch, chunk, vocabulary],
      values: Array(UnsafeBufferPointer(start: buffers.logits, count: state.batch * chunk * vocabulary)))
  }

  /// ``tapeFreeChunk(_:state:)`` for one sequence with the last hidden states: the logits
  /// (`1 × C × V`) and `h = LayerNorm_f(x)` (`1 × C × D`).
  func tapeFreeChunkWithHiddenStates(_ tokens: [Int], state: inout State) throws -> (logits: Tensor, hidden: Tensor) {
    let buffers = try tapeFreePass([tokens], offsets: Array(tokens.indices), visibility: nil, state: &state)
    let (count, width) = (tokens.count, configuration.width)
    return (
      try Tensor(
        shape: [1, count, vocabulary],
        values: Array(UnsafeBufferPointer(start: buffers.logits, count: count * vocabulary))),
      try Tensor(shape: [1, count, width], values: Array(UnsafeBufferPointer(start: buffers.h, count: count * width)))
    )
  }

  /// A tree of `N` candidate tokens read in one pass after the `p` tokens of `state` (one
  /// sequence), as ``tapeFreeChunk(_:state:)`` reads a chunk but with node `i` at position
  /// `p + depth(i)` attending to the `p` read positions, its ancestors and itself (Medusa's tree
  /// attention mask; `parents[i] < i`, `-1` for a node that follows the read tokens directly). Every
  /// node's key and value are appended to the caches (entries `p … p + N − 1`, in node order;
  /// ``State/keep(_:from:)`` keeps a path's). Returns the logits (`N × V`) and last hidden states
  /// (`N × D`) of every node.
  func tapeFreeTree(_ tokens: [Int], parents: [Int], state: inout State) throws -> (logits: Tensor, hidden: Tensor) {
    let nodes = tokens.count
    var (depths, visibility) = ([Int](), [Bool](repeating: false, count: nodes * nodes))
    for node in 0..<nodes {
      depths.append(parents[node] < 0 ? 0 : depths[parents[node]] + 1)
      var ancestor = node
      while ancestor >= 0 {
        visibility[node * nodes + ancestor] = true
        ancestor = parents[ancestor]
      }
    }
    let buffers = try tapeFreePass([tokens], offsets: depths, visibility: visibility, state: &state)
    let width = configuration.width
    return (
      try Tensor(
        shape: [nodes, vocabulary], values: Array(UnsafeBufferPointer(start: buffers.logits, count: nodes * vocabulary))
      ),
      try Tensor(shape: [nodes, width], values: Array(UnsafeBufferPointer(start: buffers.h, count: nodes * width)))
    )
  }

  /// The tape-free pass over `C` tokens per sequence (`B × C`): chunk entry `i` at position
  /// `p + offsets[i]`, attending to the `p` read positions and the chunk entries `visibility` allows
  /// (`C × C`, causal when `nil`; see ``chunkAttention``); the caches grow by `C` and the state's
  /// position by `C`. Leaves the logits (`B·C × V`) in `buffers.logits` and `LayerNorm_f(x)` in
  /// `buffers.h`, and returns the buffers.
  private func tapeFreePass(_ tokens: [[Int]], offsets: [Int], visibility: [Bool]?, state: inout State) throws
    -> TransformerStepBuffers
  {
    let chunk = try Self.chunkLength(of: tokens)
    for i in 0..<chunk { try validateStep(tokens.map { $0[i] }, batch: state.batch) }
    let position = state.position
    if let limit = contextLimit, position + (offsets.max() ?? 0) + 1 > limit {
      throw AutodiffError.invalidArgument(
        "position \(position + (offsets.max() ?? 0)) beyond the learned context of \(limit)")
    }
    guard let table = encoder.table else { throw AutodiffError.invalidArgument("a token model steps tokens") }
    let c = configuration
    let (width, hidden, rows) = (c.width, c.mlpHidden ?? c.mlpRatio * c.width, state.batch * chunk)
    if state.stepBuffers == nil || !isKnownUniquelyReferenced(&state.stepBuffers!)
      || state.stepBuffers!.rows < rows
    {
      state.stepBuffers = TransformerStepBuffers(
        rows: rows, width: width, heads: c.heads, hidden: hidden, vocabulary: c.vocabulary)
    }
    let buffers = state.stepBuffers!
    let half = buffers.frequencies.count
    table.gatherRows(tokens.joined(), into: buffers.x)
    for row in 0..<rows {
      let rowPosition = position + offsets[row % chunk]
      switch c.positions {
      case .learned:
        positionTable!.value.values.withUnsafeBufferPointer { table in
          let entry = table.baseAddress! + rowPosition * width
          for j in 0..<width { buffers.x[row * width + j] += entry[j] }
        }
      case .sinusoidal:
        PositionEncoding.addSinusoid(position: rowPosition, width: width, to: buffers.x + row * width)
      case .rotary:
        RotaryKernels.angles(
          position: rowPosition, frequencies: buffers.frequencies, half: half, cosines: buffers.cosines + row * half,
          sines: buffers.sines + row * half)
      }
    }
    for (index, block) in blocks.enumerated() {
      step(
        block, cache: &state.caches[index], buffers: buffers, rows: rows, chunk: chunk, hidden: hidden,
        visibility: visibility)
    }
    state.advance(by: chunk)
    if let decoder {
      finalNorm.readOut(buffers.x, rows: rows, decoder: decoder, normalized: buffers.h, into: buffers.logits)
    } else {
      finalNorm.apply(buffers.x, rows: rows, into: buffers.h)
      table.value.values.withUnsafeBufferPointer { embedding in
        RowKernels.productWithTranspose(
          buffers.h, rows: rows, table: embedding.baseAddress!, tableRows: c.vocabulary, width: width,
          into: buffers.logits)
      }
    }
    return buffers
  }

  /// One block on the residual stream `buffers.x` (`rows` = `B·C` rows), reading and extending
  /// `cache` by `chunk` positions, each row's attention restricted by `visibility` (see
  /// ``tapeFreePass(_:offsets:visibility:state:)``).
  private func step(
    _ block: TransformerBlock, cache: inout KVCache, buffers: TransformerStepBuffers, rows: Int, chunk: Int,
    hidden: Int, visibility: [Bool]?
  ) {
    let width = configuration.width
    block.attentionNorm.apply(buffers.x, rows: rows, into: buffers.h)
    block.query.apply(buffers.h, rows: rows, into: buffers.query)
    block.key.apply(buffers.h, rows: rows, into: buffers.key)
    block.value.apply(buffers.h, rows: rows, into: buffers.value)
    if block.rotary {
      let half = buffers.frequencies.count
      for row in 0..<rows {
        let (cosines, sines, offset) = (buffers.cosines + row * half, buffers.sines + row * half, row * width)
        RotaryKernels.rotate(
          buffers.query + offset, heads: block.heads, half: half, cosines: cosines, sines: sines, sign: 1,
          into: buffers.query + offset)
        RotaryKernels.rotate(
          buffers.key + offset, heads: block.heads, half: half, cosines: cosines, sines: sines, sign: 1,
          into: buffers.key + offset)
      }
    }
    cache.append(keys: buffers.key, values: buffers.value, positions: chunk)
    if chunk == 1 {
      cache.attend(buffers.query, into: buffers.attended)
    } else if let visibility {
      visibility.withUnsafeBufferPointer {
        cache.attendChunk(buffers.query, chunk: chunk, visibility: $0.baseAddress!, into: buffers.attended)
      }
    } else {
      cache.attendChunk(buffers.query, chunk: chunk, visibility: nil, into: buffers.attended)
    }
    block.attentionOutput.apply(buffers.attended, rows: rows, into: buffers.branch)
    for index in 0..<(rows * width) { buffers.x[index] += buffers.branch[index] }
    block.mlpNorm.apply(buffers.x, rows: rows, into: buffers.h)
    block.expand.apply(buffers.h, rows: rows, into: buffers.hidden)
    RowKernels.gelu(buffers.hidden, count: rows * hidden)
    block.contract.apply(buffers.hidden, rows: rows, into: buffers.branch)
    for index in 0..<(rows * width) { buffers.x[index] += buffers.branch[index] }
  }
}
