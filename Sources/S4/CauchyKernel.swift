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
          var sums = CauchySums<Scalar>(modes: m, rank: rank)
          for k in 0..<bins {
            let a = Complex<Scalar>(Scalar(twoOverStep * minus[k].real), Scalar(twoOverStep * minus[k].imaginary))
            let zPlus = Complex<Scalar>(Scalar(plus[k].real), Scalar(plus[k].imaginary))
            sums.evaluate(a: a, zPlus: zPlus, lambda: lambda, c: c, v: b, p: p)
            sums.solve(zPlus: zPlus, transposedToo: false)
            let value = sums.resolvent(zPlus: zPlus)
            destination.base[(h * bins + k) * 2] = value.real
            destination.base[(h * bins + k) * 2 + 1] = value.imaginary
          }
        }
      }
    }
    return try inverseRealFFT(spectra, rows: channels, length: length)
  }
}
