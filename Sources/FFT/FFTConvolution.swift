import Parallelism

/// Causal convolution of every signal row with its channel's kernel, by FFT:
///
///     y[b,c,t] = Σ_{s ≤ t} K[c, t−s] · u[b,c,s] + D[c] · u[b,c,t],
///
/// computed as `irfft(rfft(u, 2L) · rfft(K, 2L))[:L] + D·u` (zero padding to `2L`
/// makes the circular convolution linear). Work is `O(B·H·L log L)`.
///
/// - Parameters:
///   - u: the inputs, `shape.count` values laid out as ``SignalShape``.
///   - shape: `(B × H × L)`.
///   - kernel: `K`, `H × L` values (one kernel per channel, shared by the batch).
///   - skip: `D`, `H` values, or `nil` for no skip term.
///   - effort: FFTW planning effort for a length not planned before.
/// - Returns: `y`, laid out like `u`.
/// - Throws: ``FFTError`` for shape mismatches or non-finite inputs.
@_specialize(exported:true,where Scalar == Float)
@_specialize(exported:true,where Scalar == Double)
public func causalConvolution<Scalar: FFTScalar>(
  _ u: [Scalar], shape: SignalShape, kernel: [Scalar], skip: [Scalar]? = nil,
  effort: PlanningEffort = .estimate
) throws -> [Scalar] {
  try FFTConvolver<Scalar>(shape: shape, effort: effort)
    .apply(u, kernel: kernel, antiCausalKernel: nil, skip: skip)
}

/// Bidirectional convolution: a causal kernel `K` plus an anti-causal kernel `K̃`
/// that reads the future of the same row,
///
///     y[b,c,t] = Σ_{s ≤ t} K[c, t−s] u[b,c,s] + Σ_{s > t} K̃[c, s−t−1] u[b,c,s] + D[c] u[b,c,t],
///
/// by one FFT of length `2L` with the combined circular kernel
/// `k = [K[0..L), reverse(K̃[0..L))]` (S4's bidirectional layers).
///
/// - Parameters:
///   - u: the inputs, `shape.count` values.
///   - shape: `(B × H × L)`.
///   - kernel: `K`, `H × L` values.
///   - antiCausalKernel: `K̃`, `H × L` values (`K̃[c, j]` weighs the input `j + 1` steps ahead).
///   - skip: `D`, `H` values, or `nil`.
///   - effort: FFTW planning effort.
/// - Returns: `y`, laid out like `u`.
@_specialize(exported:true,where Scalar == Float)
@_specialize(exported:true,where Scalar == Double)
public func bidirectionalConvolution<Scalar: FFTScalar>(
  _ u: [Scalar], shape: SignalShape, kernel: [Scalar], antiCausalKernel: [Scalar], skip: [Scalar]? = nil,
  effort: PlanningEffort = .estimate
) throws -> [Scalar] {
  try FFTConvolver<Scalar>(shape: shape, effort: effort)
    .apply(u, kernel: kernel, antiCausalKernel: antiCausalKernel, skip: skip)
}

/// The shared implementation: kernel spectra once per channel, then every row
/// (`b, c`) transformed, multiplied and transformed back, rows spread over the
/// cores (one FFTW thread per transform, aligned per-thread work buffers).
struct FFTConvolver<Scalar: FFTScalar> {
  let shape: SignalShape
  let plan: RealFFTPlan

  init(shape: SignalShape, effort: PlanningEffort) throws {
    self.shape = shape
    plan = try RealFFTPlan.cached(length: 2 * shape.length, precision: Scalar.fftPrecision, effort: effort)
  }

