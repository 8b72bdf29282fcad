import Numerics

/// A dense `rows × columns` matrix of float64 scalars, stored row-major.
///
/// `Matrix<Double>` holds real matrices (HiPPO transitions, discretised
/// systems) and `Matrix<Complex<Double>>` complex ones (eigenvectors, DPLR
/// factors). Element `(i, j)` lives at `elements[i * columns + j]`.
public struct Matrix<Scalar: MatrixScalar>: Equatable, Sendable {
  /// Number of rows.
  public let rows: Int
  /// Number of columns.
  public let columns: Int
  /// The entries, row-major: `elements[i * columns + j]` is `A[i, j]`.
  public var elements: [Scalar]

  /// A matrix from row-major entries; `elements.count` must be `rows · columns`.
  @inlinable
  public init(rows: Int, columns: Int, elements: [Scalar]) {
    precondition(rows >= 0 && columns >= 0, "matrix sizes must be non-negative")
    precondition(elements.count == rows * columns, "expected \(rows * columns) entries, got \(elements.count)")
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  /// A matrix with every entry equal to `value`.
  @inlinable
  public init(rows: Int, columns: Int, repeating value: Scalar = .zero) {
    self.init(rows: rows, columns: columns, elements: Array(repeating: value, count: rows * columns))
  }

  /// A matrix whose entry `(i, j)` is `entry(i, j)`.
  @inlinable
  public init(rows: Int, columns: Int, _ entry: (Int, Int) -> Scalar) {
    var elements: [Scalar] = []
    elements.reserveCapacity(rows * columns)
    for i in 0..<rows {
      for j in 0..<columns { elements.append(entry(i, j)) }
    }
    self.init(rows: rows, columns: columns, elements: elements)
  }

  /// A matrix from a list of equally long rows. Throws if the rows are ragged.
  public init(rowArrays: [[Scalar]]) throws {
    let columns = rowArrays.first?.count ?? 0
    for (index, row) in rowArrays.enumerated() where row.count != columns {
      throw LinearAlgebraError.shapeMismatch("row \(index) has \(row.count) entries, row 0 has \(columns)")
    }
    self.init(rows: rowArrays.count, columns: columns, elements: rowArrays.flatMap { $0 })
  }

  /// The `n × n` identity.
  @inlinable
  public static func identity(_ n: Int) -> Matrix {
    Matrix(rows: n, columns: n) { i, j in i == j ? Scalar(real: 1) : .zero }
  }

  /// A square matrix with `diagonal` on its diagonal.
  public static func diagonal(_ diagonal: [Scalar]) -> Matrix {
    Matrix(rows: diagonal.count, columns: diagonal.count) { i, j in i == j ? diagonal[i] : .zero }
  }

  /// A column vector (`v.count × 1`).
  public static func column(_ v: [Scalar]) -> Matrix {
    Matrix(rows: v.count, columns: 1, elements: v)
  }

  /// Entry `(i, j)`.
  @inlinable
  public subscript(i: Int, j: Int) -> Scalar {
    get { elements[i * columns + j] }
    set { elements[i * columns + j] = newValue }
  }

  /// `true` when `rows == columns`.
  public var isSquare: Bool { rows == columns }

  /// Row `i` as an array.
  @inlinable
  public func row(_ i: Int) -> [Scalar] { Array(elements[(i * columns)..<((i + 1) * columns)]) }

  /// Column `j` as an array.
  @inlinable
  public func column(_ j: Int) -> [Scalar] { (0..<rows).map { self[$0, j] } }

  /// The rows as nested arrays.
  public var rowArrays: [[Scalar]] { (0..<rows).map(row) }

  /// The transpose `Aᵀ` (no conjugation).
  @inlinable
  public var transposed: Matrix {
    Matrix(rows: columns, columns: rows) { i, j in self[j, i] }
  }

  /// The conjugate transpose `Aᴴ`.
  @inlinable
  public var adjoint: Matrix {
    Matrix(rows: columns, columns: rows) { i, j in self[j, i].conjugateValue }
  }

  /// The entrywise complex conjugate.
  public var conjugated: Matrix {
    Matrix(rows: rows, columns: columns, elements: elements.map(\.conjugateValue))
  }

  /// The matrix as a complex matrix.
  public var complexMatrix: Matrix<Complex<Double>> {
    Matrix<Complex<Double>>(rows: rows, columns: columns, elements: elements.map(\.complexValue))
  }

  /// `true` when every entry is finite.
  @inlinable
  public var isFinite: Bool { elements.allSatisfy(\.isFiniteValue) }

  /// The induced 1-norm `‖A‖₁ = max_j Σ_i |a_ij|` (maximum absolute column sum).
  @inlinable
  public var oneNorm: Double {
    var best = 0.0
    for j in 0..<columns {
      var sum = 0.0
      for i in 0..<rows { sum += self[i, j].modulus }
      best = Swift.max(best, sum)
    }
    return best
  }

  /// The largest entry modulus `max_ij |a_ij|` (0 for an empty matrix).
  @inlinable
  public var maxModulus: Double { elements.reduce(0) { Swift.max($0, $1.modulus) } }

  /// Throws ``LinearAlgebraError/notSquare(rows:columns:)`` unless square.
  public func requireSquare() throws {
    guard isSquare else { throw LinearAlgebraError.notSquare(rows: rows, columns: columns) }
  }

  /// Throws ``LinearAlgebraError/nonFinite(_:)`` if any entry is `NaN` or `±∞`.
  public func requireFinite(_ name: String) throws {
    guard isFinite else { throw LinearAlgebraError.nonFinite(name) }
  }
}

extension Matrix where Scalar == Complex<Double> {
  /// The entrywise real part.
  public var realPart: Matrix<Double> {
    Matrix<Double>(rows: rows, columns: columns, elements: elements.map(\.real))
  }
  /// The entrywise imaginary part.
  public var imaginaryPart: Matrix<Double> {
    Matrix<Double>(rows: rows, columns: columns, elements: elements.map(\.imaginary))
  }
}
