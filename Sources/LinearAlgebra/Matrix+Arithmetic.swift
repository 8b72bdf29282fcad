extension Matrix {
  /// Entrywise sum; the shapes must agree.
  @inlinable
  public static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
    precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "shape mismatch in +")
    return Matrix(rows: lhs.rows, columns: lhs.columns, elements: zip(lhs.elements, rhs.elements).map { $0 + $1 })
  }

  /// Entrywise difference; the shapes must agree.
  @inlinable
  public static func - (lhs: Matrix, rhs: Matrix) -> Matrix {
    precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "shape mismatch in -")
    return Matrix(rows: lhs.rows, columns: lhs.columns, elements: zip(lhs.elements, rhs.elements).map { $0 - $1 })
  }

  /// Negation.
  @inlinable
  public static prefix func - (matrix: Matrix) -> Matrix {
    Matrix(rows: matrix.rows, columns: matrix.columns, elements: matrix.elements.map { -$0 })
  }

  /// Scalar multiple `s·A`.
  @inlinable
  public static func * (scalar: Scalar, matrix: Matrix) -> Matrix {
    Matrix(rows: matrix.rows, columns: matrix.columns, elements: matrix.elements.map { scalar * $0 })
  }

  /// The matrix product `A·B` (BLAS `?gemm`); `A.columns` must equal `B.rows`.
  public static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
    precondition(lhs.columns == rhs.rows, "shape mismatch: (\(lhs.rows)×\(lhs.columns))·(\(rhs.rows)×\(rhs.columns))")
    var result = Matrix(rows: lhs.rows, columns: rhs.columns)
    guard lhs.rows > 0, rhs.columns > 0 else { return result }
    guard lhs.columns > 0 else { return result }
    lhs.elements.withUnsafeBufferPointer { a in
      rhs.elements.withUnsafeBufferPointer { b in
        result.elements.withUnsafeMutableBufferPointer { c in
          Scalar.gemm(
            conjugateTransposeA: false, conjugateTransposeB: false,
            m: lhs.rows, n: rhs.columns, k: lhs.columns,
            alpha: Scalar(real: 1), a: a.baseAddress!, lda: lhs.columns,
            b: b.baseAddress!, ldb: rhs.columns,
            beta: .zero, c: c.baseAddress!, ldc: rhs.columns)
        }
      }
    }
    return result
  }

  /// The matrix–vector product `A·v`.
  public static func * (lhs: Matrix, rhs: [Scalar]) -> [Scalar] {
    (lhs * Matrix.column(rhs)).elements
  }

  /// `A + s·I` for a square matrix.
  @inlinable
  public func addingToDiagonal(_ scalar: Scalar) -> Matrix {
    var result = self
    for i in 0..<Swift.min(rows, columns) { result[i, i] = result[i, i] + scalar }
    return result
  }
}
