import CBLAS
import Platform

extension RowKernels {
  /// The linear map of `m` rows without a bias: `Y = X W` with `X` `m × k` and `W` `k × n` (row-major,
  /// as a projection `Parameter` stores it), into `Y` `m × n` — or `Y ← Y + X W` when `accumulating`;
  /// one single-threaded BLAS call (`sgemv` for one row), no allocation.
  package static func product(
    _ x: UnsafePointer<Float>, rows m: Int, weight: UnsafePointer<Float>, inputs k: Int, outputs n: Int,
    accumulating: Bool = false, into y: UnsafeMutablePointer<Float>
  ) {
    BLASThreading.singleThreaded
    let beta: Float = accumulating ? 1 : 0
    if m == 1 {
      cblas_sgemv(CblasRowMajor, CblasTrans, blasint(k), blasint(n), 1, weight, blasint(n), x, 1, beta, y, 1)
    } else {
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), 1, x, blasint(k), weight,
        blasint(n), beta, y, blasint(n))
    }
  }
}
