import FFT
import Numerics
import Parallelism

/// The DPLR (S4) kernel through its truncated generating function at the `L`-th
/// roots of unity `z_k = e^{−2πik/L}`:
///
///     K̂(z) = Σ_{l<L} K_l z^l = C̃ (I − Āz)⁻¹ B̄ = C̃ M(z)⁻¹ 2B,
///     M(z) = (2/dt)(1 − z) I − (1 + z) A = D(z) + (1 + z) P_ext P_extᴴ,
///     D(z) = diag((2/dt)(1 − z) − (1 + z) λ_ext),
///
/// (the bilinear `Ā`, `B̄` substituted; this form stays finite at `z = −1`). The
/// Woodbury identity reduces `M⁻¹` to Cauchy sums over the `N` extended modes,
/// `k_{xy}(z) = Σ_n x_n y_n / D_n(z)`:
///
///     K̂ = k_{C̃B} − (1+z) k_{C̃P} (I_R + (1+z) k_{P̄P})⁻¹ k_{P̄B},
///
/// `O(L·N·R²)` per channel; an inverse real FFT of the `⌊L/2⌋ + 1` values (the
/// kernel is real, so `K̂(z̄) = conj K̂(z)`) gives `K`.
struct CauchyKernel {
  let system: DPLRSSM

  func kernel<Scalar: FFTScalar>(tildeC: [Complex<Double>], length: Int, as _: Scalar.Type) throws -> [Scalar] {
    let bins = length / 2 + 1
    let (m, rank, channels) = (system.modes, system.rank, system.channels)
    // 1 − z_k and 1 + z_k in float64, rounded once.
    let minus = (0..<bins).map { k -> Complex<Double> in
      let angle = -2 * Double.pi * Double(k) / Double(length)
      return Complex(1 - .cos(angle), -.sin(angle))
    }
    let plus = (0..<bins).map { k -> Complex<Double> in
      let angle = -2 * Double.pi * Double(k) / Double(length)
      return Complex(1 + .cos(angle), .sin(angle))
    }
    var spectra = [Scalar](repeating: 0, count: channels * bins * 2)
    spectra.withUnsafeMutableBufferPointer { buffer in
      let destination = SharedPointer(buffer.baseAddress!)
      forEachChunk(of: channels) { range in
        for h in range {
          let convert = { (values: ArraySlice<Complex<Double>>) in
            values.map { Complex<Scalar>(Scalar($0.real), Scalar($0.imaginary)) }
          }
          let lambda = convert(system.lambda[system.range(channel: h)])
          let c = convert(tildeC[system.range(channel: h)])
          let b = convert(system.b[system.range(channel: h)]).map { $0 + $0 }
          let p = convert(system.p[system.pRange(channel: h)])
          let twoOverStep = 2 / system.dt[h]
          for k in 0..<bins {
            let a = Complex<Scalar>(Scalar(twoOverStep * minus[k].real), Scalar(twoOverStep * minus[k].imaginary))
            let zPlus = Complex<Scalar>(Scalar(plus[k].real), Scalar(plus[k].imaginary))
            let value = Self.resolvent(
              a: a, zPlus: zPlus, lambda: lambda, c: c, b: b, p: p, modes: m, rank: rank)
            destination.base[(h * bins + k) * 2] = value.real
            destination.base[(h * bins + k) * 2 + 1] = value.imaginary
          }
        }
      }
    }
    return try inverseRealFFT(spectra, rows: channels, length: length)
  }

  /// `C̃ M⁻¹ v` at one frequency by Woodbury; sums run over both halves of the
  /// extended system (`x_ext = [x, x̄]`, `D_n = a − (1+z)λ_n` and `a − (1+z)λ̄_n`).
  static func resolvent<Scalar: FFTScalar>(
    a: Complex<Scalar>, zPlus: Complex<Scalar>, lambda: [Complex<Scalar>], c: [Complex<Scalar>],
    b: [Complex<Scalar>], p: [Complex<Scalar>], modes m: Int, rank: Int
  ) -> Complex<Scalar> {
    var cb = Complex<Scalar>.zero
    var cp = [Complex<Scalar>](repeating: .zero, count: rank)
    var pb = [Complex<Scalar>](repeating: .zero, count: rank)
    var pp = [Complex<Scalar>](repeating: .zero, count: rank * rank)
    for n in 0..<m {
      let first = Complex<Scalar>(1, 0) / (a - zPlus * lambda[n])
      let second = Complex<Scalar>(1, 0) / (a - zPlus * lambda[n].conjugate)
      let (cn, bn) = (c[n], b[n])
      cb = cb + cn * bn * first + cn.conjugate * bn.conjugate * second
      for r in 0..<rank {
        let pr = p[r * m + n]
        cp[r] = cp[r] + cn * pr * first + cn.conjugate * pr.conjugate * second
        pb[r] = pb[r] + pr.conjugate * bn * first + pr * bn.conjugate * second
        for s in 0..<rank {
          let ps = p[s * m + n]
          pp[r * rank + s] = pp[r * rank + s] + pr.conjugate * ps * first + pr * ps.conjugate * second
        }
      }
    }
    // (I + (1+z) k_{P̄P}) x = k_{P̄B}, then K̂ = k_{C̃B} − (1+z) k_{C̃P} · x.
    var system = pp.map { zPlus * $0 }
    for r in 0..<rank { system[r * rank + r] = system[r * rank + r] + Complex(1, 0) }
    let x = solveSmall(system, pb, size: rank)
    var correction = Complex<Scalar>.zero
    for r in 0..<rank { correction = correction + cp[r] * x[r] }
    return cb - zPlus * correction
  }
}

/// Solves the `n × n` complex system `A x = y` by Gaussian elimination with
/// partial pivoting (`n` is a low rank, 1–4).
func solveSmall<Scalar: FFTScalar>(_ matrix: [Complex<Scalar>], _ rhs: [Complex<Scalar>], size n: Int)
  -> [Complex<Scalar>]
{
  var a = matrix
  var y = rhs
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
  var x = [Complex<Scalar>](repeating: .zero, count: n)
  for row in stride(from: n - 1, through: 0, by: -1) {
    var sum = y[row]
    for j in (row + 1)..<max(row + 1, n) { sum = sum - a[row * n + j] * x[j] }
    x[row] = sum / a[row * n + row]
  }
  return x
}
