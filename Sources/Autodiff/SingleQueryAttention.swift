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
  query.withUnsafeBufferPointer { q in
    keys.withUnsafeBufferPointer { k in
      values.withUnsafeBufferPointer { v in
        output.withUnsafeMutableBufferPointer { o in
          let shared = (
            q: SharedPointer(UnsafeMutablePointer(mutating: q.baseAddress!)),
            k: SharedPointer(UnsafeMutablePointer(mutating: k.baseAddress!)),
            v: SharedPointer(UnsafeMutablePointer(mutating: v.baseAddress!)), o: SharedPointer(o.baseAddress!)
          )
          forEachChunk(of: pairs, minimumChunk: max(1, 65_536 / (count * headWidth))) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: (count + 7) / 8 * 8) { scores in
              for pair in range {
                let block = pair * capacity * headWidth
                attendOne(
                  query: shared.q.base + pair * headWidth, keys: shared.k.base + block, values: shared.v.base + block,
                  count: count, width: headWidth, scores: scores.baseAddress!, output: shared.o.base + pair * headWidth)
              }
            }
          }
        }
      }
    }
  }
  return output
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
  // Eight positions per tile: s[8t + lane] = Σ_c q_c · tile[c][lane].
  for tile in 0..<((count + 7) / 8) {
    let base = keys + tile * width * 8
    var sum = SIMD8<Float>()
    for c in 0..<width { sum += SIMD8(repeating: query[c]) * load(base + c * 8) }
    UnsafeMutableRawPointer(scores + tile * 8).storeBytes(of: sum * scale, as: SIMD8<Float>.self)
  }
  softmaxRow(scores, valid: count, stored: count)
  // o = Σ_j p_j v_j, 32 columns at a time in four registers.
  guard width.isMultiple(of: 8) else {
    for c in 0..<width { output[c] = 0 }
    for j in 0..<count {
      for c in 0..<width { output[c] += scores[j] * values[j * width + c] }
    }
    return
  }
  for first in stride(from: 0, to: width, by: 32) {
    let lanes = min(32, width - first) / 8
    var (a0, a1, a2, a3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    for j in 0..<count {
      let (w, row) = (SIMD8<Float>(repeating: scores[j]), values + j * width + first)
      a0 += w * load(row)
      if lanes > 1 { a1 += w * load(row + 8) }
      if lanes > 2 { a2 += w * load(row + 16) }
      if lanes > 3 { a3 += w * load(row + 24) }
    }
    for (index, accumulator) in [a0, a1, a2, a3].prefix(lanes).enumerated() {
      UnsafeMutableRawPointer(output + first + 8 * index).storeBytes(of: accumulator, as: SIMD8<Float>.self)
    }
  }
}
