import Autodiff
import Parallelism

/// Decode-time attention: one query per (sequence, head) pair over that pair's `count` stored
/// keys and values, read in place (a KV cache's layout):
///
///     s_j = ⟨q, k_j⟩/√d,   o = Σ_j e^{s_j − max s} v_j / Σ_j e^{s_j − max s},   j < count.
///
/// - Parameters:
///   - query: `P × d` (pair `p = b·heads + h`).
///   - keys: `P × capacity × d`, each pair's block in tiles of 32 positions: component `c`
///     of key `j` at `(⌊j/32⌋·d + c)·32 + j mod 32`, so the scores of a tile are eight-lane
///     multiply–adds read in one sequential pass (`capacity` a multiple of 32).
///   - values: `P × capacity × d`, row `j` of a pair's block holding `v_j`.
///   - pairs: `P`.
///   - count: stored positions, `1 … capacity`.
///   - capacity: rows reserved per pair.
///   - headWidth: `d`.
/// - Returns: `o`, `P × d`.
///
/// Each pair's cache is read once: scores, softmax and weighted sum are fused by the online
/// softmax (the recurrence is stated on the caller-owned-memory variant).
public func singleQueryAttention(
  query: [Float], keys: [Float], values: [Float], pairs: Int, count: Int, capacity: Int, headWidth: Int
) -> [Float] {
  precondition(
    query.count == pairs * headWidth && keys.count >= pairs * capacity * headWidth && values.count == keys.count)
  var output = [Float](repeating: 0, count: query.count)
  output.withUnsafeMutableBufferPointer { output in
    singleQueryAttention(
      query: query, keys: keys, values: values, pairs: pairs, count: count, capacity: capacity,
      headWidth: headWidth, into: output.baseAddress!)
  }
  return output
}

/// ``singleQueryAttention(query:keys:values:pairs:count:capacity:headWidth:)`` on caller-owned
/// memory, without allocating on the heap: the same layouts, `o` written to `output` (`P × d`).
///
/// One pass over each pair's cache, one tile of 32 positions at a time, with the online
/// softmax: after the tiles up to `J` it holds the running maximum `m_J = max_{j<J} s_j`, the
/// running sum `ℓ_J = Σ_{j<J} e^{s_j − m_J}` and the unnormalised output
/// `a_J = Σ_{j<J} e^{s_j − m_J} v_j` (in `output`); a tile `B` updates them by
///
///     m' = max(m, max_{j∈B} s_j),   ℓ' = e^{m − m'} ℓ + Σ_{j∈B} e^{s_j − m'},
///     a' = e^{m − m'} a + Σ_{j∈B} e^{s_j − m'} v_j,
///
/// and `o = a/ℓ` at the end. Every exponent is `≤ 0`, so large scores cannot overflow; the
/// rescale `e^{m − m'}` is 1 unless the maximum grew. Scores run on four `SIMD8<Float>`
/// registers over a tile's 32 positions (each broadcast `q_c` meets 32 contiguous key
/// components), the weighted sum over the head width (32 columns in four registers, then eight
/// at a time), `exp` is ``VectorMath``'s (inlined). Pairs run in parallel once each chunk of them
/// reads at least 2¹⁸ key components (8192 positions at `d = 32`): on shorter caches waking a
/// second thread costs more than it saves.
package func singleQueryAttention(
  query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, pairs: Int, count: Int,
  capacity: Int, headWidth: Int, into output: UnsafeMutablePointer<Float>
) {
  precondition(
    count >= 1 && count <= capacity && capacity.isMultiple(of: attentionBlock),
    "attention over \(count) of \(capacity) positions")
  let shared = (
    q: SharedPointer(UnsafeMutablePointer(mutating: query)), k: SharedPointer(UnsafeMutablePointer(mutating: keys)),
    v: SharedPointer(UnsafeMutablePointer(mutating: values)), o: SharedPointer(output)
  )
  forEachChunk(of: pairs, minimumChunk: max(1, 262_144 / (count * headWidth))) { range in
    withUnsafeTemporaryAllocation(of: Float.self, capacity: attentionBlock) { weights in
      for pair in range {
        let block = pair * capacity * headWidth
        attendOne(
          query: shared.q.base + pair * headWidth, keys: shared.k.base + block, values: shared.v.base + block,
          count: count, width: headWidth, weights: weights.baseAddress!, output: shared.o.base + pair * headWidth)
      }
    }
  }
}

/// Positions per key tile and per step of the online softmax.
private let attentionBlock = 32

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func store(_ vector: SIMD8<Float>, to pointer: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<Float>.self)
}

/// One pair (`q`, keys and values of `d = width` per position, `o`): the online softmax over
/// tiles of up to 32 positions, `weights` a scratch of 32 values for a tile's scores and then
/// its `e^{s_j − m'}`.
@inline(__always)
private func attendOne(
  query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, count: Int, width: Int,
  weights: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
) {
  output.update(repeating: 0, count: width)
  var (runningMax, runningSum) = (-Float.infinity, Float(0))
  for first in stride(from: 0, to: count, by: attentionBlock) {
    attendTile(
      query: query, keys: keys, values: values, first: first, rows: min(attentionBlock, count - first), width: width,
      weights: weights, runningMax: &runningMax, runningSum: &runningSum, output: output)
  }
  let inverse = 1 / runningSum
  VectorMath.map(output, output, count: width) { $0 * inverse }
}

