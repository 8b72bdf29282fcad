import Autodiff
import Foundation
import LayerOperations
import ModelTestSupport
import SeededRandom
import Testing

/// Causal attention written out directly in float64, one (batch entry, head, query) at a
/// time: the independent value the blocked sgemm kernel is checked against.
private func referenceAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int) -> [Double] {
  let (batch, lq, width, lk) = (q.shape[0], q.shape[1], q.shape[2], k.shape[1])
  let dh = width / heads
  var output = [Double](repeating: 0, count: q.count)
  for b in 0..<batch {
    for h in 0..<heads {
      for i in 0..<lq {
        let visible = i + lk - lq + 1
        let scores = (0..<visible).map { j in
          (0..<dh).reduce(0.0) { sum, c in
            sum + Double(q.values[(b * lq + i) * width + h * dh + c])
              * Double(k.values[(b * lk + j) * width + h * dh + c])
          } / Double(dh).squareRoot()
        }
        let top = scores.max()!
        let weights = scores.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        for c in 0..<dh {
          output[(b * lq + i) * width + h * dh + c] =
            (0..<visible).reduce(0.0) { $0 + weights[$1] * Double(v.values[(b * lk + $1) * width + h * dh + c]) }
            / total
        }
      }
    }
  }
  return output
}

@Suite("Causal attention and rotary embeddings")
struct AttentionTests {
  // Float32 sgemm and softmax against float64 loops: products of 16 terms of size ~1 round to
  // ~1e-6; 1e-5 absolute catches a wrong mask, scale or head split (errors of order 0.1).
  @Test(arguments: [(1, 5, 5, 1), (2, 7, 7, 2), (2, 70, 70, 2), (1, 3, 9, 2), (2, 66, 130, 4)])
  func matchesDirectLoops(batch: Int, queries: Int, keys: Int, heads: Int) throws {
    let width = 8 * heads
    let (q, k, v) = (
      randomTensor([batch, queries, width], seed: 1), randomTensor([batch, keys, width], seed: 2),
      randomTensor([batch, keys, width], seed: 3)
    )
    let tape = Tape()
    let output = try tape.causalAttention(
      query: tape.constant(q), key: tape.constant(k), value: tape.constant(v), heads: heads)
    let reference = referenceAttention(q, k, v, heads: heads)
    let error = zip(tape.value(output).values, reference).map { abs(Double($0) - $1) }.max()!
    #expect(error < 1e-5, "max error \(error)")
  }

  // Central differences (see `checkGradients`): the 70-query case crosses a 64-row block, the
  // 3-of-9 case attends to cached keys (queries at positions 6, 7, 8).
  @Test func gradients() throws {
    for (queries, keys, heads) in [(4, 4, 2), (70, 70, 1), (3, 9, 2)] {
      try checkGradients(
        [
          randomTensor([2, queries, 4 * heads], seed: 11), randomTensor([2, keys, 4 * heads], seed: 12),
          randomTensor([2, keys, 4 * heads], seed: 13),
        ], maximumChecks: 30
      ) { tape, x in try tape.causalAttention(query: x[0], key: x[1], value: x[2], heads: heads) }
    }
  }

  @Test func causality() throws {
    // Changing a later key or value leaves every earlier output unchanged.
    let (q, k, v) = (
      randomTensor([1, 6, 4], seed: 5), randomTensor([1, 6, 4], seed: 6), randomTensor([1, 6, 4], seed: 7)
    )
    var (k2, v2) = (k, v)
    for c in 0..<4 {
      k2.values[5 * 4 + c] += 3
      v2.values[5 * 4 + c] -= 2
    }
    let run = { (k: Tensor, v: Tensor) throws -> [Float] in
      let tape = Tape()
      return tape.value(
        try tape.causalAttention(query: tape.constant(q), key: tape.constant(k), value: tape.constant(v), heads: 2)
      ).values
    }
    let (before, after) = (try run(k, v), try run(k2, v2))
    #expect(before[..<20] == after[..<20])
    #expect(before[20...] != after[20...])
  }

