import LinearAlgebra

/// A HiPPO measure: the weighting of the past under which the state is the
/// optimal polynomial (or Fourier) projection of the input history.
///
/// Each case carries its parameters explicitly, because the papers and the
/// official S4 code use different scalings under the same names (see
/// ``transition(stateSize:)``).
public enum Measure: Sendable, Equatable {
  /// Scaled Legendre: uniform measure on the whole history `[0, t]`.
  case legs
  /// Translated Legendre: uniform measure on the window `[t − θ, t]`, in an
  /// orthonormal basis. θ = 1 is the HiPPO paper's LegT, θ = 2 the official S4
  /// code's `legt`.
  case legt(theta: Double)
  /// Legendre Memory Unit (Voelker et al. 2019): LegT with window θ in the LMU's
  /// unnormalised basis. The official S4 code's `lmu` is θ = 1.
  case lmu(theta: Double)
  /// Translated Laguerre, the official S4 code's variant: `A = ½I − tril(1)`, `B = 1`.
  case lagt
  /// Generalised (tilted) translated Laguerre with tilt β:
  /// `A = ((1 − β)/2)·I − tril(1)`, `B = β·1`. β = 1 is the HiPPO paper's LagT.
  case tlagt(beta: Double)
  /// Translated Fourier, official S4 convention: state 0 the constant, states
  /// (2k, 2k+1) a cosine/sine pair at angular frequency πk, state 1 dead.
  case fout

  /// The short name used on the command line (`legs`, `legt`, …).
  public var name: String {
    switch self {
    case .legs: return "legs"
    case .legt: return "legt"
    case .lmu: return "lmu"
    case .lagt: return "lagt"
    case .tlagt: return "tlagt"
    case .fout: return "fout"
    }
  }

  /// The rank of the smallest correction `P` with `A + PᵀP` normal, or `nil`
  /// when the measure has no normal-plus-low-rank form (`lmu`: its basis is not
  /// orthonormal; use ``legt(theta:)``, the same operator in an orthonormal basis).
  public var naturalRank: Int? {
    switch self {
    case .legs, .lagt, .tlagt, .fout: return 1
    case .legt: return 2
    case .lmu: return nil
    }
  }

  /// Throws unless the measure's parameters are in their domain.
  public func validate() throws {
    switch self {
    case .legt(let theta), .lmu(let theta):
      guard theta.isFinite, theta > 0 else {
        throw HiPPOError.invalidParameter(name: "theta", value: theta, reason: "the window must be positive and finite")
      }
    case .tlagt(let beta):
      guard beta.isFinite else {
        throw HiPPOError.invalidParameter(name: "beta", value: beta, reason: "the tilt must be finite")
      }
    case .legs, .lagt, .fout:
      break
    }
  }

  /// Throws unless `n` is a valid state size for this measure (`n ≥ 1`; even
  /// for ``fout``, whose states come in pairs).
  public func validateStateSize(_ n: Int) throws {
    guard n >= 1 else { throw HiPPOError.invalidStateSize(n, reason: "the state size must be at least 1") }
    if self == .fout, !n.isMultiple(of: 2) {
      throw HiPPOError.invalidStateSize(n, reason: "fout needs an even state size (cosine/sine pairs)")
    }
  }

  /// The continuous-time HiPPO operator `x'(t) = A x(t) + B u(t)` (for LegS the
  /// time-varying system is `x' = (1/t)(A x + B u)`), in float64.
  ///
  /// With `n, k ∈ 0..<N` and `r_n = √(2n+1)`:
  /// - LegS: `A[n,k] = −r_n r_k` (n > k), `−(n+1)` (n = k), 0 (n < k); `B[n] = r_n`.
  /// - LegT(θ): `A[n,k] = −(1/θ) r_n r_k · (1 if k ≤ n else (−1)^(n−k))`; `B[n] = r_n/θ`.
  /// - LMU(θ): `A[n,k] = ((2n+1)/θ)·(−1 if n < k else (−1)^(n−k+1))`; `B[n] = (−1)^n (2n+1)/θ`.
  /// - LagT: `A = ½I − tril(1)`; `B = 1`.  TLagT(β): `A = ((1−β)/2)I − tril(1)`; `B = β·1`.
  /// - FouT: `A = S − BBᵀ` with `S[2k, 2k+1] = −πk`, `S[2k+1, 2k] = πk`
  ///   (k ≥ 1); `B[0] = 1`, `B[2k] = √2` (k ≥ 1), `B[odd] = 0`.
  ///
  /// - Returns: `A` (`N × N`) and `B` (`N`).
  public func transition(stateSize n: Int) throws -> (a: Matrix<Double>, b: [Double]) {
    try validate()
    try validateStateSize(n)
    let r = (0..<n).map { (2.0 * Double($0) + 1).squareRoot() }
    switch self {
    case .legs:
      let a = Matrix<Double>(rows: n, columns: n) { i, k in
        i > k ? -r[i] * r[k] : (i == k ? -Double(i + 1) : 0)
      }
      return (a, r)
    case .legt(let theta):
      let a = Matrix<Double>(rows: n, columns: n) { i, k in
        let sign: Double = k <= i ? 1 : ((i - k).isMultiple(of: 2) ? 1 : -1)
        return -(1 / theta) * r[i] * r[k] * sign
      }
      return (a, r.map { $0 / theta })
    case .lmu(let theta):
      let a = Matrix<Double>(rows: n, columns: n) { i, k in
        let sign: Double = i < k ? -1 : ((i - k + 1).isMultiple(of: 2) ? 1 : -1)
        return Double(2 * i + 1) / theta * sign
      }
      let b = (0..<n).map { i in (i.isMultiple(of: 2) ? 1.0 : -1.0) * Double(2 * i + 1) / theta }
      return (a, b)
    case .lagt:
      return (lowerOnes(n, diagonalShift: 0.5), [Double](repeating: 1, count: n))
    case .tlagt(let beta):
      return (lowerOnes(n, diagonalShift: (1 - beta) / 2), [Double](repeating: beta, count: n))
    case .fout:
      let b = (0..<n).map { i in i == 0 ? 1.0 : (i.isMultiple(of: 2) ? 2.0.squareRoot() : 0) }
      let a = Matrix<Double>(rows: n, columns: n) { i, k in
        var skew = 0.0
        if i >= 2, i.isMultiple(of: 2), k == i + 1 { skew = -Double.pi * Double(i / 2) }
        if k >= 2, k.isMultiple(of: 2), i == k + 1 { skew = Double.pi * Double(k / 2) }
        return skew - b[i] * b[k]
      }
      return (a, b)
    }
  }

  /// `shift·I − tril(1)` (the lower triangle including the diagonal is −1).
  private func lowerOnes(_ n: Int, diagonalShift: Double) -> Matrix<Double> {
    Matrix<Double>(rows: n, columns: n) { i, k in
      (k <= i ? -1 : 0) + (i == k ? diagonalShift : 0)
    }
  }
}
