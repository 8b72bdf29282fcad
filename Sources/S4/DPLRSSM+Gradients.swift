import FFT
import Numerics
import Parallelism

/// Gradients of a loss with respect to a ``DPLRSSM``'s parameters in the S4
/// parameterisation with `C̃` as the trained output vector. Complex entries carry
/// `∂ℒ/∂Re + i·∂ℒ/∂Im`. Shapes as in ``DPLRSSM`` (`λ`, `B`, `C̃`: `H × M`; `P`: `H × R × M`).
public struct DPLRSSMGradients: Sendable, Equatable {
  /// `∂ℒ/∂Re λ + i ∂ℒ/∂Im λ`, `H × M`.
  public var lambda: [Complex<Double>]
  /// `∂ℒ/∂P`, `H × R × M`.
  public var p: [Complex<Double>]
  /// `∂ℒ/∂B`, `H × M`.
  public var b: [Complex<Double>]
  /// `∂ℒ/∂C̃`, `H × M`.
  public var tildeC: [Complex<Double>]
  /// `∂ℒ/∂ log dt`, one per channel.
  public var logDt: [Double]
}

extension DPLRSSM {
  /// Backpropagates `g = ∂ℒ/∂K` (`H × L`) through ``kernel(length:tildeC:as:)``.
  ///
  /// With `Ĝ_k = c_k·rfft(g)_k` (`c_k = 1/L` at `k = 0` and `L/2`, `2/L` otherwise) the loss is
  /// `ℒ = Re Σ_k conj(Ĝ_k) K̂_k` over the half spectrum, and for a parameter `θ`
  ///
  ///     ∂ℒ/∂Re θ + i ∂ℒ/∂Im θ = Σ_k Ĝ_k conj(∂K̂_k/∂θ) + conj(Ĝ_k) ∂K̂_k/∂θ̄.
  ///
  /// The Woodbury form `K̂ = k_{C̃B} − b k_{C̃P} x`, `x = (I + b k_{P̄P})⁻¹ k_{P̄B}` (with
  /// `b = 1 + z`) factorises its derivatives per mode: with `yᵀ = k_{C̃P}ᵀ (I + b k_{P̄P})⁻¹`,
  /// `α_n = C̃_n − b Σ_r y_r P̄_{rn}` and `β_n = 2B_n − b Σ_s P_{sn} x_s` (and `α′`, `β′` for the
  /// conjugate half), `∂K̂/∂λ_n = b α_n β_n/D_n²`, `∂K̂/∂C̃_n = β_n/D_n`, `∂K̂/∂B_n = 2α_n/D_n`,
  /// `∂K̂/∂P_{qn} = −b (x_q α_n/D_n + y_q β′_n/D′_n)`, and `∂K̂/∂dt = Σ_n (a/dt)(α_nβ_n/D_n² + α′_nβ′_n/D′_n²)`,
  /// where `D_n = a − bλ_n`, `D′_n = a − b λ̄_n`, `a = (2/dt)(1 − z)`. Float64; `O(H·L·M·R²)`.
  public func kernelGradients(_ kernelGradient: [Double], length: Int, tildeC: [Complex<Double>]) throws
    -> DPLRSSMGradients
  {
    guard length >= 1 else { throw S4Error.invalidSize("kernel length \(length) must be at least 1") }
    guard kernelGradient.count == channels * length, tildeC.count == lambda.count else {
      throw S4Error.shapeMismatch(
        "∂ℒ/∂K has \(kernelGradient.count) values for \(channels) × \(length); C̃ \(tildeC.count)")
    }
    guard kernelGradient.allSatisfy(\.isFinite), tildeC.allSatisfy(\.isFinite) else {
      throw S4Error.nonFinite("∂ℒ/∂K or C̃")
    }
    let bins = length / 2 + 1
    let spectra = try realFFT(kernelGradient, rows: channels, length: length)
    let (m, rank) = (modes, self.rank)
    var (lambdaGradient, pGradient) = (
      [Complex<Double>](repeating: .zero, count: lambda.count), [Complex<Double>](repeating: .zero, count: p.count)
    )
    var (bGradient, cGradient) = (lambdaGradient, lambdaGradient)
    var logDtGradient = [Double](repeating: 0, count: channels)
    lambdaGradient.withUnsafeMutableBufferPointer { gl in
      pGradient.withUnsafeMutableBufferPointer { gp in
        bGradient.withUnsafeMutableBufferPointer { gb in
          cGradient.withUnsafeMutableBufferPointer { gc in
            logDtGradient.withUnsafeMutableBufferPointer { gs in
              let out = (
                lambda: SharedPointer(gl.baseAddress!), p: SharedPointer(gp.baseAddress!),
                b: SharedPointer(gb.baseAddress!), c: SharedPointer(gc.baseAddress!),
                logDt: SharedPointer(gs.baseAddress!)
              )
              forEachChunk(of: channels) { channelRange in
                for h in channelRange {
                  let twoOverStep = 2 / dt[h]
                  let (lambdaH, cH) = (Array(lambda[range(channel: h)]), Array(tildeC[range(channel: h)]))
                  let vH = b[range(channel: h)].map { $0 + $0 }
                  let pH = Array(p[pRange(channel: h)])
                  var sums = CauchySums<Double>(modes: m, rank: rank)
                  var dtGradient = 0.0
                  for k in 0..<bins {
                    let angle = -2 * Double.pi * Double(k) / Double(length)
                    let z = Complex(Double.cos(angle), Double.sin(angle))
                    let (a, zPlus) = (Complex(twoOverStep, 0) * (Complex(1, 0) - z), Complex(1, 0) + z)
                    let weight = (k == 0 || 2 * k == length) ? 1 / Double(length) : 2 / Double(length)
                    let g = Complex(weight, 0) * Complex(spectra[(h * bins + k) * 2], spectra[(h * bins + k) * 2 + 1])
                    sums.evaluate(a: a, zPlus: zPlus, lambda: lambdaH, c: cH, v: vH, p: pH)
                    sums.solve(zPlus: zPlus, transposedToo: true)
                    /// Ĝ conj(∂K̂/∂θ) + conj(Ĝ) ∂K̂/∂θ̄.
                    func combine(_ holomorphic: Complex<Double>, _ antiholomorphic: Complex<Double>) -> Complex<Double>
                    {
                      g * holomorphic.conjugate + g.conjugate * antiholomorphic
                    }
                    for n in 0..<m {
                      var (alpha, beta) = (cH[n], vH[n])
                      var (alphaBar, betaBar) = (cH[n].conjugate, vH[n].conjugate)
                      for r in 0..<rank {
                        let pr = pH[r * m + n]
                        alpha = alpha - zPlus * sums.y[r] * pr.conjugate
                        beta = beta - zPlus * pr * sums.x[r]
                        alphaBar = alphaBar - zPlus * sums.y[r] * pr
                        betaBar = betaBar - zPlus * pr.conjugate * sums.x[r]
                      }
                      let (d1, d2) = (sums.first[n], sums.second[n])
                      let i = h * m + n
                      out.lambda.base[i] =
                        out.lambda.base[i]
                        + combine(zPlus * alpha * beta * d1 * d1, zPlus * alphaBar * betaBar * d2 * d2)
                      out.c.base[i] = out.c.base[i] + combine(beta * d1, betaBar * d2)
                      out.b.base[i] = out.b.base[i] + combine(Complex(2, 0) * alpha * d1, Complex(2, 0) * alphaBar * d2)
                      for r in 0..<rank {
                        let index = (h * rank + r) * m + n
                        let holomorphic = Complex(-1, 0) * zPlus * (sums.x[r] * alpha * d1 + sums.y[r] * betaBar * d2)
                        let antiholomorphic =
                          Complex(-1, 0) * zPlus * (sums.y[r] * beta * d1 + sums.x[r] * alphaBar * d2)
                        out.p.base[index] = out.p.base[index] + combine(holomorphic, antiholomorphic)
                      }
                      let dKdt = (a / Complex(dt[h], 0)) * (alpha * beta * d1 * d1 + alphaBar * betaBar * d2 * d2)
                      dtGradient += (g.conjugate * dKdt).real
                    }
                  }
                  out.logDt.base[h] = dt[h] * dtGradient
                }
              }
            }
          }
        }
      }
    }
    return DPLRSSMGradients(lambda: lambdaGradient, p: pGradient, b: bGradient, tildeC: cGradient, logDt: logDtGradient)
  }
}