/// The online-softmax update of one query by the tile of `rows ≤ 32` positions from `first`:
/// `m`, `ℓ` (`runningMax`, `runningSum`) and the unnormalised `a` (`output`) as stated on
/// ``singleQueryAttention(query:keys:values:pairs:count:capacity:headWidth:into:)``. The positions
/// `first + l` whose bit `l` of `masked` is set are left out (weight 0); at least one of the
/// `rows` must not be.
@inline(__always)
private func attendTile(
  query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, first: Int, rows: Int,
  width: Int, masked: UInt32 = 0, weights: UnsafeMutablePointer<Float>, runningMax: inout Float,
  runningSum: inout Float, output: UnsafeMutablePointer<Float>
) {
  let scale = 1 / Float(width).squareRoot()
  let groups = (rows + 7) / 8
  // Tiles are whole within the capacity (a multiple of 32); lanes past `rows` get weight 0.
  scores(query: query, keys: keys + first * width, groups: groups, width: width, scale: scale, into: weights)
  if masked != 0 {
    for lane in 0..<rows where masked >> lane & 1 == 1 { weights[lane] = -.infinity }
  }
  let newMax = max(runningMax, VectorMath.maximum(weights, count: rows))
  // e^{m − m'}: exactly 1 when the maximum holds, ≈ 1e-38 (times a = 0, ℓ = 0) on the first tile.
  let rescale = newMax == runningMax ? 1 : VectorMath.exp(SIMD8(repeating: runningMax - newMax))[0]
  var total = SIMD8<Float>()
  for group in 0..<groups {
    var e = VectorMath.exp(load(weights + 8 * group) - newMax)
    // Only a last, partial group has lanes past `rows` (lane by lane: a masked `replacing` with
    // a scalar compiles to a loop through memory that cost a third of the kernel).
    for lane in min(8, rows - 8 * group)..<8 { e[lane] = 0 }
    if masked != 0 {
      for lane in 0..<8 where masked >> (8 * group + lane) & 1 == 1 { e[lane] = 0 }
    }
    store(e, to: weights + 8 * group)
    total += e
  }
  (runningMax, runningSum) = (newMax, rescale * runningSum + total.sum())
  accumulate(
    weights: weights, values: values + first * width, rows: rows, width: width, rescale: rescale, into: output)
}

/// Attention of a chunk of `C` queries per (sequence, head) pair, the queries of the last `C` of
/// `count` stored positions (the chunk's own entries, after the `P = count − C` positions read
/// before it), read in place. Query `i` sees every earlier position and the chunk entries `j`
/// that `visibility` allows, `S_i = {0, …, P − 1} ∪ {P + j : visibility[i·C + j]}`:
///
///     o_i = Σ_{j ∈ S_i} e^{s_ij − max s_i} v_j / Σ_{j ∈ S_i} e^{s_ij − max s_i},   s_ij = ⟨q_i, k_j⟩/√d.
///
/// Without `visibility` the chunk is causal, `S_i = {0, …, P + i}` (a prefill or a speculative
/// verification); with it, a tree of candidates (Medusa's verification: node `i` sees its
/// ancestors and itself). Each query runs the online softmax of
/// ``singleQueryAttention(query:keys:values:pairs:count:capacity:headWidth:into:)``, interleaved
/// block by block: every tile of 32 keys and values is loaded once and serves all the queries that
/// see it, so a verification of `C` tokens reads the cache once.
///
/// - Parameters:
///   - queries: `B × C × heads·d`; query `i` of pair `(b, h)` at `(b·C + i)·heads·d + h·d`.
///   - keys, values: the cache's blocks as for `singleQueryAttention`, pair `p = b·heads + h`.
///   - visibility: `C × C` (row `i`: the chunk entries query `i` sees; `visibility[i·C + i]` must
///     hold), or `nil` for causal.
///   - output: `o`, laid out as `queries`.
package func chunkAttention(
  queries: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, batch: Int, heads: Int,
  chunk: Int, count: Int, capacity: Int, headWidth: Int, visibility: UnsafePointer<Bool>? = nil,
  into output: UnsafeMutablePointer<Float>
) {
  precondition(
    chunk >= 1 && chunk <= count && count <= capacity && capacity.isMultiple(of: attentionBlock),
    "a chunk of \(chunk) over \(count) of \(capacity) positions")
  let shared = (
    q: SharedPointer(UnsafeMutablePointer(mutating: queries)), k: SharedPointer(UnsafeMutablePointer(mutating: keys)),
    v: SharedPointer(UnsafeMutablePointer(mutating: values)), o: SharedPointer(output),
    visibility: visibility.map { SharedPointer(UnsafeMutablePointer(mutating: $0)) }
  )
  let (rowWidth, prefix) = (heads * headWidth, count - chunk)
  // The chunk entries query `i` sees: entry `j` (position `prefix + j`) when `sees(i, j)`.
  let sees: @Sendable (Int, Int) -> Bool = { i, j in shared.visibility.map { $0.base[i * chunk + j] } ?? (j <= i) }
  let lastSeen = (0..<chunk).map { i in prefix + ((0..<chunk).last { sees(i, $0) } ?? i) }
  forEachChunk(of: batch * heads, minimumChunk: max(1, 262_144 / (chunk * count * headWidth))) { range in
    withUnsafeTemporaryAllocation(of: Float.self, capacity: attentionBlock + 2 * chunk) { scratch in
      let weights = scratch.baseAddress!
      let (maxima, sums) = (weights + attentionBlock, weights + attentionBlock + chunk)
      for pair in range {
        let (b, h) = (pair / heads, pair % heads)
        let block = pair * capacity * headWidth
        let row = { (i: Int) in (b * chunk + i) * rowWidth + h * headWidth }
        for i in 0..<chunk {
          (shared.o.base + row(i)).update(repeating: 0, count: headWidth)
          (maxima[i], sums[i]) = (-Float.infinity, 0)
        }
        for first in stride(from: 0, to: count, by: attentionBlock) {
          for i in 0..<chunk where first <= lastSeen[i] {
            let rows = min(attentionBlock, lastSeen[i] + 1 - first)
            var masked: UInt32 = 0
            for lane in min(rows, max(0, prefix - first))..<rows where !sees(i, first + lane - prefix) {
              masked |= 1 << UInt32(lane)
            }
            guard masked.nonzeroBitCount < rows else { continue }
            attendTile(
              query: shared.q.base + row(i), keys: shared.k.base + block, values: shared.v.base + block,
              first: first, rows: rows, width: headWidth, masked: masked, weights: weights,
              runningMax: &maxima[i], runningSum: &sums[i], output: shared.o.base + row(i))
          }
        }
        for i in 0..<chunk {
          let (o, inverse) = (shared.o.base + row(i), 1 / sums[i])
          VectorMath.map(o, o, count: headWidth) { $0 * inverse }
        }
      }
    }
  }
}

