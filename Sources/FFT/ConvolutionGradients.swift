import Parallelism

/// The gradients of a causal FFT convolution with skip,
/// `y[b,c,t] = Σ_{s≤t} K[c,t−s] u[b,c,s] + D[c] u[b,c,t]`, for a loss `ℒ` with
/// `g = ∂ℒ/∂y`:
///
///     ∂ℒ/∂u[b,c,s] = Σ_{t≥s} K[c,t−s] g[b,c,t] + D[c] g[b,c,s]   (correlation with K)
///     ∂ℒ/∂K[c,j]   = Σ_b Σ_{t≥j} g[b,c,t] u[b,c,t−j]             (correlation of g with u)
///     ∂ℒ/∂D[c]     = Σ_b Σ_t g[b,c,t] u[b,c,t]
public struct ConvolutionGradients<Scalar: FFTScalar>: Sendable {
  /// `∂ℒ/∂u`, laid out like `u` (`B × H × L`).
  public let input: [Scalar]
  /// `∂ℒ/∂K`, `H × L`.
  public let kernel: [Scalar]
  /// `∂ℒ/∂D`, `H` values.
  public let skip: [Scalar]
  /// `∂ℒ/∂K̃` of a bidirectional convolution (`H × L`), `nil` for a causal one.
  public let antiCausalKernel: [Scalar]?
}

/// The gradients of ``causalConvolution(_:shape:kernel:skip:effort:)`` with respect to
/// its input, kernel and skip, computed with FFTs: `O(B·H·L log L)`, never `O(L²)`.
///
/// Both correlations are products with a conjugated spectrum in the same zero-padded
/// length-`2L` transform as the forward pass: `irfft(conj(K̂)·ĝ)[:L]` and
/// `irfft(Σ_b conj(û_b)·ĝ_b)[:L]`. Channels run in parallel over the cores.
///
/// - Parameters:
///   - outputGradient: `g = ∂ℒ/∂y`, laid out like `u`.
///   - input: the forward pass's `u`.
///   - shape: `(B × H × L)`.
///   - kernel: the forward pass's `K` (`H × L`).
///   - skip: the forward pass's `D` (`H` values), or `nil` (then `∂ℒ/∂D` is still returned).
///   - effort: FFTW planning effort.
/// - Throws: ``FFTError`` for shape mismatches or non-finite values.
@_specialize(exported:true,where Scalar == Float)
@_specialize(exported:true,where Scalar == Double)
public func causalConvolutionGradients<Scalar: FFTScalar>(
  outputGradient: [Scalar], input: [Scalar], shape: SignalShape, kernel: [Scalar], skip: [Scalar]? = nil,
  effort: PlanningEffort = .estimate
) throws -> ConvolutionGradients<Scalar> {
  try convolutionGradients(
    outputGradient: outputGradient, input: input, shape: shape, kernel: kernel, antiCausalKernel: nil, skip: skip,
    effort: effort)
}

/// The gradients of ``bidirectionalConvolution(_:shape:kernel:antiCausalKernel:skip:effort:)``:
/// as for the causal convolution, with the combined circular kernel `k = [K, reverse(K̃)]`
/// of length `2L`, so `∂ℒ/∂K = ∂ℒ/∂k[0..<L]` and `∂ℒ/∂K̃[j] = ∂ℒ/∂k[2L − 1 − j]`.
@_specialize(exported:true,where Scalar == Float)
@_specialize(exported:true,where Scalar == Double)
public func bidirectionalConvolutionGradients<Scalar: FFTScalar>(
  outputGradient: [Scalar], input: [Scalar], shape: SignalShape, kernel: [Scalar], antiCausalKernel: [Scalar],
  skip: [Scalar]? = nil, effort: PlanningEffort = .estimate
) throws -> ConvolutionGradients<Scalar> {
  try convolutionGradients(
    outputGradient: outputGradient, input: input, shape: shape, kernel: kernel, antiCausalKernel: antiCausalKernel,
    skip: skip, effort: effort)
}

