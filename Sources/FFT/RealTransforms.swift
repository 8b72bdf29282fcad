import Parallelism

/// Batched inverse real DFT, normalised: for each row of `n/2 + 1` complex bins
/// `X_k` (interleaved `re, im`) returns the `n` reals
///
///     x_j = (1/n) Σ_{k=0}^{n−1} X_k e^{2πi jk/n},   X_{n−k} = conj(X_k),
///
/// the inverse of `rfft`. Imaginary parts of `X_0` (and of `X_{n/2}` for even `n`)
/// are ignored, as for any real signal's spectrum.
///
/// - Parameters:
///   - spectra: `rows · (n/2 + 1) · 2` values.
///   - rows: the number of transforms.
///   - length: `n`, the real output length of each.
/// - Returns: `rows · n` values, row-major.
@_specialize(exported:true,where Scalar == Float)
@_specialize(exported:true,where Scalar == Double)
public func inverseRealFFT<Scalar: FFTScalar>(_ spectra: [Scalar], rows: Int, length: Int) throws -> [Scalar] {
  guard rows >= 1, length >= 1 else { throw FFTError.invalidSize("rows \(rows), length \(length)") }
  let plan = try RealFFTPlan.cached(length: length, precision: Scalar.fftPrecision, effort: .estimate)
  let bins = plan.spectrumCount
  guard spectra.count == rows * bins * 2 else {
    throw FFTError.shapeMismatch("\(spectra.count) spectrum values, expected \(rows) × \(bins) × 2")
  }
  guard spectra.allSatisfy(\.isFinite) else { throw FFTError.nonFinite("spectrum") }
  var output = [Scalar](repeating: 0, count: rows * length)
  let scale = 1 / Scalar(length)
  output.withUnsafeMutableBufferPointer { out in
    let destination = SharedPointer(out.baseAddress!)
    forEachChunk(of: rows, minimumChunk: max(1, 16_384 / length)) { range in
      let spectrum = AlignedBuffer<Scalar>(count: 2 * bins)
      let real = AlignedBuffer<Scalar>(count: length)
      for row in range {
        for i in 0..<(2 * bins) { spectrum.pointer[i] = spectra[row * 2 * bins + i] }
        plan.backward(spectrum.pointer, real.pointer)
        let target = destination.base + row * length
        for j in 0..<length { target[j] = real.pointer[j] * scale }
      }
    }
  }
  return output
}

/// Batched forward real DFT: for each row of `n` reals `x_j` the `n/2 + 1` complex bins
///
///     X_k = Σ_{j=0}^{n−1} x_j e^{−2πi jk/n},   k = 0 … ⌊n/2⌋,
///
/// interleaved `re, im` (unnormalised, the inverse of ``inverseRealFFT(_:rows:length:)``).
///
/// - Parameters:
///   - signals: `rows · n` values.
///   - rows: the number of transforms.
///   - length: `n`.
/// - Returns: `rows · (n/2 + 1) · 2` values.
@_specialize(exported:true,where Scalar == Float)
@_specialize(exported:true,where Scalar == Double)
public func realFFT<Scalar: FFTScalar>(_ signals: [Scalar], rows: Int, length: Int) throws -> [Scalar] {
  guard rows >= 1, length >= 1 else { throw FFTError.invalidSize("rows \(rows), length \(length)") }
  guard signals.count == rows * length else {
    throw FFTError.shapeMismatch("\(signals.count) values, expected \(rows) × \(length)")
  }
  guard signals.allSatisfy(\.isFinite) else { throw FFTError.nonFinite("signal") }
  let plan = try RealFFTPlan.cached(length: length, precision: Scalar.fftPrecision, effort: .estimate)
  let bins = plan.spectrumCount
  var output = [Scalar](repeating: 0, count: rows * 2 * bins)
  output.withUnsafeMutableBufferPointer { out in
    let destination = SharedPointer(out.baseAddress!)
    forEachChunk(of: rows, minimumChunk: max(1, 16_384 / length)) { range in
      let real = BufferPool.shared.take(length, as: Scalar.self)
      let spectrum = BufferPool.shared.take(2 * plan.spectrumStride, as: Scalar.self)
      defer {
        BufferPool.shared.give(real)
        BufferPool.shared.give(spectrum)
      }
      for row in range {
        for j in 0..<length { real.pointer[j] = signals[row * length + j] }
        plan.forward(real.pointer, spectrum.pointer)
        (destination.base + row * 2 * bins).update(from: spectrum.pointer, count: 2 * bins)
      }
    }
  }
  return output
}
