import CBLAS
import Platform

/// The per-row arithmetic of layer normalisation, GELU, GLU, affine maps and products with a
/// transposed table, shared by the tape's operations and by tape-free decoding steps (which run it
/// on preallocated buffers).
package enum RowKernels {
  /// Layer normalisation of one row `x` of `d` values into `y`:
  /// `y = γ ⊙ (x − μ)/√(σ² + ε) + β`, with `μ`, `σ²` the row's mean and biased variance; the
  /// normalised `x̂` also goes to `normalized` when given. Returns `1/√(σ² + ε)`.
  @inline(__always)
  package static func layerNorm(
    _ x: UnsafePointer<Float>, count d: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float,
    into y: UnsafeMutablePointer<Float>, normalized: UnsafeMutablePointer<Float>? = nil
  ) -> Float {
    let mean = VectorMath.sum(x, count: d) / Float(d)
    let variance = VectorMath.sumOfSquares(x, count: d, shift: mean) / Float(d)
    let inverse = 1 / (variance + epsilon).squareRoot()
    for j in stride(from: 0, to: d, by: 8) {
      let lanes = min(8, d - j)
      let value = (VectorMath.load(x + j, lanes: lanes) - mean) * inverse
      if let normalized { VectorMath.store(value, to: normalized + j, lanes: lanes) }
      VectorMath.store(
        VectorMath.load(gamma + j, lanes: lanes) * value + VectorMath.load(beta + j, lanes: lanes), to: y + j,
        lanes: lanes)
    }
    return inverse
  }

  /// GELU, exact, on eight lanes: `½ v (1 + erf(v/√2))` (erf to 1.5e-7, see `VectorMath`).
  @inline(__always)
  package static func gelu(_ v: SIMD8<Float>) -> SIMD8<Float> {
    0.5 * v * (1 + VectorMath.erf(v * 0.707_106_77))
  }

  /// GELU of `count` values in place.
  @inline(__always)
  package static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
    VectorMath.map(x, x, count: count, gelu)
  }

  /// GLU of one row `[u, v]` of `2·half` values into `y` (`half` values): `y = u ⊙ σ(v)`.
  @inline(__always)
  package static func glu(_ row: UnsafePointer<Float>, half: Int, into y: UnsafeMutablePointer<Float>) {
    VectorMath.map(row + half, y, count: half, VectorMath.sigmoid)
    for j in 0..<half { y[j] *= row[j] }
  }

  /// The affine map of `m` rows: `Y = X W + 1 bᵀ` with `X` `m × k`, `W` `k × n` (row-major, as
  /// `Linear` stores it), `b` of `n`, into `Y` `m × n`; one single-threaded BLAS call (`sgemv` for
  /// one row), no allocation.
  package static func affine(
    _ x: UnsafePointer<Float>, rows m: Int, weight: UnsafePointer<Float>, inputs k: Int, outputs n: Int,
    bias: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<m { (y + r * n).update(from: bias, count: n) }
    product(x, rows: m, weight: weight, inputs: k, outputs: n, accumulating: true, into: y)
  }

  /// The product of `m` rows with a transposed table: `Y = X Wᵀ` with `X` `m × k` and `W` `n × k`
  /// (row-major, e.g. a tied `V × D` embedding read as the output projection), into `Y` `m × n`;
  /// one single-threaded BLAS call (`sgemv` for one row), no allocation.
  package static func productWithTranspose(
    _ x: UnsafePointer<Float>, rows m: Int, table weight: UnsafePointer<Float>, tableRows n: Int, width k: Int,
    into y: UnsafeMutablePointer<Float>
  ) {
    BLASThreading.singleThreaded
    if m == 1 {
      cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(n), blasint(k), 1, weight, blasint(k), x, 1, 0, y, 1)
    } else {
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasTrans, blasint(m), blasint(n), blasint(k), 1, x, blasint(k), weight,
        blasint(k), 0, y, blasint(n))
    }
  }
}