  func apply(_ u: [Scalar], kernel: [Scalar], antiCausalKernel: [Scalar]?, skip: [Scalar]?) throws -> [Scalar] {
    let (channels, length) = (shape.channels, shape.length)
    try requireCount(u, shape.count, "input u", shape.description)
    try requireCount(kernel, channels * length, "kernel", "(\(channels) × \(length))")
    if let antiCausalKernel {
      try requireCount(antiCausalKernel, channels * length, "anti-causal kernel", "(\(channels) × \(length))")
    }
    if let skip { try requireCount(skip, channels, "skip D", "(\(channels))") }

    let spectra = kernelSpectra(kernel, antiCausalKernel)
    defer { BufferPool.shared.give(spectra) }
    let stride = plan.spectrumStride
    let bins = plan.spectrumCount
    // Every output value is written below: no zero fill first.
    let y = [Scalar](unsafeUninitializedCapacity: shape.count) { output, initialized in
      u.withUnsafeBufferPointer { input in
        let source = SharedPointer(UnsafeMutablePointer(mutating: input.baseAddress!))
        let destination = SharedPointer(output.baseAddress!)
        forEachChunk(of: shape.rows, minimumChunk: max(1, 16_384 / length)) { rows in
          let real = BufferPool.shared.take(2 * length, as: Scalar.self)
          let spectrum = BufferPool.shared.take(2 * stride, as: Scalar.self)
          defer {
            BufferPool.shared.give(real)
            BufferPool.shared.give(spectrum)
          }
          for row in rows {
            let channel = row % channels
            let x = source.base + row * length
            real.pointer.update(from: x, count: length)
            (real.pointer + length).update(repeating: 0, count: length)
            plan.forward(real.pointer, spectrum.pointer)
            let k = spectra.pointer + 2 * stride * channel
            let s = spectrum.pointer
            for bin in 0..<bins {
              let (a, b) = (s[2 * bin], s[2 * bin + 1])
              let (c, d) = (k[2 * bin], k[2 * bin + 1])
              s[2 * bin] = a * c - b * d
              s[2 * bin + 1] = a * d + b * c
            }
            plan.backward(spectrum.pointer, real.pointer)
            let out = destination.base + row * length
            if let skip {
              let d = skip[channel]
              for t in 0..<length { out[t] = real.pointer[t] + d * x[t] }
            } else {
              out.update(from: real.pointer, count: length)
            }
          }
        }
      }
      initialized = shape.count
    }
    return y
  }

  /// `rfft(k, 2L) / 2L` for every channel (a pooled buffer: give it back after use) (the `1/2L` folds the normalisation of
  /// the unnormalised backward transform into the kernel), rows `spectrumStride` apart.
  private func kernelSpectra(_ kernel: [Scalar], _ antiCausal: [Scalar]?) -> AlignedBuffer<Scalar> {
    let (channels, length) = (shape.channels, shape.length)
    let stride = plan.spectrumStride
    let spectra = BufferPool.shared.take(2 * stride * channels, as: Scalar.self)
    let scale = 1 / Scalar(2 * length)
    let destination = SharedPointer(spectra.pointer)
    forEachChunk(of: channels, minimumChunk: max(1, 16_384 / length)) { range in
      let real = BufferPool.shared.take(2 * length, as: Scalar.self)
      defer { BufferPool.shared.give(real) }
      for channel in range {
        for t in 0..<length { real.pointer[t] = kernel[channel * length + t] * scale }
        if let antiCausal {
          for i in 0..<length { real.pointer[length + i] = antiCausal[channel * length + length - 1 - i] * scale }
        } else {
          (real.pointer + length).update(repeating: 0, count: length)
        }
        plan.forward(real.pointer, destination.base + 2 * stride * channel)
      }
    }
    return spectra
  }

  private func requireCount(_ values: [Scalar], _ expected: Int, _ name: String, _ shapeText: String) throws {
    guard values.count == expected else {
      throw FFTError.shapeMismatch("\(name) has \(values.count) values, expected \(expected) for \(shapeText)")
    }
    guard values.allSatisfy(\.isFinite) else { throw FFTError.nonFinite(name) }
  }
}
