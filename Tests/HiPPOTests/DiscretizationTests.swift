import HiPPO
import LinearAlgebra
import Numerics
import Testing

@Suite("Discretisation")
struct DiscretizationTests {
  // GBT with α = 0, ½, 1 against the textbook formulas written out with an
  // explicit inverse: forward Euler (I + dtA, dtB), bilinear
  // ((I − dt/2 A)⁻¹(I + dt/2 A), (I − dt/2 A)⁻¹ dtB), backward Euler
  // ((I − dtA)⁻¹, (I − dtA)⁻¹ dtB). The two routes round differently; with
  // ‖dtA‖ ≤ 13 here, 1e-12 relative to max|Ā| covers cond(I − α dtA)·u.
  @Test(arguments: allMeasures, [0.001, 0.03, 0.1])
  func gbtMatchesEulerBilinearAndBackwardFormulas(measure: Measure, dt: Double) throws {
    let (a, b) = try measure.transition(stateSize: 8)
    let identity = Matrix<Double>.identity(8)
    let bColumn = Matrix.column(b)
    let expectations: [(Double, DiscretizationMethod, Matrix<Double>, Matrix<Double>)] = [
      (0, .forwardEuler, identity + dt * a, dt * bColumn),
      (
        0.5, .bilinear, try (identity - (dt / 2) * a).inverse() * (identity + (dt / 2) * a),
        try (identity - (dt / 2) * a).inverse() * (dt * bColumn)
      ),
      (1, .backwardEuler, try (identity - dt * a).inverse(), try (identity - dt * a).inverse() * (dt * bColumn)),
    ]
    for (alpha, named, aExpected, bExpected) in expectations {
      for method in [DiscretizationMethod.gbt(alpha: alpha), named] {
        let (aBar, bBar) = try discretize(a: a, b: b, dt: dt, method: method)
        #expect((aBar - aExpected).maxModulus <= 1e-12 * aExpected.maxModulus)
        #expect((Matrix.column(bBar) - bExpected).maxModulus <= 1e-12 * max(bExpected.maxModulus, 1e-300))
      }
    }
  }

  // ZOH against the Taylor series Σ (dtA)^k/k! and Σ dt (dtA)^k/(k+1)! B with 40
  // terms: for ‖dtA‖₁ ≤ 1 the truncation error is below 1/41! ≈ 3e-50, so the
  // comparison measures only round-off (1e-13 relative). FouT (singular A) included.
  @Test(arguments: allMeasures)
  func zohMatchesSeriesForSmallSteps(measure: Measure) throws {
    let (a, b) = try measure.transition(stateSize: 8)
    let dt = 0.9 / a.oneNorm
    let (aBar, bBar) = try discretize(a: a, b: b, dt: dt, method: .zoh)
    let (exponential, phi) = exponentialSeries(dt * a, terms: 40)
    let bExpected = dt * (phi * Matrix.column(b))
    #expect((aBar - exponential).maxModulus <= 1e-13 * exponential.maxModulus)
    #expect((Matrix.column(bBar) - bExpected).maxModulus <= 1e-13 * bExpected.maxModulus)
  }

  // For invertible A, ∫₀^dt e^{sA} ds B = A⁻¹(Ā − I)B. Ā − I cancels about
  // log10(1/‖dtA‖) digits, so 1e-10 relative leaves room at dt = 1e-3.
  @Test(arguments: [Measure.legs, .legt(theta: 1), .lagt, .tlagt(beta: 0.5), .lmu(theta: 2)], [0.001, 0.1])
  func zohInputMatrixMatchesInverseFormula(measure: Measure, dt: Double) throws {
    let (a, b) = try measure.transition(stateSize: 6)
    let (aBar, bBar) = try discretize(a: a, b: b, dt: dt, method: .zoh)
    let expected = try a.solve((aBar - .identity(6)) * Matrix.column(b))
    #expect((Matrix.column(bBar) - expected).maxModulus <= 1e-10 * expected.maxModulus)
  }

