/// Errors raised by the dense linear algebra routines.
///
/// Every failure that LAPACK reports through `info != 0`, and every input that
/// would otherwise produce silent `NaN`s, is turned into one of these cases with
/// a message that names the routine and the offending size or value.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible, Sendable {
  /// Operand shapes do not agree, e.g. `(3 × 4) · (5 × 2)`.
  case shapeMismatch(String)
  /// A square matrix was required.
  case notSquare(rows: Int, columns: Int)
  /// The LU factorisation met an exactly zero pivot (LAPACK `info > 0`), or the
  /// solution was not finite because the matrix is numerically singular.
  case singular(routine: String, detail: String)
  /// LAPACK reported a failure that is not singularity (illegal argument,
  /// non-convergence).
  case lapackFailure(routine: String, info: Int)
  /// An input contained `NaN` or `±∞`.
  case nonFinite(String)
  /// A Hermitian (symmetric) eigensolver received a matrix that is not.
  case notHermitian(deviation: Double)

  public var description: String {
    switch self {
    case .shapeMismatch(let detail):
      return "shape mismatch: \(detail)"
    case .notSquare(let rows, let columns):
      return "expected a square matrix, got \(rows) × \(columns)"
    case .singular(let routine, let detail):
      return "singular matrix in \(routine): \(detail)"
    case .lapackFailure(let routine, let info):
      return "LAPACK \(routine) failed with info = \(info)"
    case .nonFinite(let detail):
      return "non-finite value (NaN or infinity) in \(detail)"
    case .notHermitian(let deviation):
      return "matrix is not Hermitian (max |A − Aᴴ| = \(deviation))"
    }
  }
}
