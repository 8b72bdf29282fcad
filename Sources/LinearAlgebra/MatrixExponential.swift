import Numerics

/// Padé coefficients `b_0 … b_m` of the `[m/m]` approximant to `eˣ`
/// (Higham 2005, Table 2.3), for `m` = 3, 5, 7, 9, 13.
private let padeCoefficients: [Int: [Double]] = [
  3: [120, 60, 12, 1],
  5: [30240, 15120, 3360, 420, 30, 1],
  7: [17_297_280, 8_648_640, 1_995_840, 277_200, 25200, 1512, 56, 1],
  9: [17_643_225_600, 8_821_612_800, 2_075_673_600, 302_702_400, 30_270_240, 2_162_160, 110_880, 3960, 90, 1],
  13: [
    64_764_752_532_480_000, 32_382_376_266_240_000, 7_771_770_303_897_600, 1_187_353_796_428_800,
    129_060_195_264_000, 10_559_470_521_600, 670_442_572_800, 33_522_128_640, 1_323_241_920,
    40_840_800, 960_960, 16380, 182, 1,
  ],
]

/// `θ_m`: the largest `‖A‖₁` for which the `[m/m]` Padé approximant has
/// backward error below the unit roundoff `2⁻⁵³` (Higham 2005, Table 2.3).
private let padeThresholds: [(degree: Int, theta: Double)] = [
  (3, 1.495585217958292e-2),
  (5, 2.539398330063230e-1),
  (7, 9.504178996162932e-1),
  (9, 2.097847961257068e0),
  (13, 5.371920351148152e0),
]

extension Matrix {
  /// The matrix exponential `e^A = Σ_k A^k / k!`, by scaling and squaring with a
  /// Padé approximant (Higham, "The scaling and squaring method for the matrix
  /// exponential revisited", SIAM J. Matrix Anal. Appl. 26(4), 2005, Algorithm 2.3).
  ///
  /// With `‖A‖₁ ≤ θ_m` for `m ∈ {3, 5, 7, 9}` the `[m/m]` approximant
  /// `r_m(A) = (V − U)⁻¹(V + U)` is used directly, where `U` collects the odd and
  /// `V` the even powers of `A` weighted by the Padé coefficients `b_j`.
  /// Otherwise `A` is scaled by `2⁻ˢ` with `s = ⌈log₂(‖A‖₁/θ₁₃)⌉`, `r₁₃` is
  /// evaluated with 6 matrix products, and the result is squared `s` times:
  /// `e^A = r₁₃(2⁻ˢA)^(2ˢ)`. The backward error is at the unit-roundoff level.
  ///
  /// - Throws: ``LinearAlgebraError/notSquare(rows:columns:)``,
  ///   ``LinearAlgebraError/nonFinite(_:)``, or a singular-solve error (which
  ///   cannot happen for finite input in exact arithmetic).
  @_specialize(exported:true,where Scalar == Double)
  @_specialize(exported:true,where Scalar == Complex<Double>)
  public func exponential() throws -> Matrix {
    try requireSquare()
    try requireFinite("matrix exponential input")
    let n = rows
    let identity = Matrix.identity(n)
    let norm = oneNorm
    for (degree, theta) in padeThresholds where degree < 13 && norm <= theta {
      let (u, v) = padeNumeratorParts(degree: degree, identity: identity)
      return try (v - u).solve(v + u)
    }
    let theta13 = padeThresholds.last!.theta
    let squarings = norm > theta13 ? Int((norm / theta13).log2Ceiling) : 0
    let scaled = Scalar(real: Double.pow2(-squarings)) * self
    let (u, v) = scaled.padeNumeratorParts(degree: 13, identity: identity)
    var result = try (v - u).solve(v + u)
    for _ in 0..<squarings { result = result * result }
    return result
  }

  /// The odd part `U` and even part `V` of the `[m/m]` Padé numerator
  /// `p_m(A) = U + V` (the denominator is `q_m(A) = V − U`).
  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Complex<Double>)
  private func padeNumeratorParts(degree: Int, identity: Matrix) -> (u: Matrix, v: Matrix) {
    let b = padeCoefficients[degree]!.map { Scalar(real: $0) }
    let a2 = self * self
    if degree == 13 {
      let a4 = a2 * a2
      let a6 = a4 * a2
      let oddInner = a6 * (b[13] * a6 + b[11] * a4 + b[9] * a2)
      let u = self * (oddInner + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * identity)
      let evenInner = a6 * (b[12] * a6 + b[10] * a4 + b[8] * a2)
      let v = evenInner + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * identity
      return (u, v)
    }
    // U = A·Σ_{j odd} b_j A^{j−1},  V = Σ_{j even} b_j A^j, with A^{2i} built up.
    var evenPower = identity
    var oddSum = b[1] * identity
    var v = b[0] * identity
    for j in stride(from: 2, through: degree, by: 2) {
      evenPower = evenPower * a2
      v = v + b[j] * evenPower
      if j + 1 <= degree { oddSum = oddSum + b[j + 1] * evenPower }
    }
    return (self * oddSum, v)
  }
}

extension Double {
  /// `⌈log₂ x⌉` for `x > 1`, exact at powers of two.
  fileprivate var log2Ceiling: Double {
    let exponent = self.exponent  // x = significand · 2^exponent, significand ∈ [1, 2)
    return significand == 1 ? Double(exponent) : Double(exponent + 1)
  }

  /// `2^k` exactly.
  fileprivate static func pow2(_ k: Int) -> Double { Double(sign: .plus, exponent: k, significand: 1) }
}