  // ZOH of a large step (squaring path) composes: e^{2dtA} = (e^{dtA})², and
  // B̄(2dt) = Ā(dt) B̄(dt) + B̄(dt) (two held steps).
  @Test func zohComposesOverTwoSteps() throws {
    let (a, b) = try Measure.fout.transition(stateSize: 10)
    let (aOne, bOne) = try discretize(a: a, b: b, dt: 0.7, method: .zoh)
    let (aTwo, bTwo) = try discretize(a: a, b: b, dt: 1.4, method: .zoh)
    #expect((aOne * aOne - aTwo).maxModulus <= 1e-12)
    let composed = zip(aOne * bOne, bOne).map { $0 + $1 }
    for (x, y) in zip(composed, bTwo) { #expect(abs(x - y) <= 1e-12) }
  }

  // Diagonal systems: mode-by-mode formulas equal the dense discretisation of
  // diag(λ) (complex path), to 1e-13 (the dense path solves a diagonal system).
  @Test(arguments: [DiscretizationMethod.zoh, .bilinear, .forwardEuler, .backwardEuler, .gbt(alpha: 0.3)])
  func diagonalMatchesDenseDiagonalMatrix(method: DiscretizationMethod) throws {
    let system = try S4DInitialization.inv.system(stateSize: 16)
    let dt = 0.05
    let (aBar, bBar) = try discretize(system, dt: dt, method: method)
    let (aDense, bDense) = try discretize(a: Matrix.diagonal(system.lambda), b: system.b, dt: dt, method: method)
    for n in 0..<8 {
      #expect((aBar[n] - aDense[n, n]).length <= 1e-13)
      #expect((bBar[n] - bDense[n]).length <= 1e-13)
    }
  }

  // ZOH at λ = 0 holds the input: Ā = 1, B̄ = dt·B exactly; and a tiny λ does
  // not lose digits (expm1 path): B̄ = dt·(1 + dtλ/2 + …)·B.
  @Test func diagonalZOHAtZeroAndTinyEigenvalues() throws {
    let system = try DiagonalSystem(lambda: [.zero, Complex(-1e-12, 1e-12)], b: [Complex(2, 0), Complex(1, 0)])
    let (aBar, bBar) = try discretize(system, dt: 0.5, method: .zoh)
    #expect(aBar[0] == Complex(1, 0) && bBar[0] == Complex(1, 0))
    let expected = Complex(0.5, 0) * (Complex(1, 0) + Complex(0.25, 0) * Complex(-1e-12, 1e-12))
    #expect((bBar[1] - expected).length <= 1e-16)
  }

  @Test func rejectsBadInput() throws {
    let (a, b) = try Measure.legs.transition(stateSize: 3)
    for dt in [0, -1, Double.nan, .infinity] {
      // Matched by case: a NaN payload never compares equal.
      #expect {
        _ = try discretize(a: a, b: b, dt: dt, method: .zoh)
      } throws: { error in
        if case .invalidTimeStep = error as? HiPPOError { return true }
        return false
      }
    }
    #expect(throws: HiPPOError.self) { _ = try discretize(a: a, b: [1, 2], dt: 0.1, method: .bilinear) }
    #expect(throws: HiPPOError.self) {
      _ = try discretize(a: Matrix<Double>(rows: 2, columns: 3), b: [1, 2], dt: 0.1, method: .bilinear)
    }
    var withNaN = a
    withNaN[1, 1] = .nan
    #expect(throws: HiPPOError.nonFinite("A")) { _ = try discretize(a: withNaN, b: b, dt: 0.1, method: .zoh) }
    // I − dt·A singular: A = I/dt with backward Euler.
    #expect(throws: LinearAlgebraError.self) {
      _ = try discretize(a: Matrix<Double>.identity(2), b: [1, 1], dt: 1, method: .backwardEuler)
    }
  }
}
