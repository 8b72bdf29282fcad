import LinearAlgebra
import Numerics

/// The diagonal-plus-low-rank (DPLR) form of a HiPPO operator.
///
/// With `P` the rank correction, the normal part `A + PᵀP = cI + S` (`S` real
/// skew-symmetric) is unitarily diagonalisable, and over the conjugate-extended
/// system (`Λ_ext = [Λ, Λ̄]`, `V_ext = [V, V̄]`, `P̃_ext = [P̃, conj P̃]`)
///
///     A = V_ext (diag Λ_ext − P̃_extᵀ conj(P̃_ext)) V_extᴴ,   B = V_ext B̃_ext.
///
/// Only one member of each conjugate pair is stored (`N/2` of each).
public struct DPLRDecomposition: Sendable {
  /// Eigenvalues `λ_j = c + iω_j` of the normal part with `ω_j ≤ 0`, sorted by
  /// imaginary part ascending (`N/2`).
  public let lambda: [Complex<Double>]
  /// `P̃ = (Vᴴ Pᵀ)ᵀ`: row `r` is `Vᴴ P[r]` (`rank × N/2`).
  public let p: Matrix<Complex<Double>>
  /// `B̃ = Vᴴ B` (`N/2`), exactly, with no clipping.
  public let b: [Complex<Double>]
  /// The orthonormal eigenvectors for ``lambda`` as columns (`N × N/2`), with the
  /// phase rule: the first entry whose modulus is at least half the column's
  /// largest modulus is real and positive.
  public let v: Matrix<Complex<Double>>
  /// The constant real part `c` of every eigenvalue.
  public let shift: Double
  /// `max_ij |(V_ext diag(Λ_ext) V_extᴴ − (A + PᵀP))_ij|`: how well the kept
  /// eigenpairs reproduce the normal part (round-off level when correct).
  public let normalResidual: Double
}