  @Test func rotaryEmbedding() throws {
    try checkGradients([randomTensor([2, 5, 8], seed: 21)]) { try $0.rotaryEmbedding($1[0], heads: 2, offset: 3) }
    // Relative positions: ⟨R_p q, R_s k⟩ depends on p − s only (float32 rotations, 1e-4).
    let (q, k) = (randomTensor([1, 1, 8], seed: 22), randomTensor([1, 1, 8], seed: 23))
    let dot = { (p: Int, s: Int) throws -> Float in
      let tape = Tape()
      let a = tape.value(try tape.rotaryEmbedding(tape.constant(q), heads: 1, offset: p))
      let b = tape.value(try tape.rotaryEmbedding(tape.constant(k), heads: 1, offset: s))
      return zip(a.values, b.values).reduce(0) { $0 + $1.0 * $1.1 }
    }
    #expect(abs(try dot(7, 3) - dot(1004, 1000)) < 1e-4)
    #expect(abs(try dot(7, 3) - dot(3, 7)) > 1e-3)
    // Position 0 is the identity; positions advance with the offset.
    let tape = Tape()
    let x = randomTensor([1, 3, 4], seed: 24)
    #expect(tape.value(try tape.rotaryEmbedding(tape.constant(x), heads: 1)).values[..<4] == x.values[..<4])
    let shifted = tape.value(try tape.rotaryEmbedding(tape.constant(x), heads: 1, offset: 2))
    let whole = tape.value(
      try tape.rotaryEmbedding(
        tape.constant(Tensor(shape: [1, 5, 4], values: [Float](repeating: 0, count: 8) + x.values)), heads: 1))
    #expect(zip(shifted.values, whole.values[8...]).allSatisfy { abs($0 - $1) < 1e-6 })
  }

  // The decode kernel on its documented layout (keys tiled by 32 positions, values by row)
  // against the last query row of the reference: head widths 40 (one 32-column pass plus an
  // 8-column one), 32 and 12 (scalar weighted sum), 21 positions (a partial tile), capacity 32.
  @Test(arguments: [40, 32, 12])
  func singleQueryMatchesReference(headWidth: Int) throws {
    let (heads, count, capacity) = (2, 21, 32)
    let width = heads * headWidth
    let (q, k, v) = (
      randomTensor([1, count, width], seed: 31), randomTensor([1, count, width], seed: 32),
      randomTensor([1, count, width], seed: 33)
    )
    var (keys, values) = ([Float](repeating: 0, count: heads * capacity * headWidth), [Float]())
    values = keys
    for h in 0..<heads {
      for j in 0..<count {
        for c in 0..<headWidth {
          let block = h * capacity * headWidth
          keys[block + (j / 32 * headWidth + c) * 32 + j % 32] = k.values[j * width + h * headWidth + c]
          values[block + j * headWidth + c] = v.values[j * width + h * headWidth + c]
        }
      }
    }
    let lastQuery = Array(q.values[((count - 1) * width)...])
    let output = singleQueryAttention(
      query: lastQuery, keys: keys, values: values, pairs: heads, count: count, capacity: capacity,
      headWidth: headWidth)
    let reference = referenceAttention(q, k, v, heads: heads)[((count - 1) * width)...]
    let error = zip(output, reference).map { abs(Double($0) - $1) }.max()!
    #expect(error < 1e-5, "max error \(error)")
  }

  // The fused kernel (online softmax over tiles of 32 positions) against the softmax-weighted
  // sum written out directly in float64 from the same float32 inputs, on a cache laid out by
  // `fusedError`: counts 1 (a single partial tile), 31, 32 and 33 (around a tile), 300 (ten
  // tiles, the maximum changing between them); head widths 32 and 12 (the partial-lane path).
  // Inputs are standard normal (values scaled by ½), so scores are O(1) and each output is a
  // convex combination of values with |v| ≲ 2: float32 rounds the scores and each weight to a
  // few ulp (exp to 2 ulp) and accumulates ≤ 300 terms per lane, an error of order
  // √300·2⁻²⁴·2 ≈ 2e-6; 1e-5 leaves a margin while a wrong rescale or a lost block errs by ≥ 1e-3.
  @Test(arguments: [(1, 32), (31, 32), (32, 32), (33, 12), (300, 32), (300, 12)])
  func fusedMatchesFloat64(count: Int, headWidth: Int) {
    let (pairs, capacity, seed) = (3, (count + 31) / 32 * 32 + 32, UInt64(count * 100 + headWidth))
    let query = randomTensor([pairs * headWidth], seed: seed).values
    let keys = randomTensor([count * pairs * headWidth], seed: seed + 1).values
    let values = randomTensor([count * pairs * headWidth], seed: seed + 2, scale: 0.5).values
    let error = fusedError(query: query, keys: keys, values: values, pairs: pairs, count: count, capacity: capacity)
    #expect(error < 1e-5, "max error \(error)")
  }

