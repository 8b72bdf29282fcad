import Numerics

/// A scalar type that dense float64 matrices can hold: `Double` or
/// `Complex<Double>`.
///
/// The protocol gathers the few operations the generic matrix code needs
/// (conjugation, modulus, embedding of reals) and the BLAS/LAPACK entry points
/// for the type, so that `Matrix<Double>` and `Matrix<Complex<Double>>` share one
/// implementation of products, solves, eigendecompositions and `expm`.
public protocol MatrixScalar: AlgebraicField, Sendable {
  /// Embeds a real number.
  init(real: Double)
  /// The complex conjugate (the value itself for reals).
  var conjugateValue: Self { get }
  /// The Euclidean modulus `|z|`.
  var modulus: Double { get }
  /// `false` if any component is `NaN` or infinite.
  var isFiniteValue: Bool { get }
  /// The value as a complex number.
  var complexValue: Complex<Double> { get }

  /// Row-major `C ← α·op(A)·op(B) + β·C` (BLAS `?gemm`), `op` = identity or
  /// conjugate transpose.
  static func gemm(
    conjugateTransposeA: Bool, conjugateTransposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int,
    b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

  /// Row-major LU solve `A X = B` in place (LAPACK `?gesv`); returns `info`.
  static func gesv(
    n: Int, rightHandSides: Int, a: UnsafeMutablePointer<Self>,
    pivots: UnsafeMutablePointer<Int32>, b: UnsafeMutablePointer<Self>
  ) -> Int

  /// General eigendecomposition (LAPACK `?geev`, right eigenvectors) of a
  /// row-major `n × n` matrix, destroyed on exit.
  static func geev(n: Int, a: UnsafeMutablePointer<Self>) throws
    -> (values: [Complex<Double>], vectors: [Complex<Double>])

  /// Hermitian eigendecomposition (LAPACK `?syevd` / `?heevd`, lower triangle)
  /// of a row-major `n × n` matrix, overwritten by the eigenvectors; returns the
  /// eigenvalues in ascending order.
  static func heevd(n: Int, a: UnsafeMutablePointer<Self>) throws -> [Double]
}
