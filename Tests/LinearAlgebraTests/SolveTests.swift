import LinearAlgebra
import Numerics
import Testing

@Suite("LU solve")
struct SolveTests {
  // A diagonally dominated random matrix has condition number O(1), so the
  // residual ‖AX − B‖ is a few ulps of ‖A‖‖X‖: 1e-13 leaves two orders of margin.
  @Test(arguments: [1, 2, 7, 40])
  func realResidualIsAtRoundoffLevel(n: Int) throws {
    var random = TestRandom(seed: UInt64(n))
    let a = random.realMatrix(n, n).addingToDiagonal(Double(n))
    let b = random.realMatrix(n, 3)
    let x = try a.solve(b)
    #expect((a * x - b).maxModulus <= 1e-13 * a.maxModulus * max(1, x.maxModulus) * Double(n))
  }

  @Test(arguments: [1, 5, 33])
  func complexResidualIsAtRoundoffLevel(n: Int) throws {
    var random = TestRandom(seed: 100 + UInt64(n))
    let a = random.complexMatrix(n, n).addingToDiagonal(Complex(Double(n), 0))
    let b = random.complexMatrix(n, 2)
    let x = try a.solve(b)
    #expect((a * x - b).maxModulus <= 1e-13 * a.maxModulus * max(1, x.maxModulus) * Double(n))
  }

  @Test func inverseTimesMatrixIsIdentity() throws {
    var random = TestRandom(seed: 7)
    let a = random.realMatrix(12, 12).addingToDiagonal(12)
    // Same round-off argument as above; entries of I are O(1).
    #expect((try a.inverse() * a - .identity(12)).maxModulus <= 1e-13)
  }

  @Test func exactlySingularMatrixThrows() {
    let singular = try! Matrix<Double>(rowArrays: [[1, 2], [2, 4]])
    #expect {
      _ = try singular.solve([1, 1])
    } throws: { error in
      if case .singular = error as? LinearAlgebraError { return true }
      return false
    }
  }

  @Test func badShapesAndValuesThrow() {
    let rectangular = Matrix<Double>(rows: 2, columns: 3)
    #expect(throws: LinearAlgebraError.notSquare(rows: 2, columns: 3)) { _ = try rectangular.solve([1, 2]) }
    let square = Matrix<Double>.identity(2)
    #expect(throws: LinearAlgebraError.self) { _ = try square.solve([1, 2, 3]) }
    var withNaN = square
    withNaN[0, 1] = .nan
    #expect(throws: LinearAlgebraError.nonFinite("solve: A")) { _ = try withNaN.solve([1, 2]) }
  }

  @Test func raggedRowsAreRejected() {
    #expect(throws: LinearAlgebraError.self) { _ = try Matrix<Double>(rowArrays: [[1, 2], [3]]) }
  }
}