  // Scores in the thousands (the query a multiple of one key: s_m ≈ 3000·|k_m|²/√d ≈ 17000,
  // the others ≈ ±3000), where e^s overflows float32 and float64: the output must be finite and
  // equal the float64 softmax, i.e. ≈ v_m. The dominant key sits in the last, partial block, so
  // earlier blocks are rescaled by e^{m − m'} ≈ 0; a second case puts it first. Tolerance 1e-5
  // as above (the weights are one-hot to far below float32 resolution).
  @Test(arguments: [70, 0])
  func fusedLargeScores(dominant: Int) {
    let (count, headWidth, capacity) = (71, 32, 96)
    let keys = randomTensor([count * headWidth], seed: 5).values
    let values = randomTensor([count * headWidth], seed: 6, scale: 0.5).values
    let query = keys[(dominant * headWidth)..<((dominant + 1) * headWidth)].map { 3000 * $0 }
    let error = fusedError(query: query, keys: keys, values: values, pairs: 1, count: count, capacity: capacity)
    #expect(error < 1e-5, "max error \(error)")
  }

  // The chunk kernel (a speculative verification: C queries of the last C positions, query i
  // seeing count − C + i + 1 of them) against the float64 causal softmax of every query: 2
  // sequences × 2 heads, d = 40 (a 32-column pass and an 8-column one), 75 positions (three tiles,
  // the last partial, so the queries stop in different tiles), C = 5 and C = 1. Tolerance 1e-5 as
  // the single-query kernel's: float32 sums of ~75 terms of size ~1 in another order.
  @Test(arguments: [5, 1])
  func chunkMatchesReference(chunk: Int) {
    let sees = (0..<(chunk * chunk)).map { $0 % chunk <= $0 / chunk }
    #expect(chunkError(chunk: chunk, visibility: nil, sees: sees) < 1e-5)
  }

  // The same kernel verifying a tree of C = 72 candidates after 3 read positions (Medusa): query
  // i sees the prefix, its ancestors and itself. Parents drawn at random (parent of i in 0 ..< i),
  // the last node's parent the root, so its query skips the whole tile of positions 32–63 (every
  // lane masked) and meets partly masked tiles elsewhere. Same reference and tolerance as above.
  @Test(arguments: [UInt64(1), 2])
  func treeChunkMatchesReference(seed: UInt64) {
    let chunk = 72
    var generator = SeededGenerator(seed: seed)
    var parents = [-1] + (1..<chunk).map { Int.random(in: 0..<$0, using: &generator) }
    parents[chunk - 1] = 0
    var sees = [Bool](repeating: false, count: chunk * chunk)
    for i in 0..<chunk {
      var node = i
      while node >= 0 {
        sees[i * chunk + node] = true
        node = parents[node]
      }
    }
    #expect(chunkError(chunk: chunk, visibility: sees, sees: sees) < 1e-5)
  }

