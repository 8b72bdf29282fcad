import Autodiff
import CBLAS
import Numerics
import Parallelism
import Platform

extension Tape {
  /// Causal multi-head scaled dot-product attention, one coarse operation on `cblas_sgemm`.
  ///
  /// `query` is `B × Lq × D`, `key` and `value` are `B × Lk × D` with `Lk ≥ Lq`; `D` splits into
  /// `heads` heads of width `d = D/heads` (head `h` owns columns `h·d ..< (h+1)·d`). Query `i`
  /// sits at position `i + Lk − Lq` (the last `Lq` of `Lk` positions, so a chunk can attend to
  /// cached keys) and attends keys `j ≤ i + Lk − Lq`. Per batch entry and head:
  ///
  ///     S = Q Kᵀ/√d,   P = softmax(S + mask) (rows),   O = P V.
  ///
  /// Queries go in blocks of 64 rows: each block's scores are computed only against the keys it
  /// may see, so the masked upper triangle is never computed (beyond the block diagonal), and
  /// `P` is kept for the backward pass:
  ///
  ///     ∂ℒ/∂V = Pᵀ G,   ∂ℒ/∂P = G Vᵀ,   ∂ℒ/∂S = P ⊙ (∂ℒ/∂P − rowsum(∂ℒ/∂P ⊙ P)),
  ///     ∂ℒ/∂Q = (∂ℒ/∂S) K/√d,   ∂ℒ/∂K = (∂ℒ/∂S)ᵀ Q/√d.
  ///
  /// Batch entries and heads run in parallel over the cores.
  /// - Returns: `O`, `B × Lq × D`.
  public func causalAttention(query: Variable, key: Variable, value: Variable, heads: Int) throws -> Variable {
    let (q, k, v) = (self.value(query), self.value(key), self.value(value))
    guard q.rank == 3, k.rank == 3, k.shape == v.shape, q.shape[0] == k.shape[0], q.shape[2] == k.shape[2],
      q.count > 0, k.shape[1] >= q.shape[1], heads >= 1, q.shape[2].isMultiple(of: heads)
    else {
      throw AutodiffError.shapeMismatch(
        "attention of query \(q.shape), key \(k.shape), value \(v.shape) with \(heads) heads")
    }
    BLASThreading.singleThreaded
    let geometry = AttentionGeometry(
      batch: q.shape[0], queries: q.shape[1], keys: k.shape[1], width: q.shape[2], heads: heads)
    // P is kept for the backward pass only; an inference tape reuses one block of rows per thread.
    var probabilities = [Float](
      repeating: 0, count: recordsGradients ? geometry.pairs * geometry.queries * geometry.keys : 0)
    var output = [Float](repeating: 0, count: q.count)
    geometry.forward(q.values, k.values, v.values, probabilities: &probabilities, output: &output)
    return record(value: Tensor(unchecked: q.shape, output), inputs: [query, key, value]) { g in
      var dq = [Float](repeating: 0, count: q.count)
      var dk = [Float](repeating: 0, count: k.count)
      var dv = dk
      geometry.backward(
        g.values, q.values, k.values, v.values, probabilities: probabilities, dq: &dq, dk: &dk, dv: &dv)
      return [Tensor(unchecked: q.shape, dq), Tensor(unchecked: k.shape, dk), Tensor(unchecked: v.shape, dv)]
    }
  }
}

/// Sizes and the blocked kernels of ``Tape/causalAttention(query:key:value:heads:)``.
struct AttentionGeometry {
  let batch: Int
  let queries: Int
  let keys: Int
  let width: Int
  let heads: Int
  /// Query rows per block.
  static let block = 64

  init(batch: Int, queries: Int, keys: Int, width: Int, heads: Int) {
    self.batch = batch
    self.queries = queries
    self.keys = keys
    self.width = width
    self.heads = heads
  }

  var headWidth: Int { width / heads }
  var pairs: Int { batch * heads }
  var offset: Int { keys - queries }
  var scale: Float { 1 / Float(headWidth).squareRoot() }

