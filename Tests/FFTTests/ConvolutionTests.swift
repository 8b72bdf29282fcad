import Dispatch
import FFT
import Numerics
import TestSupport
import Testing

/// Direct `O(L²)` evaluation of the (bi)directional convolution, in float64:
/// `y[t] = Σ_{s≤t} K[t−s] u[s] + Σ_{s>t} K̃[s−t−1] u[s] + D u[t]`.
func directConvolution(
  _ u: [Double], shape: SignalShape, kernel: [Double], antiCausal: [Double]?, skip: [Double]?
) -> [Double] {
  var y = [Double](repeating: 0, count: shape.count)
  let length = shape.length
  for row in 0..<shape.rows {
    let channel = row % shape.channels
    for t in 0..<length {
      var sum = (skip?[channel] ?? 0) * u[row * length + t]
      for s in 0...t { sum += kernel[channel * length + t - s] * u[row * length + s] }
      if let antiCausal {
        for s in (t + 1)..<max(t + 1, length) { sum += antiCausal[channel * length + s - t - 1] * u[row * length + s] }
      }
      y[row * length + t] = sum
    }
  }
  return y
}

@Suite("FFT convolution")
struct ConvolutionTests {
  // FFT convolution is backward stable: error ≈ ε·log₂(2L)·‖K‖‖u‖ relative, so
  // 1e-12 (float64) and 1e-5 (float32, ε = 6e-8) at these lengths, while a wrong
  // index or padding gives O(1).
  @Test(arguments: [(1, 1, 1), (2, 3, 7), (3, 2, 64), (2, 4, 100), (1, 2, 1000), (2, 1, 1031)])
  func causalEqualsDirect(batch: Int, channels: Int, length: Int) throws {
    let shape = try SignalShape(batch: batch, channels: channels, length: length)
    let u = normals(shape.count, seed: 1)
    let kernel = normals(channels * length, seed: 2)
    let skip = normals(channels, seed: 3)
    let expected = directConvolution(u, shape: shape, kernel: kernel, antiCausal: nil, skip: skip)
    let y64 = try causalConvolution(u, shape: shape, kernel: kernel, skip: skip)
    #expect(relativeError(y64, expected) <= 1e-12)
    let y32 = try causalConvolution(
      u.map(Float.init), shape: shape, kernel: kernel.map(Float.init), skip: skip.map(Float.init))
    #expect(relativeError(y32, expected) <= 1e-5)
    let noSkip = try causalConvolution(u, shape: shape, kernel: kernel)
    #expect(
      relativeError(noSkip, directConvolution(u, shape: shape, kernel: kernel, antiCausal: nil, skip: nil)) <= 1e-12)
  }

  @Test(arguments: [(1, 1, 1), (2, 3, 9), (1, 2, 128), (2, 2, 301)])
  func bidirectionalEqualsDirect(batch: Int, channels: Int, length: Int) throws {
    let shape = try SignalShape(batch: batch, channels: channels, length: length)
    let u = normals(shape.count, seed: 4)
    let kernel = normals(channels * length, seed: 5)
    let backward = normals(channels * length, seed: 6)
    let skip = normals(channels, seed: 7)
    let expected = directConvolution(u, shape: shape, kernel: kernel, antiCausal: backward, skip: skip)
    let y = try bidirectionalConvolution(u, shape: shape, kernel: kernel, antiCausalKernel: backward, skip: skip)
    #expect(relativeError(y, expected) <= 1e-12)
    let y32 = try bidirectionalConvolution(
      u.map(Float.init), shape: shape, kernel: kernel.map(Float.init), antiCausalKernel: backward.map(Float.init),
      skip: skip.map(Float.init))
    #expect(relativeError(y32, expected) <= 1e-5)
  }

  // The unit impulse picks out the kernel exactly (up to FFT round-off): y = K.
  @Test func impulseResponseIsTheKernel() throws {
    let shape = try SignalShape(batch: 1, channels: 1, length: 50)
    var u = [Double](repeating: 0, count: 50)
    u[0] = 1
    let kernel = normals(50, seed: 8)
    #expect(relativeError(try causalConvolution(u, shape: shape, kernel: kernel), kernel) <= 1e-13)
  }

  @Test(arguments: [1, 2, 7, 16, 33])
  func inverseRealFFTMatchesDefinition(length: Int) throws {
    let bins = length / 2 + 1
    var spectrum = normals(2 * bins, seed: UInt64(length))
    spectrum[1] = 0
    if length.isMultiple(of: 2) { spectrum[2 * bins - 1] = 0 }
    var expected = [Double](repeating: 0, count: length)
    for j in 0..<length {
      var sum = 0.0
      for k in 0..<length {
        // X_{n−k} = conj(X_k) for the bins not stored.
        let (index, sign) = k < bins ? (k, 1.0) : (length - k, -1.0)
        let x = Complex(spectrum[2 * index], sign * spectrum[2 * index + 1])
        sum += (x * Complex.exp(Complex(0, 2 * Double.pi * Double(j * k) / Double(length)))).real
      }
      expected[j] = sum / Double(length)
    }
    #expect(relativeError(try inverseRealFFT(spectrum, rows: 1, length: length), expected) <= 1e-13)
  }

  // Plans are created on first use from many threads at once (the cache and the
  // FFTW planner must be thread-safe) and results must not depend on scheduling.
  @Test func concurrentCallsMatchSerial() throws {
    let lengths = [96, 97, 250, 512, 1000, 2048, 3000, 77]
    let inputs = lengths.map { length in
      (
        try! SignalShape(batch: 2, channels: 3, length: length), normals(6 * length, seed: UInt64(length)),
        normals(3 * length, seed: UInt64(length) + 1)
      )
    }
    let serial = try inputs.map {
      try causalConvolution($0.1.map(Float.init), shape: $0.0, kernel: $0.2.map(Float.init))
    }
    // Swift Testing's expectations are thread-safe: check inside the concurrent work.
    DispatchQueue.concurrentPerform(iterations: inputs.count * 4) { index in
      let (shape, u, kernel) = inputs[index % inputs.count]
      let result = try? causalConvolution(u.map(Float.init), shape: shape, kernel: kernel.map(Float.init))
      #expect(result == serial[index % inputs.count])
    }
  }

  @Test func rejectsBadInput() throws {
    let shape = try SignalShape(batch: 1, channels: 2, length: 4)
    #expect(throws: FFTError.self) {
      _ = try causalConvolution(
        [Double](repeating: 0, count: 7), shape: shape, kernel: [Double](repeating: 0, count: 8))
    }
    #expect(throws: FFTError.self) {
      _ = try causalConvolution(
        [Double](repeating: 0, count: 8), shape: shape, kernel: [Double](repeating: 0, count: 4))
    }
    #expect(throws: FFTError.self) {
      _ = try causalConvolution(
        [Double](repeating: 0, count: 8), shape: shape, kernel: [Double](repeating: 0, count: 8), skip: [1])
    }
    var u = [Double](repeating: 0, count: 8)
    u[3] = .nan
    #expect(throws: FFTError.nonFinite("input u")) {
      _ = try causalConvolution(u, shape: shape, kernel: [Double](repeating: 0, count: 8))
    }
    #expect(throws: FFTError.self) { _ = try SignalShape(batch: 1, channels: 0, length: 4) }
    #expect(throws: FFTError.self) { _ = try SignalShape(batch: 1, channels: 1, length: -3) }
  }
}
