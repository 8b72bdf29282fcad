import FFT
import Numerics
import Parallelism

/// Gradients of a loss with respect to the trainable parameters of a ``DiagonalSSM`` in
/// S4D's parameterisation `λ = −exp(r) + i·m`, `dt = exp(s)`. Complex parameters
/// carry `∂ℒ/∂Re + i·∂ℒ/∂Im`. Arrays are `H × M` (`dt`: `H`).
public struct DiagonalSSMGradients: Sendable, Equatable {
  /// `∂ℒ/∂r` with `r = log(−Re λ)`.
  public var logNegativeRealLambda: [Double]
  /// `∂ℒ/∂ Im λ`.
  public var imaginaryLambda: [Double]
  /// `∂ℒ/∂Re B + i ∂ℒ/∂Im B`.
  public var b: [Complex<Double>]
  /// `∂ℒ/∂Re C + i ∂ℒ/∂Im C`.
  public var c: [Complex<Double>]
  /// `∂ℒ/∂ log dt`, one per channel.
  public var logDt: [Double]
}

extension DiagonalSSM {
  /// Backpropagates `∂ℒ/∂K` (`H × L`) through ``kernel(length:as:)`` to the parameters.
  ///
  /// With `z = Ā`, `W = C B̄` and `K_l = 2 Re Σ_n W_n z_n^l`, the sums
  ///
  ///     S₀ = Σ_l g_l z^l,   S₁ = Σ_l l g_l z^{l−1}     (g = ∂ℒ/∂K of the channel)
  ///
  /// give `∂ℒ/∂W = 2 conj(S₀)` and `∂ℒ/∂z = 2 conj(W S₁)` (for real `ℒ` and holomorphic
  /// dependence, `∂ℒ/∂Re w + i ∂ℒ/∂Im w = conj(Σ g ∂K/∂w)`); the chain rule through
  /// `z(λ, dt)`, `B̄(λ, dt, B)` of ZOH or bilinear then gives every parameter. `S₀`, `S₁`
  /// are evaluated like the forward kernel: per block of `β ≈ √L` outputs a real product
  /// with a table of `z^j`, `j z^{j−1}`, combined with float64 anchors `z^{mβ}`,
  /// `mβ z^{mβ−1}`. Work `O(H·M·L)`, the same order as the kernel.
  ///
  /// - Parameters:
  ///   - kernelGradient: `∂ℒ/∂K`, `H × L`, in the precision of the forward pass.
  ///   - length: `L`.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func kernelGradients<Scalar: FFTScalar>(_ kernelGradient: [Scalar], length: Int) throws
    -> DiagonalSSMGradients
  {
    guard length >= 1 else { throw S4Error.invalidSize("kernel length \(length) must be at least 1") }
    guard kernelGradient.count == channels * length else {
      throw S4Error.shapeMismatch("∂ℒ/∂K has \(kernelGradient.count) values, expected \(channels) × \(length)")
    }
    guard kernelGradient.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("∂ℒ/∂K") }
    let (aBar, bBar) = discretized()
    let sums = PowerSums(aBar: aBar, channels: channels, modes: modes).evaluate(kernelGradient, length: length)
    var gradients = DiagonalSSMGradients(
      logNegativeRealLambda: [], imaginaryLambda: [], b: [], c: [], logDt: [Double](repeating: 0, count: channels))
    for h in 0..<channels {
      let step = dt[h]
      for n in 0..<modes {
        let i = h * modes + n
        let (lambda, z, w) = (lambda[i], aBar[i], c[i] * bBar[i])
        let gradientW = Complex(2, 0) * sums.s0[i].conjugate
        let gradientZ = Complex(2, 0) * (w * sums.s1[i]).conjugate
        let gradientBBar = gradientW * c[i].conjugate
        let (phi, dPhi, dZ) = derivatives(lambda: lambda, dt: step, z: z)
        // λ enters through z and through B̄ = B φ; dt likewise.
        let gradientLambda = gradientZ * dZ.lambda.conjugate + gradientBBar * (b[i] * dPhi.lambda).conjugate
        gradients.logNegativeRealLambda.append(gradientLambda.real * lambda.real)
        gradients.imaginaryLambda.append(gradientLambda.imaginary)
        gradients.b.append(gradientBBar * phi.conjugate)
        gradients.c.append(gradientW * bBar[i].conjugate)
        let gradientDt = (gradientZ * dZ.dt.conjugate).real + (gradientBBar * (b[i] * dPhi.dt).conjugate).real
        gradients.logDt[h] += step * gradientDt
      }
    }
    return gradients
  }

  /// `φ = B̄/B` and the derivatives of `φ` and `z = Ā` with respect to `λ` and `dt`.
  private func derivatives(lambda: Complex<Double>, dt: Double, z: Complex<Double>) -> (
    phi: Complex<Double>, dPhi: (lambda: Complex<Double>, dt: Complex<Double>),
    dZ: (lambda: Complex<Double>, dt: Complex<Double>)
  ) {
    let x = Complex(dt, 0) * lambda
    switch discretization {
    case .zoh:
      // φ = (e^x − 1)/λ = dt·expm1(x)/x; dφ/dλ = dt²·(x e^x − expm1 x)/x², by its series near 0.
      let relative = x == .zero ? Complex(1, 0) : Complex.expMinusOne(x) / x
      let shape: Complex<Double>
      if x.length < 1e-3 {
        let terms: [Double] = [1.0 / 2, 1.0 / 3, 1.0 / 8, 1.0 / 30, 1.0 / 144]
        shape = terms.reversed().reduce(Complex<Double>.zero) { $0 * x + Complex($1, 0) }
      } else {
        shape = (x * z - Complex.expMinusOne(x)) / (x * x)
      }
      return (Complex(dt, 0) * relative, (Complex(dt * dt, 0) * shape, z), (Complex(dt, 0) * z, lambda * z))
    case .bilinear:
      let denominator = Complex(1, 0) - Complex(0.5, 0) * x
      let squared = denominator * denominator
      return (
        Complex(dt, 0) / denominator, (Complex(dt * dt / 2, 0) / squared, Complex(1, 0) / squared),
        (Complex(dt, 0) / squared, lambda / squared)
      )
    }
  }
}

