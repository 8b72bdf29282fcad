import LinearAlgebra
import Numerics
import Testing

@Suite("Matrix exponential (Padé scaling and squaring)")
struct MatrixExponentialTests {
  // 1×1: e^x against the C library's exp. Padé + squaring is backward stable,
  // so the relative error is a few ulps times the number of squarings: 1e-13.
  @Test(arguments: [-30.0, -2.5, -1e-8, 0, 0.01, 0.7, 3, 20])
  func scalarMatchesExp(x: Double) throws {
    let result = try Matrix<Double>(rows: 1, columns: 1, elements: [x]).exponential()[0, 0]
    #expect(abs(result - Double.exp(x)) <= 1e-13 * Double.exp(x))
  }

  // A = V D V⁻¹ with a well-conditioned V (cond ≈ 3) and real eigenvalues
  // scaled to hit every Padé degree (‖A‖₁ from 1e-3 to 40, so 3, 5, 7, 9 and 13
  // with squarings): e^A = V e^D V⁻¹ to 1e-12 relative to max|e^A|
  // (conditioning of V times the squaring error growth).
  @Test(arguments: [1e-3, 0.1, 0.5, 1.5, 4, 40])
  func diagonalisableMatchesEigenExponential(scale: Double) throws {
    var random = TestRandom(seed: 500)
    let n = 8
    let v = random.realMatrix(n, n).addingToDiagonal(3)
    let d = (0..<n).map { scale * (Double($0) / Double(n) - 0.6) }
    let vInverse = try v.inverse()
    let a = v * Matrix.diagonal(d) * vInverse
    let expected = v * Matrix.diagonal(d.map { Double.exp($0) }) * vInverse
    let computed = try a.exponential()
    #expect((computed - expected).maxModulus <= 1e-12 * expected.maxModulus)
  }

  // Complex eigenvalues: e^A = V e^Λ V⁻¹ with LAPACK's eigendecomposition of a
  // random complex matrix (not built from the eigenvalues), 1e-11 relative
  // because cond(V) of a random matrix is O(10–100).
  @Test func complexMatrixMatchesEigenExponential() throws {
    var random = TestRandom(seed: 501)
    let a = Complex(2.0, 0) * random.complexMatrix(6, 6)
    let eigen = try a.eigendecomposition()
    let expected = eigen.vectors * Matrix.diagonal(eigen.values.map { Complex.exp($0) }) * (try eigen.vectors.inverse())
    #expect((try a.exponential() - expected).maxModulus <= 1e-11 * expected.maxModulus)
  }

  // A rotation generator: e^{[[0, −θ], [θ, 0]]} = [[cos θ, −sin θ], [sin θ, cos θ]].
  // θ = 50 needs 4 squarings; the error grows like θ·u, hence 1e-13·θ.
  @Test(arguments: [0.3, 3, 50])
  func rotationGeneratorGivesRotation(theta: Double) throws {
    let generator = try Matrix<Double>(rowArrays: [[0, -theta], [theta, 0]])
    let expected = try Matrix<Double>(rowArrays: [
      [Double.cos(theta), -Double.sin(theta)], [Double.sin(theta), Double.cos(theta)],
    ])
    #expect((try generator.exponential() - expected).maxModulus <= 1e-13 * theta)
  }

  // Nilpotent N (strictly upper triangular, 4×4): e^N = I + N + N²/2 + N³/6 exactly.
  @Test func nilpotentSeriesTerminates() throws {
    var random = TestRandom(seed: 502)
    let n = Matrix<Double>(rows: 4, columns: 4) { i, j in j > i ? 3 * random.uniform() : 0 }
    let n2 = n * n
    let expected = Matrix<Double>.identity(4) + n + 0.5 * n2 + (1.0 / 6.0) * (n2 * n)
    #expect((try n.exponential() - expected).maxModulus <= 1e-13 * expected.maxModulus)
  }

  // e^A e^{−A} = I (commuting exponents), with a large-norm A (squaring path).
  @Test func inverseExponentialCancels() throws {
    var random = TestRandom(seed: 503)
    let a = 3.0 * random.realMatrix(10, 10)
    let product = try a.exponential() * (try (-a).exponential())
    // Both factors have norms up to e^{‖A‖}; the product's error is about
    // u·‖e^A‖·‖e^{−A}‖, here below 1e-9.
    #expect((product - .identity(10)).maxModulus <= 1e-9)
  }

  @Test func rejectsNonSquareAndNonFinite() {
    #expect(throws: LinearAlgebraError.notSquare(rows: 2, columns: 1)) {
      _ = try Matrix<Double>(rows: 2, columns: 1).exponential()
    }
    #expect(throws: LinearAlgebraError.self) {
      _ = try Matrix<Double>(rows: 1, columns: 1, elements: [.infinity]).exponential()
    }
  }
}
