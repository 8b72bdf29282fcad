import HiPPO
import LinearAlgebra
import Numerics
import Testing

@Suite("NPLR → DPLR decomposition")
struct DPLRTests {
  // Golden values from the issue, 6 decimals.
  @Test func legsSpectrumGolden() throws {
    let dplr = try Measure.legs.dplr(stateSize: 8)
    let expected = [-19.857410, -5.354209, -1.957794, -0.427489]
    #expect(dplr.lambda.count == 4)
    for (lambda, imaginary) in zip(dplr.lambda, expected) {
      #expect(abs(lambda.real + 0.5) <= 1e-12)
      #expect(abs(lambda.imaginary - imaginary) <= 1e-6)
    }
  }

  // Over the conjugate-extended system, A = V_ext(diag Λ_ext − Q Qᴴ)V_extᴴ with
  // Q = V_extᴴ Pᵀ = [P̃ᵀ; conj P̃ᵀ], and B = V_ext B̃_ext. Tolerance 1e-10 relative
  // to max|A| (the bound): the eigensolver is backward stable, so the
  // reconstruction error is O(N·u·‖A‖) ≈ 1e-13 at N = 64.
  @Test(arguments: measuresWithRankCorrection, [2, 8, 16, 64])
  func reconstructsOperator(measure: Measure, n: Int) throws {
    let dplr = try measure.dplr(stateSize: n)
    let (a, b) = try measure.transition(stateSize: n)
    let half = n / 2
    let vExt = extendedEigenvectors(dplr)
    #expect((vExt.adjoint * vExt - .identity(n)).maxModulus <= 1e-12)
    let lambdaExt = dplr.lambda + dplr.lambda.map(\.conjugate)
    let q = Matrix<Complex<Double>>(rows: n, columns: dplr.p.rows) { i, r in
      i < half ? dplr.p[r, i] : dplr.p[r, i - half].conjugate
    }
    let core = Matrix.diagonal(lambdaExt) - q * q.adjoint
    let reconstructed = vExt * core * vExt.adjoint
    let scale = max(1, a.maxModulus)
    #expect((reconstructed - a.complexMatrix).maxModulus <= 1e-10 * scale)
    let bExt = dplr.b + dplr.b.map(\.conjugate)
    let bBack = vExt * bExt
    for i in 0..<n { #expect((bBack[i] - Complex(b[i], 0)).length <= 1e-10 * scale) }
    #expect(dplr.normalResidual <= 1e-12 * scale)
  }

  @Test(arguments: measuresWithRankCorrection)
  func eigenvaluesAreSortedWithNonPositiveImaginaryPart(measure: Measure) throws {
    let dplr = try measure.dplr(stateSize: 16)
    let imaginary = dplr.lambda.map(\.imaginary)
    #expect(imaginary.allSatisfy { $0 <= 0 })
    #expect(imaginary == imaginary.sorted())
    #expect(dplr.lambda.allSatisfy { abs($0.real - dplr.shift) <= 1e-15 * max(1, abs(dplr.shift)) })
  }

  // FouT: the normal part has a double zero eigenvalue (constant and dead states);
  // the kept zero mode is (e₀ + i e₁)/√2 and the frequencies are πk.
  @Test func fourierZeroModeIsPaired() throws {
    let dplr = try Measure.fout.dplr(stateSize: 8)
    #expect(dplr.lambda.last == Complex(0, 0))
    for (k, lambda) in dplr.lambda.dropLast().reversed().enumerated() {
      #expect(abs(lambda.imaginary + Double.pi * Double(k + 1)) <= 1e-12)
    }
    let zeroMode = dplr.v.column(3)
    let r = 1 / 2.0.squareRoot()
    #expect((zeroMode[0] - Complex(r, 0)).length <= 1e-15)
    #expect((zeroMode[1] - Complex(0, r)).length <= 1e-15)
    #expect(zeroMode.dropFirst(2).allSatisfy { $0.length <= 1e-15 })
  }

  // A larger rank than natural adds zero rows to P̃ and changes nothing else.
  @Test func extraRankAddsZeroRows() throws {
    let natural = try Measure.legs.dplr(stateSize: 8)
    let padded = try Measure.legs.dplr(stateSize: 8, rank: 2)
    #expect(padded.p.rows == 2)
    #expect(padded.p.row(1).allSatisfy { $0.length == 0 })
    #expect(zip(natural.lambda, padded.lambda).allSatisfy { ($0 - $1).length <= 1e-14 })
  }

  // S4D-LegS is the conjugate of the LegS DPLR spectrum (same order) with B = B̃.
  @Test func s4dLegsIsConjugateDPLR() throws {
    let dplr = try Measure.legs.dplr(stateSize: 16)
    let s4d = try S4DInitialization.legs.system(stateSize: 16)
    #expect(s4d.lambda == dplr.lambda.map(\.conjugate))
    #expect(s4d.b == dplr.b)
  }

  @Test func rejectsOddStateSizeAndLMU() {
    #expect(throws: HiPPOError.self) { _ = try Measure.legs.dplr(stateSize: 5) }
    #expect(throws: HiPPOError.noRankCorrection(measure: "lmu")) { _ = try Measure.lmu(theta: 1).dplr(stateSize: 4) }
  }
}