extension Measure {
  /// The NPLR → DPLR decomposition of this measure's operator.
  ///
  /// Steps: `P` = ``rankCorrection(stateSize:rank:)``; `c` = mean diagonal of
  /// `A + PᵀP`; `S = A + PᵀP − cI` must be skew-symmetric (checked to
  /// `1e-10·max|A + PᵀP|`); the Hermitian matrix `−iS` is diagonalised (LAPACK
  /// `zheevd`), so `S w = iω w` and `λ = c + iω`. The `N/2` eigenpairs with
  /// `ω < 0` (sorted ascending) are kept. Zero eigenvalues (FouT's constant and
  /// dead states) have no conjugate partner among the others: their real
  /// eigenspace is given an orthonormal real basis `q_1, q_2, …` by pivoted
  /// Gram–Schmidt of its projector's columns, and the pairs are stored as
  /// `(q_{2j−1} + i q_{2j})/√2`, whose conjugates complete `V_ext` to a unitary matrix.
  ///
  /// - Parameters:
  ///   - n: the state size `N`, even.
  ///   - rank: rows of `P`; defaults to the natural rank.
  public func dplr(stateSize n: Int, rank: Int? = nil) throws -> DPLRDecomposition {
    try validateStateSize(n)
    guard n.isMultiple(of: 2) else {
      throw HiPPOError.invalidStateSize(n, reason: "the DPLR form keeps N/2 conjugate pairs, so N must be even")
    }
    let (a, b) = try transition(stateSize: n)
    let p = try rankCorrection(stateSize: n, rank: rank)
    let normalPart = a + p.transposed * p
    let shift = (0..<n).reduce(0.0) { $0 + normalPart[$1, $1] } / Double(n)
    let skew = normalPart.addingToDiagonal(-shift)
    let skewDeviation = (skew + skew.transposed).maxModulus
    guard skewDeviation <= 1e-10 * Swift.max(normalPart.maxModulus, 1) else {
      throw HiPPOError.notNormalPlusLowRank(deviation: skewDeviation)
    }
    // −iS is Hermitian; its eigenvalues ω are the imaginary parts of S's.
    let hermitian = Matrix<Complex<Double>>(rows: n, columns: n) { i, k in
      Complex(0, -skew[i, k])
    }
    let eigen = try hermitian.hermitianEigendecomposition()
    let scale = Swift.max(1, eigen.values.map(abs).max() ?? 0)
    let zeroTolerance = 1e-9 * scale
    let negative = eigen.values.indices.filter { eigen.values[$0] < -zeroTolerance }
    let zero = eigen.values.indices.filter { abs(eigen.values[$0]) <= zeroTolerance }
    guard zero.count.isMultiple(of: 2), negative.count + zero.count / 2 == n / 2 else {
      throw HiPPOError.notNormalPlusLowRank(deviation: Double(zero.count))
    }
    var columns: [[Complex<Double>]] = negative.map { eigen.vectors.column($0) }
    var values: [Complex<Double>] = negative.map { Complex(shift, eigen.values[$0]) }
    let zeroBasis = realOrthonormalBasis(ofSpanOf: zero.map { eigen.vectors.column($0) }, dimension: n)
    let inverseSqrt2 = 1 / 2.0.squareRoot()
    for pair in stride(from: 0, to: zeroBasis.count, by: 2) {
      let (first, second) = (zeroBasis[pair], zeroBasis[pair + 1])
      let paired: [Complex<Double>] = (0..<n).map { i in
        Complex<Double>(first[i] * inverseSqrt2, second[i] * inverseSqrt2)
      }
      columns.append(paired)
      values.append(Complex(shift, 0))
    }
    let half = n / 2
    var v = Matrix<Complex<Double>>(rows: n, columns: half)
    for (j, column) in columns.enumerated() {
      let normalised = withPhaseRule(column)
      for i in 0..<n { v[i, j] = normalised[i] }
    }
    let vAdjoint = v.adjoint
    let pTilde = (vAdjoint * p.complexMatrix.transposed).transposed
    let bTilde = vAdjoint * b.map { Complex($0, 0) }
    let reconstruction = v * Matrix.diagonal(values) * vAdjoint
    let twiceReal = Matrix<Double>(rows: n, columns: n) { i, k in 2 * reconstruction[i, k].real }
    let residual = (twiceReal - normalPart).maxModulus
    return DPLRDecomposition(
      lambda: values, p: pTilde, b: bTilde, v: v, shift: shift, normalResidual: residual)
  }
}

/// An orthonormal basis of real vectors for the span of `vectors`, assumed
/// closed under conjugation (the eigenspace of a real matrix for a real
/// eigenvalue). The columns of the real projector `Π = Re Σ v vᴴ` are
/// orthogonalised by Gram–Schmidt, each time taking the column with the largest
/// remaining norm (lowest index on ties), so the result is deterministic.
private func realOrthonormalBasis(ofSpanOf vectors: [[Complex<Double>]], dimension n: Int) -> [[Double]] {
  guard !vectors.isEmpty else { return [] }
  var candidates: [[Double]] = (0..<n).map { column in
    (0..<n).map { row in
      vectors.reduce(0.0) { $0 + ($1[row] * $1[column].conjugate).real }
    }
  }
  var basis: [[Double]] = []
  while basis.count < vectors.count {
    let norms = candidates.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    var best = 0
    for j in 1..<n where norms[j] > norms[best] * (1 + 1e-12) { best = j }
    let q = candidates[best].map { $0 / norms[best] }
    basis.append(q)
    candidates = candidates.map { c in
      let dot = zip(c, q).reduce(0) { $0 + $1.0 * $1.1 }
      return zip(c, q).map { $0 - dot * $1 }
    }
  }
  return basis
}

/// Rotates a vector by a unit phase so that its first entry with modulus at
/// least half the largest is real and positive (a deterministic phase choice
/// for eigenvectors, which LAPACK returns with arbitrary phase).
private func withPhaseRule(_ vector: [Complex<Double>]) -> [Complex<Double>] {
  let largest = vector.map(\.length).max() ?? 0
  guard largest > 0, let anchor = vector.first(where: { $0.length >= 0.5 * largest }) else { return vector }
  let phase = anchor.conjugate / Complex(anchor.length, 0)
  return vector.map { $0 * phase }
}