  /// The largest difference between ``chunkAttention`` (with `visibility`, `nil` for causal) and
  /// the float64 softmax over each query's positions (the prefix and the chunk entries `j` with
  /// `sees[i·C + j]`) for 2 sequences × 2 heads, d = 40, 75 positions; infinite for a non-finite output.
  private func chunkError(chunk: Int, visibility: [Bool]?, sees: [Bool]) -> Double {
    let (batch, heads, headWidth, count, capacity) = (2, 2, 40, 75, 96)
    let width = heads * headWidth
    let queries = randomTensor([batch * chunk * width], seed: 41).values
    let keys = randomTensor([batch * count * width], seed: 42).values
    let values = randomTensor([batch * count * width], seed: 43, scale: 0.5).values
    var (tiledKeys, rowValues) = ([Float](repeating: 0, count: batch * heads * capacity * headWidth), [Float]())
    rowValues = tiledKeys
    for b in 0..<batch {
      for h in 0..<heads {
        let block = (b * heads + h) * capacity * headWidth
        for j in 0..<count {
          for c in 0..<headWidth {
            let source = (b * count + j) * width + h * headWidth + c
            tiledKeys[block + (j / 32 * headWidth + c) * 32 + j % 32] = keys[source]
            rowValues[block + j * headWidth + c] = values[source]
          }
        }
      }
    }
    var output = [Float](repeating: .nan, count: queries.count)
    queries.withUnsafeBufferPointer { q in
      output.withUnsafeMutableBufferPointer { o in
        chunkAttention(
          queries: q.baseAddress!, keys: tiledKeys, values: rowValues, batch: batch, heads: heads, chunk: chunk,
          count: count, capacity: capacity, headWidth: headWidth, visibility: visibility, into: o.baseAddress!)
      }
    }
    guard output.allSatisfy(\.isFinite) else { return .infinity }
    var error = 0.0
    for b in 0..<batch {
      for h in 0..<heads {
        for i in 0..<chunk {
          let row = (b * chunk + i) * width + h * headWidth
          let visible = (0..<count).filter { $0 < count - chunk || sees[i * chunk + $0 - (count - chunk)] }
          let scores = visible.map { j in
            (0..<headWidth).reduce(0.0) { sum, c in
              sum + Double(queries[row + c]) * Double(keys[(b * count + j) * width + h * headWidth + c])
            } / Double(headWidth).squareRoot()
          }
          let top = scores.max()!
          let weights = scores.map { Foundation.exp($0 - top) }
          let total = weights.reduce(0, +)
          for c in 0..<headWidth {
            let expected = zip(visible, weights).reduce(0.0) { sum, entry in
              sum + entry.1 / total * Double(values[(b * count + entry.0) * width + h * headWidth + c])
            }
            error = max(error, abs(Double(output[row + c]) - expected))
          }
        }
      }
    }
    return error
  }

  @Test func badShapes() {
    let tape = Tape()
    let a = tape.constant(Tensor(shape: [1, 4, 6]))
    let longer = tape.constant(Tensor(shape: [1, 5, 6]))
    #expect(throws: AutodiffError.self) { try tape.causalAttention(query: a, key: a, value: a, heads: 4) }
    #expect(throws: AutodiffError.self) { try tape.causalAttention(query: longer, key: a, value: a, heads: 2) }
    #expect(throws: AutodiffError.self) { try tape.rotaryEmbedding(a, heads: 2) }
  }
}

/// The largest difference between ``singleQueryAttention(query:keys:values:pairs:count:capacity:headWidth:)``
/// and `o = Σ_j e^{s_j − max s} v_j / Σ_j e^{s_j − max s}`, `s_j = ⟨q, k_j⟩/√d`, in float64, for
/// `pairs` queries (`P × d`) and position-major keys and values (`count × P × d`, laid out into
/// the kernel's tiles here); infinite when the kernel's output is not finite.
private func fusedError(
  query: [Float], keys: [Float], values: [Float], pairs: Int, count: Int, capacity: Int
) -> Double {
  let d = query.count / pairs
  var (tiledKeys, rowValues) = ([Float](repeating: 0, count: pairs * capacity * d), [Float]())
  rowValues = tiledKeys
  var reference = [Double](repeating: 0, count: query.count)
  for p in 0..<pairs {
    let block = p * capacity * d
    var scores = [Double](repeating: 0, count: count)
    for j in 0..<count {
      for c in 0..<d {
        tiledKeys[block + (j / 32 * d + c) * 32 + j % 32] = keys[(j * pairs + p) * d + c]
        rowValues[block + j * d + c] = values[(j * pairs + p) * d + c]
        scores[j] += Double(query[p * d + c]) * Double(keys[(j * pairs + p) * d + c])
      }
      scores[j] /= Double(d).squareRoot()
    }
    let top = scores.max()!
    let weights = scores.map { Foundation.exp($0 - top) }
    let total = weights.reduce(0, +)
    for j in 0..<count {
      for c in 0..<d { reference[p * d + c] += weights[j] / total * Double(values[(j * pairs + p) * d + c]) }
    }
  }
  let output = singleQueryAttention(
    query: query, keys: tiledKeys, values: rowValues, pairs: pairs, count: count, capacity: capacity, headWidth: d)
  guard output.allSatisfy(\.isFinite) else { return .infinity }
  return zip(output, reference).map { abs(Double($0) - $1) }.max()!
}
