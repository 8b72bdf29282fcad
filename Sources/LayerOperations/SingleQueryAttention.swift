import Autodiff
import Parallelism

/// Decode-time attention: one query per (sequence, head) pair over that pair's `count` stored
/// keys and values, read in place (a KV cache's layout):
///
///     s_j = ⟨q, k_j⟩/√d,   o = Σ_j e^{s_j − max s} v_j / Σ_j e^{s_j − max s},   j < count.
///
/// - Parameters:
///   - query: `P × d` (pair `p = b·heads + h`).
///   - keys: `P × capacity × d`, each pair's block in tiles of eight positions: component `c`
///     of key `j` at `(⌊j/8⌋·d + c)·8 + j mod 8`, so the scores of eight positions are eight-lane
///     multiply–adds (`capacity` a multiple of 8).
///   - values: `P × capacity × d`, row `j` of a pair's block holding `v_j`.
///   - pairs: `P`.
///   - count: stored positions, `1 … capacity`.
///   - capacity: rows reserved per pair.
///   - headWidth: `d`.
/// - Returns: `o`, `P × d`.
///
/// Pairs run in parallel when the cache is long; the inner loops run on `SIMD8<Float>` lanes
/// (positions for the scores, the head width for the weighted sum, kept in registers) and use
/// the vectorised `exp`.
public func singleQueryAttention(
  query: [Float], keys: [Float], values: [Float], pairs: Int, count: Int, capacity: Int, headWidth: Int
) -> [Float] {
  precondition(
    count >= 1 && count <= capacity && capacity.isMultiple(of: 8), "attention over \(count) of \(capacity) positions")
  precondition(
    query.count == pairs * headWidth && keys.count >= pairs * capacity * headWidth && values.count == keys.count)
  var output = [Float](repeating: 0, count: query.count)
  var scores = [Float](repeating: 0, count: pairs * capacity)
  output.withUnsafeMutableBufferPointer { output in
    scores.withUnsafeMutableBufferPointer { scores in
      singleQueryAttention(
        query: query, keys: keys, values: values, pairs: pairs, count: count, capacity: capacity,
        headWidth: headWidth, scores: scores.baseAddress!, into: output.baseAddress!)
    }
  }
  return output
}

/// ``singleQueryAttention(query:keys:values:pairs:count:capacity:headWidth:)`` on caller-owned
/// memory, without allocating: the same layouts, `scores` a scratch of `P × capacity` values
/// (pair `p` uses row `p`), `o` written to `output` (`P × d`).
package func singleQueryAttention(
  query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, pairs: Int, count: Int,
  capacity: Int, headWidth: Int, scores: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>
) {
  let shared = (
    q: SharedPointer(UnsafeMutablePointer(mutating: query)), k: SharedPointer(UnsafeMutablePointer(mutating: keys)),
    v: SharedPointer(UnsafeMutablePointer(mutating: values)), s: SharedPointer(scores), o: SharedPointer(output)
  )
  forEachChunk(of: pairs, minimumChunk: max(1, 65_536 / (count * headWidth))) { range in
    for pair in range {
      let block = pair * capacity * headWidth
      attendOne(
        query: shared.q.base + pair * headWidth, keys: shared.k.base + block, values: shared.v.base + block,
        count: count, width: headWidth, scores: shared.s.base + pair * capacity,
        output: shared.o.base + pair * headWidth)
    }
  }
}

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

/// One pair: scores, softmax, weighted sum of values.
private func attendOne(
  query: UnsafeMutablePointer<Float>, keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>,
  count: Int, width: Int, scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
) {
  let scale = 1 / Float(width).squareRoot()
  // Eight positions per tile: s[8t + lane] = Σ_c q_c · tile[c][lane]; four tiles share each
  // broadcast of q_c.
  let tiles = (count + 7) / 8
  var tile = 0
  while tile + 4 <= tiles {
    let base = keys + tile * width * 8
    var (s0, s1, s2, s3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    for c in 0..<width {
      let q = SIMD8<Float>(repeating: query[c])
      s0 += q * load(base + c * 8)
      s1 += q * load(base + (width + c) * 8)
      s2 += q * load(base + (2 * width + c) * 8)
      s3 += q * load(base + (3 * width + c) * 8)
    }
    for (index, sum) in [s0, s1, s2, s3].enumerated() {
      UnsafeMutableRawPointer(scores + (tile + index) * 8).storeBytes(of: sum * scale, as: SIMD8<Float>.self)
    }
    tile += 4
  }
  while tile < tiles {
    let base = keys + tile * width * 8
    var sum = SIMD8<Float>()
    for c in 0..<width { sum += SIMD8(repeating: query[c]) * load(base + c * 8) }
    UnsafeMutableRawPointer(scores + tile * 8).storeBytes(of: sum * scale, as: SIMD8<Float>.self)
    tile += 1
  }
  softmaxRow(scores, valid: count, stored: count)
  // o = Σ_j p_j v_j, 32 columns at a time in four registers, then 8 at a time.
  guard width.isMultiple(of: 8) else {
    for c in 0..<width { output[c] = 0 }
    for j in 0..<count {
      for c in 0..<width { output[c] += scores[j] * values[j * width + c] }
    }
    return
  }
  var first = 0
  while first + 32 <= width {
    var (a0, a1, a2, a3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    for j in 0..<count {
      let (w, row) = (SIMD8<Float>(repeating: scores[j]), values + j * width + first)
      a0 += w * load(row)
      a1 += w * load(row + 8)
      a2 += w * load(row + 16)
      a3 += w * load(row + 24)
    }
    for (index, accumulator) in [a0, a1, a2, a3].enumerated() {
      UnsafeMutableRawPointer(output + first + 8 * index).storeBytes(of: accumulator, as: SIMD8<Float>.self)
    }
    first += 32
  }
  while first < width {
    var accumulator = SIMD8<Float>()
    for j in 0..<count { accumulator += SIMD8<Float>(repeating: scores[j]) * load(values + j * width + first) }
    UnsafeMutableRawPointer(output + first).storeBytes(of: accumulator, as: SIMD8<Float>.self)
    first += 8
  }
}
