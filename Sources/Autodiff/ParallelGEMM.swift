import CBLAS
import Parallelism
import Platform

/// Row-major `op(A)·op(B)` with `op(A)` `m × k` and `op(B)` `k × n`, on `cblas_sgemm`. Products
/// of at least 2²⁰ multiply–adds are split by rows of the result over the cores (each part one
/// single-threaded sgemm on its rows of `op(A)`). A single row (`m = 1`, one token while
/// decoding) is a matrix–vector product, `cblas_sgemv`: OpenBLAS's small-matrix sgemm kernel
/// ran those 3–4× slower.
package func gemm(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> [Float] {
  BLASThreading.singleThreaded
  guard m > 0, n > 0, k > 0 else { return [Float](repeating: 0, count: m * n) }
  // β = 0: sgemm overwrites every entry of C, so it starts uninitialised (no memset).
  var c = [Float](unsafeUninitializedCapacity: m * n) { _, count in count = m * n }
  if m == 1 {
    // cᵀ = op(B)ᵀ aᵀ; a is contiguous whether or not it is transposed (its one row or column).
    cblas_sgemv(
      CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans, blasint(transposeB ? n : k), blasint(transposeB ? k : n),
      1, b, blasint(transposeB ? k : n), a, 1, 0, &c, 1)
    return c
  }
  let minimumRows = max(1, (1 << 20) / (n * k))
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      c.withUnsafeMutableBufferPointer { c in
        let shared = (
          a: SharedPointer(UnsafeMutablePointer(mutating: a.baseAddress!)),
          b: SharedPointer(UnsafeMutablePointer(mutating: b.baseAddress!)), c: SharedPointer(c.baseAddress!)
        )
        forEachChunk(of: m, minimumChunk: minimumRows) { rows in
          // Rows r of op(A): row r of A, or column r of A when transposed.
          let aRows = shared.a.base + (transposeA ? rows.lowerBound : rows.lowerBound * k)
          cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(rows.count), blasint(n), blasint(k), 1, aRows, blasint(transposeA ? m : k), shared.b.base,
            blasint(transposeB ? k : n), 0, shared.c.base + rows.lowerBound * n, blasint(n))
        }
      }
    }
  }
  return c
}
