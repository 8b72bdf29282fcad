import LinearAlgebra

extension Measure {
  /// The low-rank correction `P` (`rank × N`) that makes `A + PᵀP` normal:
  /// `A + PᵀP = cI + S` with `S` skew-symmetric.
  ///
  /// - LegS: `P[0, n] = √(n + ½)` (then `c = −½`).
  /// - LegT(θ): `P[0, n] = √((2n+1)/θ)` for odd n, `P[1, n] = √((2n+1)/θ)` for even n
  ///   (`c = 0`; θ = 2 gives the official S4 code's halved correction).
  /// - LagT, TLagT(β): `P[0, n] = √½` (`c = 0`, resp. `−β/2`).
  /// - FouT: `P[0] = B` (`c = 0`).
  ///
  /// Rows beyond the natural rank are zero.
  ///
  /// - Parameters:
  ///   - n: the state size `N`.
  ///   - rank: the number of rows; defaults to ``naturalRank``.
  /// - Throws: ``HiPPOError/noRankCorrection(measure:)`` for `lmu`,
  ///   ``HiPPOError/rankTooSmall(measure:requested:natural:)`` when
  ///   `rank < naturalRank`, and state-size errors.
  public func rankCorrection(stateSize n: Int, rank: Int? = nil) throws -> Matrix<Double> {
    try validate()
    try validateStateSize(n)
    guard let natural = naturalRank else { throw HiPPOError.noRankCorrection(measure: name) }
    let rank = rank ?? natural
    guard rank >= natural else { throw HiPPOError.rankTooSmall(measure: name, requested: rank, natural: natural) }
    var p = Matrix<Double>(rows: rank, columns: n)
    switch self {
    case .legs:
      for i in 0..<n { p[0, i] = (Double(i) + 0.5).squareRoot() }
    case .legt(let theta):
      for i in 0..<n { p[i.isMultiple(of: 2) ? 1 : 0, i] = (Double(2 * i + 1) / theta).squareRoot() }
    case .lagt, .tlagt:
      for i in 0..<n { p[0, i] = 0.5.squareRoot() }
    case .fout:
      let b = try transition(stateSize: n).b
      for i in 0..<n { p[0, i] = b[i] }
    case .lmu:
      throw HiPPOError.noRankCorrection(measure: name)
    }
    return p
  }
}
