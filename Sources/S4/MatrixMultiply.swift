import CBLAS
import FFT

/// `C ← A·B` for row-major `A` (`m × k`), `B` (`k × n`), `C` (`m × n`) in the
/// scalar's own precision (`cblas_sgemm` or `cblas_dgemm`).
func multiply<Scalar: FFTScalar>(
  _ a: UnsafePointer<Scalar>, _ b: UnsafePointer<Scalar>, into c: UnsafeMutablePointer<Scalar>,
  m: Int, n: Int, k: Int
) {
  switch Scalar.fftPrecision {
  case .single:
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), 1,
      UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), blasint(k),
      UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), blasint(n), 0,
      UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), blasint(n))
  case .double:
    cblas_dgemm(
      CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), 1,
      UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), blasint(k),
      UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), blasint(n), 0,
      UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), blasint(n))
  }
}