private func convolutionGradients<Scalar: FFTScalar>(
  outputGradient: [Scalar], input: [Scalar], shape: SignalShape, kernel: [Scalar], antiCausalKernel: [Scalar]?,
  skip: [Scalar]?, effort: PlanningEffort
) throws -> ConvolutionGradients<Scalar> {
  let (channels, length, batch) = (shape.channels, shape.length, shape.batch)
  for (values, name, count) in [
    (outputGradient, "output gradient", shape.count), (input, "input u", shape.count),
    (kernel, "kernel", channels * length), (antiCausalKernel ?? kernel, "anti-causal kernel", channels * length),
  ] {
    guard values.count == count else {
      throw FFTError.shapeMismatch("\(name) has \(values.count) values, expected \(count) for \(shape)")
    }
    guard values.allSatisfy(\.isFinite) else { throw FFTError.nonFinite(name) }
  }
  if let skip {
    guard skip.count == channels else {
      throw FFTError.shapeMismatch("skip D has \(skip.count) values, expected \(channels)")
    }
    guard skip.allSatisfy(\.isFinite) else { throw FFTError.nonFinite("skip D") }
  }
  let plan = try RealFFTPlan.cached(length: 2 * length, precision: Scalar.fftPrecision, effort: effort)
  let bins = plan.spectrumCount
  let scale = 1 / Scalar(2 * length)
  var inputGradient = [Scalar](repeating: 0, count: shape.count)
  var kernelGradient = [Scalar](repeating: 0, count: channels * length)
  var skipGradient = [Scalar](repeating: 0, count: channels)
  var antiCausalGradient = [Scalar](repeating: 0, count: antiCausalKernel == nil ? 1 : channels * length)
  inputGradient.withUnsafeMutableBufferPointer { du in
    kernelGradient.withUnsafeMutableBufferPointer { dK in
      skipGradient.withUnsafeMutableBufferPointer { dD in
        antiCausalGradient.withUnsafeMutableBufferPointer { dA in
          let out = (
            du: SharedPointer(du.baseAddress!), dK: SharedPointer(dK.baseAddress!), dD: SharedPointer(dD.baseAddress!),
            dA: SharedPointer(dA.baseAddress!)
          )
          forEachChunk(of: channels, minimumChunk: max(1, 8192 / (batch * length))) { range in
            let pool = BufferPool.shared
            let real = pool.take(2 * length, as: Scalar.self)
            let kernelSpectrum = pool.take(2 * plan.spectrumStride, as: Scalar.self)
            let spectrum = pool.take(2 * plan.spectrumStride, as: Scalar.self)
            let product = pool.take(2 * plan.spectrumStride, as: Scalar.self)
            let sum = pool.take(2 * plan.spectrumStride, as: Scalar.self)
            defer { [real, kernelSpectrum, spectrum, product, sum].forEach { pool.give($0) } }
            /// `destination ← rfft(values zero-padded to 2L)`.
            func transform(_ values: UnsafePointer<Scalar>, into destination: UnsafeMutablePointer<Scalar>) {
              real.pointer.update(from: values, count: length)
              (real.pointer + length).update(repeating: 0, count: length)
              plan.forward(real.pointer, destination)
            }
            for channel in range {
              // The circular kernel k = [K, reverse(K̃) or 0] of length 2L.
              for t in 0..<length { real.pointer[t] = kernel[channel * length + t] }
              if let antiCausalKernel {
                for i in 0..<length { real.pointer[length + i] = antiCausalKernel[channel * length + length - 1 - i] }
              } else {
                (real.pointer + length).update(repeating: 0, count: length)
              }
              plan.forward(real.pointer, kernelSpectrum.pointer)
              sum.pointer.update(repeating: 0, count: 2 * bins)
              var skipSum: Scalar = 0
              for b in 0..<batch {
                let row = (b * channels + channel) * length
                outputGradient.withUnsafeBufferPointer { transform($0.baseAddress! + row, into: spectrum.pointer) }
                // ∂ℒ/∂u: irfft(conj(K̂)·ĝ)[:L]/2L + D g.
                let (k, g, p) = (kernelSpectrum.pointer, spectrum.pointer, product.pointer)
                for bin in 0..<bins {
                  let (kr, ki, gr, gi) = (k[2 * bin], k[2 * bin + 1], g[2 * bin], g[2 * bin + 1])
                  p[2 * bin] = (kr * gr + ki * gi) * scale
                  p[2 * bin + 1] = (kr * gi - ki * gr) * scale
                }
                plan.backward(product.pointer, real.pointer)
                let d = skip?[channel] ?? 0
                for t in 0..<length { out.du.base[row + t] = real.pointer[t] + d * outputGradient[row + t] }
                // Σ_b conj(û)·ĝ for ∂ℒ/∂K, and Σ g·u for ∂ℒ/∂D.
                input.withUnsafeBufferPointer { transform($0.baseAddress! + row, into: product.pointer) }
                let (uHat, s) = (product.pointer, sum.pointer)
                for bin in 0..<bins {
                  let (ur, ui, gr, gi) = (uHat[2 * bin], uHat[2 * bin + 1], g[2 * bin], g[2 * bin + 1])
                  s[2 * bin] += ur * gr + ui * gi
                  s[2 * bin + 1] += ur * gi - ui * gr
                }
                for t in 0..<length { skipSum += outputGradient[row + t] * input[row + t] }
              }
              plan.backward(sum.pointer, real.pointer)
              for j in 0..<length { out.dK.base[channel * length + j] = real.pointer[j] * scale }
              if antiCausalKernel != nil {
                for j in 0..<length { out.dA.base[channel * length + j] = real.pointer[2 * length - 1 - j] * scale }
              }
              out.dD.base[channel] = skipSum
            }
          }
        }
      }
    }
  }
  return ConvolutionGradients(
    input: inputGradient, kernel: kernelGradient, skip: skipGradient,
    antiCausalKernel: antiCausalKernel == nil ? nil : antiCausalGradient)
}