/// The power sums of the kernel's backward pass for every channel and mode:
/// `S₀ = Σ_l g_l z^l` and `S₁ = Σ_l l g_l z^{l−1}`, re-anchored like ``VandermondeKernel``.
struct PowerSums {
  let aBar: [Complex<Double>]
  let channels: Int
  let modes: Int

  func evaluate<Scalar: FFTScalar>(_ gradient: [Scalar], length: Int) -> (s0: [Complex<Double>], s1: [Complex<Double>])
  {
    let block = VandermondeKernel.blockSize(length: length)
    let blocks = (length + block - 1) / block
    let m = modes
    let columns = 4 * m
    var s0 = [Complex<Double>](repeating: .zero, count: channels * m)
    var s1 = s0
    s0.withUnsafeMutableBufferPointer { s0 in
      s1.withUnsafeMutableBufferPointer { s1 in
        let out = (s0: SharedPointer(s0.baseAddress!), s1: SharedPointer(s1.baseAddress!))
        forEachChunk(of: channels, minimumChunk: max(1, 8192 / max(1, m * length / 64))) { range in
          // table[j][·] = [Re z^j, Im z^j, Re j z^{j−1}, Im j z^{j−1}] over the modes.
          var table = [Scalar](repeating: 0, count: block * columns)
          var product = [Scalar](repeating: 0, count: blocks * columns)
          let cutoff = VandermondeKernel.cutoff(for: Scalar.self)
          let flushed = { (value: Double) -> Scalar in abs(value) < cutoff ? 0 : Scalar(value) }
          for h in range {
            for n in 0..<m {
              let z = aBar[h * m + n]
              var (power, previous) = (Complex<Double>(1, 0), Complex<Double>.zero)  // z^j, z^{j−1}
              for j in 0..<block {
                let derivative = Complex(Double(j), 0) * previous
                table[j * columns + n] = flushed(power.real)
                table[j * columns + m + n] = flushed(power.imaginary)
                table[j * columns + 2 * m + n] = flushed(derivative.real)
                table[j * columns + 3 * m + n] = flushed(derivative.imaginary)
                previous = power
                power = power.lengthSquared < cutoff * cutoff ? .zero : power * z
              }
            }
            // product[b][·] = Σ_j ĝ[bβ + j] · table[j][·], with ĝ = g / max|g| flushed like
            // the table, so no product is subnormal; the sums are scaled back below.
            let scale = (0..<length).reduce(0.0) { max($0, abs(Double(gradient[h * length + $1]))) }
            for i in product.indices { product[i] = 0 }
            for blockIndex in 0..<blocks where scale > 0 {
              for j in 0..<min(block, length - blockIndex * block) {
                let g = flushed(Double(gradient[h * length + blockIndex * block + j]) / scale)
                if g == 0 { continue }
                for column in 0..<columns { product[blockIndex * columns + column] += g * table[j * columns + column] }
              }
            }
            for n in 0..<m {
              let z = aBar[h * m + n]
              var zBlockMinusOne = Complex<Double>(1, 0)  // z^{β−1}
              for _ in 1..<block { zBlockMinusOne = zBlockMinusOne * z }
              let zBlock = zBlockMinusOne * z
              var (anchor, previousAnchor) = (Complex<Double>(1, 0), Complex<Double>.zero)  // z^{mβ}, z^{(m−1)β}
              var (sum0, sum1) = (Complex<Double>.zero, Complex<Double>.zero)
              for blockIndex in 0..<blocks {
                let row = blockIndex * columns
                let p = Complex(Double(product[row + n]), Double(product[row + m + n]))
                let q = Complex(Double(product[row + 2 * m + n]), Double(product[row + 3 * m + n]))
                // mβ z^{mβ−1} P + z^{mβ} Q, with z^{mβ−1} = z^{(m−1)β} z^{β−1}.
                let shifted = Complex(Double(blockIndex * block), 0) * previousAnchor * zBlockMinusOne
                sum0 = sum0 + anchor * p
                sum1 = sum1 + shifted * p + anchor * q
                previousAnchor = anchor
                anchor = anchor.lengthSquared < cutoff * cutoff ? .zero : anchor * zBlock
              }
              out.s0.base[h * m + n] = Complex(scale, 0) * sum0
              out.s1.base[h * m + n] = Complex(scale, 0) * sum1
            }
          }
        }
      }
    }
    return (s0, s1)
  }
}
