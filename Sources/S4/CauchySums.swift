import FFT
import Numerics

/// The Cauchy sums of the DPLR resolvent at one frequency `z`, over the `N = 2M` extended
/// modes (`x_ext = [x, x̄]`), with `D_n = a − (1+z) λ_n`, `D′_n = a − (1+z) λ̄_n`:
///
///     k_{C̃v}    = Σ_n C̃_n v_n/D_n + conj(C̃_n v_n)/D′_n,
///     k_{C̃P}[s] = Σ_n C̃_n P_{sn}/D_n + conj(C̃_n P_{sn})/D′_n,
///     k_{P̄v}[r] = Σ_n P̄_{rn} v_n/D_n + P_{rn} v̄_n/D′_n,
///     k_{P̄P}[r,s] = Σ_n P̄_{rn} P_{sn}/D_n + P_{rn} P̄_{sn}/D′_n,
///
/// and the Woodbury solves `x = Q⁻¹ k_{P̄v}`, `y = Q⁻ᵀ k_{C̃P}` with `Q = I + (1+z) k_{P̄P}`, so
/// that `C̃ M(z)⁻¹ v = k_{C̃v} − (1+z) k_{C̃P}·x` (``resolvent``). One value serves every
/// frequency of a channel: its arrays are allocated once and overwritten by ``evaluate``.
struct CauchySums<Scalar: FFTScalar> {
  let modes: Int
  let rank: Int
  /// `1/D_n` and `1/D′_n` (`M` each).
  private(set) var first: [Complex<Scalar>]
  private(set) var second: [Complex<Scalar>]
  private(set) var cv = Complex<Scalar>.zero
  private(set) var cp: [Complex<Scalar>]
  private(set) var pv: [Complex<Scalar>]
  private(set) var pp: [Complex<Scalar>]
  /// `Q⁻¹ k_{P̄v}` and `Q⁻ᵀ k_{C̃P}` after ``solve(zPlus:transposedToo:)``.
  private(set) var x: [Complex<Scalar>]
  private(set) var y: [Complex<Scalar>]
  private var q: [Complex<Scalar>]

  init(modes: Int, rank: Int) {
    self.modes = modes
    self.rank = rank
    first = [Complex<Scalar>](repeating: .zero, count: modes)
    second = first
    cp = [Complex<Scalar>](repeating: .zero, count: rank)
    (pv, x, y) = (cp, cp, cp)
    pp = [Complex<Scalar>](repeating: .zero, count: rank * rank)
    q = pp
  }

  /// Fills the sums for `a = (2/dt)(1 − z)` and `zPlus = 1 + z`; `v` is the right vector
  /// (`2B` for the kernel), `p` the rank rows of `P` (`R × M`).
  mutating func evaluate(
    a: Complex<Scalar>, zPlus: Complex<Scalar>, lambda: [Complex<Scalar>], c: [Complex<Scalar>],
    v: [Complex<Scalar>], p: [Complex<Scalar>]
  ) {
    let m = modes
    cv = .zero
    for r in 0..<rank { (cp[r], pv[r]) = (.zero, .zero) }
    for i in pp.indices { pp[i] = .zero }
    for n in 0..<m {
      let (d1, d2) = (
        Complex<Scalar>(1, 0) / (a - zPlus * lambda[n]), Complex<Scalar>(1, 0) / (a - zPlus * lambda[n].conjugate)
      )
      (first[n], second[n]) = (d1, d2)
      let (cn, vn) = (c[n], v[n])
      cv = cv + cn * vn * d1 + cn.conjugate * vn.conjugate * d2
      for r in 0..<rank {
        let pr = p[r * m + n]
        cp[r] = cp[r] + cn * pr * d1 + cn.conjugate * pr.conjugate * d2
        pv[r] = pv[r] + pr.conjugate * vn * d1 + pr * vn.conjugate * d2
        for s in 0..<rank {
          let ps = p[s * m + n]
          pp[r * rank + s] = pp[r * rank + s] + pr.conjugate * ps * d1 + pr * ps.conjugate * d2
        }
      }
    }
  }

  /// Solves `Q x = k_{P̄v}` and, when asked, `Qᵀ y = k_{C̃P}` (for the gradients).
  mutating func solve(zPlus: Complex<Scalar>, transposedToo: Bool) {
    for index in 0..<(rank * rank) { q[index] = zPlus * pp[index] }
    for r in 0..<rank { q[r * rank + r] = q[r * rank + r] + Complex(1, 0) }
    x = pv
    var matrix = q
    solveSmall(&matrix, &x, size: rank)
    guard transposedToo else { return }
    for r in 0..<rank { for s in 0..<rank { matrix[r * rank + s] = q[s * rank + r] } }
    y = cp
    solveSmall(&matrix, &y, size: rank)
  }

  /// `C̃ M(z)⁻¹ v = k_{C̃v} − (1+z) Σ_s k_{C̃P}[s] x_s` (after ``solve(zPlus:transposedToo:)``).
  func resolvent(zPlus: Complex<Scalar>) -> Complex<Scalar> {
    var correction = Complex<Scalar>.zero
    for r in 0..<rank { correction = correction + cp[r] * x[r] }
    return cv - zPlus * correction
  }
}

/// Solves the `n × n` complex system `A x = y` in place by Gaussian elimination with
/// partial pivoting (`n` is a low rank, 1–4): `matrix` is destroyed, `rhs` becomes `x`.
func solveSmall<Scalar: FFTScalar>(_ a: inout [Complex<Scalar>], _ y: inout [Complex<Scalar>], size n: Int) {
  for column in 0..<n {
    var pivot = column
    for row in (column + 1)..<max(column + 1, n) where a[row * n + column].length > a[pivot * n + column].length {
      pivot = row
    }
    if pivot != column {
      for j in 0..<n { a.swapAt(column * n + j, pivot * n + j) }
      y.swapAt(column, pivot)
    }
    let inverse = Complex<Scalar>(1, 0) / a[column * n + column]
    for row in (column + 1)..<max(column + 1, n) {
      let factor = a[row * n + column] * inverse
      for j in column..<n { a[row * n + j] = a[row * n + j] - factor * a[column * n + j] }
      y[row] = y[row] - factor * y[column]
    }
  }
  for row in stride(from: n - 1, through: 0, by: -1) {
    var sum = y[row]
    for j in (row + 1)..<max(row + 1, n) { sum = sum - a[row * n + j] * y[j] }
    y[row] = sum / a[row * n + row]
  }
}
