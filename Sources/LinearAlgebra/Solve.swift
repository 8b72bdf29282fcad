import Numerics

extension Matrix {
  /// Solves `A X = B` by LU factorisation with partial pivoting (LAPACK `?gesv`).
  ///
  /// - Parameters:
  ///   - rightHandSide: `B`, `n × k`.
  /// - Returns: `X = A⁻¹B`, `n × k`.
  /// - Throws: ``LinearAlgebraError/notSquare(rows:columns:)``,
  ///   ``LinearAlgebraError/shapeMismatch(_:)``, ``LinearAlgebraError/nonFinite(_:)``
  ///   for non-finite input, and ``LinearAlgebraError/singular(routine:detail:)`` when
  ///   LAPACK meets an exactly zero pivot or the solution overflows.
  @_specialize(exported:true,where Scalar == Double)
  @_specialize(exported:true,where Scalar == Complex<Double>)
  public func solve(_ rightHandSide: Matrix) throws -> Matrix {
    try requireSquare()
    guard rightHandSide.rows == rows else {
      throw LinearAlgebraError.shapeMismatch("solve: A is \(rows) × \(columns), B has \(rightHandSide.rows) rows")
    }
    try requireFinite("solve: A")
    try rightHandSide.requireFinite("solve: B")
    guard rows > 0, rightHandSide.columns > 0 else { return rightHandSide }
    var factor = elements
    var solution = rightHandSide.elements
    var pivots = [Int32](repeating: 0, count: rows)
    let info = factor.withUnsafeMutableBufferPointer { a in
      solution.withUnsafeMutableBufferPointer { b in
        Scalar.gesv(
          n: rows, rightHandSides: rightHandSide.columns, a: a.baseAddress!,
          pivots: &pivots, b: b.baseAddress!)
      }
    }
    if info > 0 {
      throw LinearAlgebraError.singular(routine: "gesv", detail: "U[\(info - 1), \(info - 1)] is exactly zero")
    }
    guard info == 0 else { throw LinearAlgebraError.lapackFailure(routine: "gesv", info: info) }
    let result = Matrix(rows: rows, columns: rightHandSide.columns, elements: solution)
    guard result.isFinite else {
      throw LinearAlgebraError.singular(
        routine: "gesv", detail: "the solution overflowed (matrix numerically singular)")
    }
    return result
  }

  /// Solves `A x = b` for one right-hand side.
  public func solve(_ rightHandSide: [Scalar]) throws -> [Scalar] {
    try solve(Matrix.column(rightHandSide)).elements
  }

  /// The inverse `A⁻¹`, computed as the solution of `A X = I`.
  public func inverse() throws -> Matrix {
    try solve(Matrix.identity(rows))
  }
}