  /// Runs `body(b, h, range of query rows, keys they may see)` for every block of every
  /// (batch entry, head) pair; pairs are spread over the cores.
  private func forEachBlock(_ body: @Sendable (Int, Int, Range<Int>, Int) -> Void) {
    let work = queries * keys * headWidth
    forEachChunk(of: pairs, minimumChunk: max(1, 65_536 / max(1, work))) { range in
      for pair in range {
        let (b, h) = pair.quotientAndRemainder(dividingBy: heads)
        for start in stride(from: 0, to: queries, by: Self.block) {
          let end = min(start + Self.block, queries)
          body(b, h, start..<end, end + offset)
        }
      }
    }
  }

  /// `O` into `output`; `P` into `probabilities` (`B·heads × Lq × Lk`) when that is not empty,
  /// otherwise into a scratch block per thread.
  func forward(_ q: [Float], _ k: [Float], _ v: [Float], probabilities: inout [Float], output: inout [Float]) {
    let (d, dh, lq, lk, scale, offset) = (width, headWidth, queries, keys, scale, offset)
    let keep = !probabilities.isEmpty
    q.withUnsafeBufferPointer { q in
      k.withUnsafeBufferPointer { k in
        v.withUnsafeBufferPointer { v in
          probabilities.withUnsafeMutableBufferPointer { p in
            output.withUnsafeMutableBufferPointer { o in
              let shared = (
                q: SharedPointer(UnsafeMutablePointer(mutating: q.baseAddress!)),
                k: SharedPointer(UnsafeMutablePointer(mutating: k.baseAddress!)),
                v: SharedPointer(UnsafeMutablePointer(mutating: v.baseAddress!)),
                p: p.baseAddress.map(SharedPointer.init),
                o: SharedPointer(o.baseAddress!)
              )
              forEachBlock { b, h, rows, visible in
                let qh = shared.q.base + b * lq * d + h * dh
                let kh = shared.k.base + b * lk * d + h * dh
                let vh = shared.v.base + b * lk * d + h * dh
                let oh = shared.o.base + b * lq * d + h * dh
                let (first, count) = (rows.lowerBound, rows.count)
                // Scores, then probabilities, of the block's rows: row r at scores + r·stride.
                let attend = { (scores: UnsafeMutablePointer<Float>, stride: Int) in
                  cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, blasint(count), blasint(visible), blasint(dh), scale,
                    qh + first * d, blasint(d), kh, blasint(d), 0, scores, blasint(stride))
                  for r in 0..<count { softmaxRow(scores + r * stride, valid: first + r + offset + 1, stored: visible) }
                  cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(count), blasint(dh), blasint(visible), 1,
                    scores, blasint(stride), vh, blasint(d), 0, oh + first * d, blasint(d))
                }
                if keep, let p = shared.p {
                  attend(p.base + ((b * heads + h) * lq + first) * lk, lk)
                } else {
                  withUnsafeTemporaryAllocation(of: Float.self, capacity: count * visible) {
                    attend($0.baseAddress!, visible)
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  func backward(
    _ g: [Float], _ q: [Float], _ k: [Float], _ v: [Float], probabilities: [Float], dq: inout [Float],
    dk: inout [Float], dv: inout [Float]
  ) {
    let (d, dh, lq, lk, scale, offset) = (width, headWidth, queries, keys, scale, offset)
    withInputs(g, q, k, v, probabilities) { gp, qp, kp, vp, pp in
      dq.withUnsafeMutableBufferPointer { dq in
        dk.withUnsafeMutableBufferPointer { dk in
          dv.withUnsafeMutableBufferPointer { dv in
            let outputs = (
              dq: SharedPointer(dq.baseAddress!), dk: SharedPointer(dk.baseAddress!), dv: SharedPointer(dv.baseAddress!)
            )
            forEachBlock { b, h, rows, visible in
              let (first, count) = (rows.lowerBound, rows.count)
              let gh = gp.base + b * lq * d + h * dh
              let qh = qp.base + b * lq * d + h * dh
              let kh = kp.base + b * lk * d + h * dh
              let vh = vp.base + b * lk * d + h * dh
              let ph = pp.base + (b * heads + h) * lq * lk + first * lk
              let (dqh, dkh, dvh) = (
                outputs.dq.base + b * lq * d + h * dh, outputs.dk.base + b * lk * d + h * dh,
                outputs.dv.base + b * lk * d + h * dh
              )
              withUnsafeTemporaryAllocation(of: Float.self, capacity: count * visible) { scores in
                let ds = scores.baseAddress!
                // ∂ℒ/∂V[0..<visible] += P_blockᵀ G_block.
                cblas_sgemm(
                  CblasRowMajor, CblasTrans, CblasNoTrans, blasint(visible), blasint(dh), blasint(count), 1, ph,
                  blasint(lk), gh + first * d, blasint(d), 1, dvh, blasint(d))
                // ∂ℒ/∂P = G_block Vᵀ, then ∂ℒ/∂S (with the 1/√d of S folded in).
                cblas_sgemm(
                  CblasRowMajor, CblasNoTrans, CblasTrans, blasint(count), blasint(visible), blasint(dh), 1,
                  gh + first * d, blasint(d), vh, blasint(d), 0, ds, blasint(visible))
                for r in 0..<count {
                  let (p, s) = (ph + r * lk, ds + r * visible)
                  let valid = first + r + offset + 1
                  var dot: Float = 0
                  for j in 0..<valid { dot += p[j] * s[j] }
                  for j in 0..<valid { s[j] = p[j] * (s[j] - dot) * scale }
                  for j in valid..<visible { s[j] = 0 }
                }
                // ∂ℒ/∂Q_block = ∂ℒ/∂S K;  ∂ℒ/∂K[0..<visible] += ∂ℒ/∂Sᵀ Q_block.
                cblas_sgemm(
                  CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(count), blasint(dh), blasint(visible), 1, ds,
                  blasint(visible), kh, blasint(d), 0, dqh + first * d, blasint(d))
                cblas_sgemm(
                  CblasRowMajor, CblasTrans, CblasNoTrans, blasint(visible), blasint(dh), blasint(count), 1, ds,
                  blasint(visible), qh + first * d, blasint(d), 1, dkh, blasint(d))
              }
            }
          }
        }
      }
    }
  }
}

/// Calls `body` with shareable pointers to the storage of five arrays.
private func withInputs(
  _ a: [Float], _ b: [Float], _ c: [Float], _ d: [Float], _ e: [Float],
  _ body: (SharedPointer<Float>, SharedPointer<Float>, SharedPointer<Float>, SharedPointer<Float>, SharedPointer<Float>)
    -> Void
) {
  let shared = { (buffer: UnsafeBufferPointer<Float>) in
    SharedPointer(UnsafeMutablePointer(mutating: buffer.baseAddress!))
  }
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      c.withUnsafeBufferPointer { c in
        d.withUnsafeBufferPointer { d in
          e.withUnsafeBufferPointer { e in body(shared(a), shared(b), shared(c), shared(d), shared(e)) }
        }
      }
    }
  }
}

/// Softmax in place over the first `valid` of `stored` entries of a row (eight lanes at a
/// time, `exp` from `VectorMath`, in a plain loop so that it inlines); the rest become 0.
@inline(__always)
func softmaxRow(_ row: UnsafeMutablePointer<Float>, valid: Int, stored: Int) {
  let shift = SIMD8<Float>(repeating: VectorMath.maximum(row, count: valid))
  var sums = SIMD8<Float>()
  var index = 0
  while index < valid {
    // Padding the tail with −∞ adds at most 7·e^{−87} ≈ 1e-37 to a sum ≥ 1.
    let lanes = min(8, valid - index)
    let e = VectorMath.exp(VectorMath.load(row + index, lanes: lanes, padding: -.infinity) - shift)
    sums += e
    VectorMath.store(e, to: row + index, lanes: lanes)
    index += 8
  }
  let inverse = SIMD8<Float>(repeating: 1 / sums.sum())
  VectorMath.map(row, row, count: valid) { $0 * inverse }
  for j in valid..<stored { row[j] = 0 }
}