/// `s = ⟨q, k_j⟩·scale` for the first `8·groups` positions (`groups ≤ 4` groups of eight) of
/// one key tile (`d = width` components of 32 positions each, component-major) into `scores`;
/// a whole tile is read front to back, its four groups sharing each broadcast of `q_c`.
@inline(__always)
private func scores(
  query: UnsafePointer<Float>, keys: UnsafePointer<Float>, groups: Int, width: Int, scale: Float,
  into scores: UnsafeMutablePointer<Float>
) {
  if groups == 4 {
    var (s0, s1, s2, s3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    var key = keys
    for c in 0..<width {
      let q = SIMD8<Float>(repeating: query[c])
      s0 += q * load(key)
      s1 += q * load(key + 8)
      s2 += q * load(key + 16)
      s3 += q * load(key + 24)
      key += attentionBlock
    }
    // Four stores, not a loop over an array literal, which may allocate.
    store(s0 * scale, to: scores)
    store(s1 * scale, to: scores + 8)
    store(s2 * scale, to: scores + 16)
    store(s3 * scale, to: scores + 24)
    return
  }
  for group in 0..<groups {
    var sum = SIMD8<Float>()
    var key = keys + 8 * group
    for c in 0..<width {
      sum += SIMD8(repeating: query[c]) * load(key)
      key += attentionBlock
    }
    store(sum * scale, to: scores + 8 * group)
  }
}

/// `a ← rescale·a + Σ_{j<rows} w_j v_j` over the `d = width` columns of `output` (`a`), `v_j`
/// row `j` of `values`: 32 columns at a time in four registers, then eight (or fewer) at a time.
@inline(__always)
private func accumulate(
  weights: UnsafePointer<Float>, values: UnsafePointer<Float>, rows: Int, width: Int, rescale: Float,
  into output: UnsafeMutablePointer<Float>
) {
  var column = 0
  while column + 32 <= width {
    let a = output + column
    var (a0, a1, a2, a3) = (load(a) * rescale, load(a + 8) * rescale, load(a + 16) * rescale, load(a + 24) * rescale)
    var v = values + column
    for row in 0..<rows {
      let w = SIMD8<Float>(repeating: weights[row])
      a0 += w * load(v)
      a1 += w * load(v + 8)
      a2 += w * load(v + 16)
      a3 += w * load(v + 24)
      v += width
    }
    store(a0, to: a)
    store(a1, to: a + 8)
    store(a2, to: a + 16)
    store(a3, to: a + 24)
    column += 32
  }
  while column < width {
    let lanes = min(8, width - column)
    var sum = VectorMath.load(output + column, lanes: lanes) * rescale
    for row in 0..<rows { sum += weights[row] * VectorMath.load(values + row * width + column, lanes: lanes) }
    VectorMath.store(sum, to: output + column, lanes: lanes)
    column += 8
  }
}
