import LinearAlgebra
import Numerics
import Testing

@Suite("Eigendecompositions")
struct EigendecompositionTests {
  // A V = V Λ holds to round-off times the matrix norm for any matrix whose
  // eigenvectors are not nearly parallel; random matrices satisfy that with
  // probability ~1, and 1e-12·n·max|A| leaves ample margin.
  @Test(arguments: [1, 4, 9, 30])
  func realGeneralEigenpairsSatisfyDefinition(n: Int) throws {
    var random = TestRandom(seed: 200 + UInt64(n))
    let a = random.realMatrix(n, n)
    let eigen = try a.eigendecomposition()
    let lhs = a.complexMatrix * eigen.vectors
    let rhs = eigen.vectors * Matrix.diagonal(eigen.values)
    #expect((lhs - rhs).maxModulus <= 1e-12 * Double(n) * max(1, a.maxModulus))
    // Real input: eigenvalues come in conjugate pairs, so their sum (the trace) is real.
    let trace = eigen.values.reduce(Complex<Double>.zero, +)
    #expect(abs(trace.imaginary) <= 1e-12 * Double(n))
    #expect(abs(trace.real - (0..<n).reduce(0) { $0 + a[$1, $1] }) <= 1e-12 * Double(n))
  }

  @Test func complexGeneralEigenpairsSatisfyDefinition() throws {
    var random = TestRandom(seed: 300)
    let a = random.complexMatrix(11, 11)
    let eigen = try a.eigendecomposition()
    #expect((a * eigen.vectors - eigen.vectors * Matrix.diagonal(eigen.values)).maxModulus <= 1e-12 * 11)
  }

  @Test func rotationHasEigenvaluesPlusMinusI() throws {
    let rotation = try Matrix<Double>(rowArrays: [[0, -1], [1, 0]])
    let values = try rotation.eigendecomposition().values.sorted { $0.imaginary < $1.imaginary }
    // Exact answer ±i; LAPACK's 2×2 standardisation is accurate to a few ulps.
    #expect((values[0] - Complex(0, -1)).length <= 1e-15)
    #expect((values[1] - Complex(0, 1)).length <= 1e-15)
  }

  // Hermitian: V is unitary and A = V Λ Vᴴ, both to round-off (1e-12·n·max|A|).
  @Test(arguments: [1, 6, 25])
  func hermitianDecompositionIsUnitaryAndReconstructs(n: Int) throws {
    var random = TestRandom(seed: 400 + UInt64(n))
    let m = random.complexMatrix(n, n)
    let a = m + m.adjoint
    let eigen = try a.hermitianEigendecomposition()
    #expect(eigen.values == eigen.values.sorted())
    let v = eigen.vectors
    #expect((v.adjoint * v - .identity(n)).maxModulus <= 1e-12 * Double(n))
    let diagonal = Matrix<Complex<Double>>.diagonal(eigen.values.map { Complex($0, 0) })
    #expect((v * diagonal * v.adjoint - a).maxModulus <= 1e-12 * Double(n) * a.maxModulus)
  }

  @Test func realSymmetricDecompositionMatchesKnownSpectrum() throws {
    // The tridiagonal matrix 2I − (shift + shiftᵀ) of size n has eigenvalues
    // 2 − 2cos(kπ/(n+1)), k = 1…n: an independent closed form.
    let n = 10
    let a = Matrix<Double>(rows: n, columns: n) { i, j in i == j ? 2 : (abs(i - j) == 1 ? -1 : 0) }
    let values = try a.hermitianEigendecomposition().values
    let expected = (1...n).map { 2 - 2 * Double.cos(Double($0) * Double.pi / Double(n + 1)) }.sorted()
    for (computed, exact) in zip(values, expected) { #expect(abs(computed - exact) <= 1e-14) }
  }

  @Test func nonHermitianInputIsRejected() {
    let a = try! Matrix<Double>(rowArrays: [[1, 2], [0, 1]])
    #expect {
      _ = try a.hermitianEigendecomposition()
    } throws: { error in
      if case .notHermitian = error as? LinearAlgebraError { return true }
      return false
    }
  }
}
