import Numerics

/// Eigenvalues and right eigenvectors of a general square matrix:
/// `A V = V diag(λ)`.
public struct Eigendecomposition: Sendable {
  /// The eigenvalues `λ_j`, in LAPACK's order.
  public let values: [Complex<Double>]
  /// The right eigenvectors as columns, each of unit Euclidean norm.
  public let vectors: Matrix<Complex<Double>>
}

/// Eigenvalues and orthonormal eigenvectors of a Hermitian matrix:
/// `A = V diag(λ) Vᴴ`, `VᴴV = I`.
public struct HermitianEigendecomposition<Scalar: MatrixScalar>: Sendable {
  /// The real eigenvalues, ascending.
  public let values: [Double]
  /// The orthonormal eigenvectors as columns (column `j` belongs to `values[j]`).
  public let vectors: Matrix<Scalar>
}

extension Matrix {
  /// The general eigendecomposition `A V = V diag(λ)` (LAPACK `?geev`).
  ///
  /// - Throws: ``LinearAlgebraError/notSquare(rows:columns:)``,
  ///   ``LinearAlgebraError/nonFinite(_:)``, or
  ///   ``LinearAlgebraError/lapackFailure(routine:info:)`` when the QR iteration
  ///   does not converge.
  public func eigendecomposition() throws -> Eigendecomposition {
    try requireSquare()
    try requireFinite("eigendecomposition input")
    guard rows > 0 else {
      return Eigendecomposition(values: [], vectors: Matrix<Complex<Double>>(rows: 0, columns: 0))
    }
    var work = elements
    let (values, vectors) = try work.withUnsafeMutableBufferPointer { a in
      try Scalar.geev(n: rows, a: a.baseAddress!)
    }
    return Eigendecomposition(
      values: values, vectors: Matrix<Complex<Double>>(rows: rows, columns: rows, elements: vectors))
  }

  /// The Hermitian eigendecomposition `A = V diag(λ) Vᴴ` (LAPACK `?syevd` for
  /// real symmetric, `?heevd` for complex Hermitian input), eigenvalues ascending.
  ///
  /// - Parameter tolerance: the largest `|A − Aᴴ|` entry accepted, relative to
  ///   `max |a_ij|` (default `1e-10`; round-off in a computed Hermitian matrix
  ///   is far below that, a genuinely non-Hermitian matrix far above).
  /// - Throws: ``LinearAlgebraError/notHermitian(deviation:)`` when `A` is not
  ///   Hermitian within the tolerance, and LAPACK failures.
  public func hermitianEigendecomposition(tolerance: Double = 1e-10) throws
    -> HermitianEigendecomposition<Scalar>
  {
    try requireSquare()
    try requireFinite("Hermitian eigendecomposition input")
    let deviation = (self - adjoint).maxModulus
    guard deviation <= tolerance * Swift.max(maxModulus, .leastNormalMagnitude) else {
      throw LinearAlgebraError.notHermitian(deviation: deviation)
    }
    guard rows > 0 else {
      return HermitianEigendecomposition(values: [], vectors: self)
    }
    var work = elements
    let values = try work.withUnsafeMutableBufferPointer { a in
      try Scalar.heevd(n: rows, a: a.baseAddress!)
    }
    return HermitianEigendecomposition(values: values, vectors: Matrix(rows: rows, columns: rows, elements: work))
  }
}
