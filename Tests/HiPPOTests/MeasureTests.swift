import HiPPO
import LinearAlgebra
import Numerics
import Testing

@Suite("HiPPO measures and rank corrections")
struct MeasureTests {
  // Golden LegS N = 4 from the issue (6 decimals, hence 1e-6), and the exact
  // closed forms to 1e-15 (one rounding of a square root product).
  @Test func legsGoldenValues() throws {
    let (a, b) = try Measure.legs.transition(stateSize: 4)
    let golden: [[Double]] = [
      [-1, 0, 0, 0], [-1.732051, -2, 0, 0], [-2.236068, -3.872983, -3, 0], [-2.645751, -4.582576, -5.916080, -4],
    ]
    for i in 0..<4 {
      for k in 0..<4 { #expect(abs(a[i, k] - golden[i][k]) <= 1e-6) }
    }
    for (value, expected) in zip(b, [1, 1.732051, 2.236068, 2.645751]) { #expect(abs(value - expected) <= 1e-6) }
    #expect(abs(a[3, 1] + (7.0 * 3.0).squareRoot()) <= 1e-15 * 5)
  }

  // The official S4 code's legt is θ = 2: A_official = A(θ = 1)/2, B likewise.
  @Test func legtWindowScalesInversely() throws {
    let (a1, b1) = try Measure.legt(theta: 1).transition(stateSize: 6)
    let (a2, b2) = try Measure.legt(theta: 2).transition(stateSize: 6)
    #expect((0.5 * a1 - a2).maxModulus == 0)
    #expect(zip(b1, b2).allSatisfy { $0 / 2 == $1 })
    // Row 0: A[0, k] = −√(2k+1)·(−1)^k for k > 0 (above the diagonal the sign alternates).
    #expect(a1[0, 1] == 3.0.squareRoot())
    #expect(a1[0, 2] == -(5.0.squareRoot()))
  }

  // LMU and LegT are the same operator in different bases:
  // A_lmu = D A_legt D⁻¹, B_lmu = D B_legt with D = diag((−1)^n √(2n+1)).
  @Test func lmuIsLegtInAnotherBasis() throws {
    let n = 7
    let (aLegt, bLegt) = try Measure.legt(theta: 1.5).transition(stateSize: n)
    let (aLmu, bLmu) = try Measure.lmu(theta: 1.5).transition(stateSize: n)
    let d = (0..<n).map { (i: Int) -> Double in (i.isMultiple(of: 2) ? 1.0 : -1.0) * Double(2 * i + 1).squareRoot() }
    let similar = Matrix<Double>(rows: n, columns: n) { i, k in d[i] * aLegt[i, k] / d[k] }
    // Entries up to ~13/1.5; three roundings each.
    #expect((similar - aLmu).maxModulus <= 1e-13)
    for i in 0..<n { #expect(abs(d[i] * bLegt[i] - bLmu[i]) <= 1e-13) }
  }

  @Test func laguerreVariants() throws {
    let (lagt, bLagt) = try Measure.lagt.transition(stateSize: 3)
    #expect(lagt.rowArrays == [[-0.5, 0, 0], [-1, -0.5, 0], [-1, -1, -0.5]])
    #expect(bLagt == [1, 1, 1])
    // β = 1 is the HiPPO paper's LagT, A = −tril(1); B = β.
    let (tlagt, bTlagt) = try Measure.tlagt(beta: 1).transition(stateSize: 3)
    #expect(tlagt.rowArrays == [[-1, 0, 0], [-1, -1, 0], [-1, -1, -1]])
    #expect(bTlagt == [1, 1, 1])
    let (tilted, bTilted) = try Measure.tlagt(beta: 0.2).transition(stateSize: 2)
    #expect(abs(tilted[0, 0] - (0.4 - 1)) <= 1e-16)
    #expect(bTilted == [0.2, 0.2])
  }

  @Test func fourierConvention() throws {
    let (a, b) = try Measure.fout.transition(stateSize: 6)
    let r2 = 2.0.squareRoot()
    #expect(b == [1, 0, r2, 0, r2, 0])
    // Skew part: pairs (2, 3) at frequency π, (4, 5) at 2π; the dead state 1 has a zero row and column.
    #expect(abs(a[2, 3] - (-Double.pi - 0)) <= 1e-15)
    #expect(abs(a[3, 2] - Double.pi) <= 1e-15)
    #expect(abs(a[4, 5] + 2 * Double.pi) <= 1e-15)
    #expect(a.row(1).allSatisfy { $0 == 0 } && a.column(1).allSatisfy { $0 == 0 })
    #expect(abs(a[0, 2] + r2) <= 1e-15 && abs(a[2, 4] + 2) <= 1e-15)
  }

  // A + PᵀP = cI + S with S skew-symmetric, to 1e-12 (the bound:
  // entries of A and PᵀP are single roundings of square-root products).
  @Test(arguments: measuresWithRankCorrection, [2, 8, 17, 64])
  func rankCorrectionMakesNormalPart(measure: Measure, n: Int) throws {
    guard measure != .fout || n.isMultiple(of: 2) else { return }
    let (a, _) = try measure.transition(stateSize: n)
    let p = try measure.rankCorrection(stateSize: n)
    #expect(p.rows == measure.naturalRank)
    let normal = a + p.transposed * p
    let c = normal[0, 0]
    let skew = normal.addingToDiagonal(-c)
    #expect((skew + skew.transposed).maxModulus <= 1e-12 * max(1, a.maxModulus))
  }

  @Test func rankCorrectionRowsBeyondNaturalRankAreZero() throws {
    let p = try Measure.legs.rankCorrection(stateSize: 5, rank: 3)
    #expect(p.rows == 3)
    #expect(p.row(1).allSatisfy { $0 == 0 } && p.row(2).allSatisfy { $0 == 0 })
    #expect(abs(p[0, 4] - 4.5.squareRoot()) <= 1e-16)
  }

  @Test func invalidRequestsThrow() {
    #expect(throws: HiPPOError.noRankCorrection(measure: "lmu")) {
      _ = try Measure.lmu(theta: 1).rankCorrection(stateSize: 4)
    }
    #expect(throws: HiPPOError.rankTooSmall(measure: "legt", requested: 1, natural: 2)) {
      _ = try Measure.legt(theta: 1).rankCorrection(stateSize: 4, rank: 1)
    }
    #expect(throws: HiPPOError.self) { _ = try Measure.legs.transition(stateSize: 0) }
    #expect(throws: HiPPOError.self) { _ = try Measure.fout.transition(stateSize: 5) }
    #expect(throws: HiPPOError.self) { _ = try Measure.legt(theta: 0).transition(stateSize: 4) }
    #expect(throws: HiPPOError.self) { _ = try Measure.legt(theta: -.infinity).transition(stateSize: 4) }
    #expect(throws: HiPPOError.self) { _ = try Measure.tlagt(beta: .nan).transition(stateSize: 4) }
  }
}
