import FFT
import TestSupport
import Testing

@Suite("FFT convolution gradients")
struct ConvolutionGradientTests {
  // The three gradients against their direct O(L²) definitions, in float64:
  // ∂ℒ/∂u[s] = Σ_{t≥s} K[t−s] g[t] + D g[s], ∂ℒ/∂K[j] = Σ_b Σ_t g[t] u[t−j],
  // ∂ℒ/∂D = Σ g u. The FFT route is backward stable (1e-12 of the largest value,
  // float64; 1e-5 float32) — a conjugation or shift error is O(1).
  @Test(arguments: [(1, 1, 1), (3, 2, 17), (2, 3, 256), (2, 1, 1000)])
  func matchDirectDefinitions(batch: Int, channels: Int, length: Int) throws {
    let shape = try SignalShape(batch: batch, channels: channels, length: length)
    let u = normals(shape.count, seed: 51)
    let g = normals(shape.count, seed: 52)
    let kernel = normals(channels * length, seed: 53)
    let skip = normals(channels, seed: 54)
    var du = [Double](repeating: 0, count: shape.count)
    var dK = [Double](repeating: 0, count: channels * length)
    var dD = [Double](repeating: 0, count: channels)
    for row in 0..<shape.rows {
      let c = row % channels
      let base = row * length
      for s in 0..<length {
        var sum = skip[c] * g[base + s]
        for t in s..<length { sum += kernel[c * length + t - s] * g[base + t] }
        du[base + s] = sum
        dD[c] += g[base + s] * u[base + s]
      }
      for j in 0..<length {
        for t in j..<length { dK[c * length + j] += g[base + t] * u[base + t - j] }
      }
    }
    let result = try causalConvolutionGradients(outputGradient: g, input: u, shape: shape, kernel: kernel, skip: skip)
    #expect(relativeError(result.input, du) <= 1e-12)
    #expect(relativeError(result.kernel, dK) <= 1e-12)
    #expect(relativeError(result.skip, dD) <= 1e-12)
    let single = try causalConvolutionGradients(
      outputGradient: g.map(Float.init), input: u.map(Float.init), shape: shape, kernel: kernel.map(Float.init),
      skip: skip.map(Float.init))
    #expect(relativeError(single.input, du) <= 1e-5)
    #expect(relativeError(single.kernel, dK) <= 1e-5)
    #expect(relativeError(single.skip, dD) <= 1e-5)
  }

  // Bidirectional: the anti-causal kernel's gradient ∂ℒ/∂K̃[j] = Σ_b Σ_t g[t] u[t + j + 1]
  // and the extra term of ∂ℒ/∂u, against their definitions (same tolerances).
  @Test(arguments: [(1, 1, 1), (2, 3, 17), (2, 2, 200)])
  func bidirectionalMatchDirectDefinitions(batch: Int, channels: Int, length: Int) throws {
    let shape = try SignalShape(batch: batch, channels: channels, length: length)
    let u = normals(shape.count, seed: 55)
    let g = normals(shape.count, seed: 56)
    let kernel = normals(channels * length, seed: 57)
    let backward = normals(channels * length, seed: 58)
    let skip = normals(channels, seed: 59)
    var du = [Double](repeating: 0, count: shape.count)
    var dK = [Double](repeating: 0, count: channels * length)
    var dA = [Double](repeating: 0, count: channels * length)
    for row in 0..<shape.rows {
      let (c, base) = (row % channels, row * length)
      for s in 0..<length {
        var sum = skip[c] * g[base + s]
        for t in s..<length { sum += kernel[c * length + t - s] * g[base + t] }
        for t in 0..<s { sum += backward[c * length + s - t - 1] * g[base + t] }
        du[base + s] = sum
      }
      for j in 0..<length {
        for t in j..<length { dK[c * length + j] += g[base + t] * u[base + t - j] }
        for t in 0..<max(0, length - j - 1) { dA[c * length + j] += g[base + t] * u[base + t + j + 1] }
      }
    }
    let result = try bidirectionalConvolutionGradients(
      outputGradient: g, input: u, shape: shape, kernel: kernel, antiCausalKernel: backward, skip: skip)
    #expect(relativeError(result.input, du) <= 1e-12)
    #expect(relativeError(result.kernel, dK) <= 1e-12)
    #expect(relativeError(try #require(result.antiCausalKernel), dA) <= 1e-12)
    #expect(
      try causalConvolutionGradients(outputGradient: g, input: u, shape: shape, kernel: kernel).antiCausalKernel == nil)
  }

  // The adjoint identity ⟨g, conv(u)⟩ = ⟨∂ℒ/∂u, u⟩ (the convolution is linear in u,
  // so ℒ = Σ g·y has gradient exactly the adjoint applied to g).
  @Test func adjointIdentity() throws {
    let shape = try SignalShape(batch: 2, channels: 2, length: 333)
    let u = normals(shape.count, seed: 61)
    let g = normals(shape.count, seed: 62)
    let kernel = normals(2 * 333, seed: 63)
    let y = try causalConvolution(u, shape: shape, kernel: kernel, skip: [0.3, -0.7])
    let du = try causalConvolutionGradients(
      outputGradient: g, input: u, shape: shape, kernel: kernel, skip: [0.3, -0.7]
    )
    .input
    let left = zip(g, y).reduce(0) { $0 + $1.0 * $1.1 }
    let right = zip(du, u).reduce(0) { $0 + $1.0 * $1.1 }
    #expect(abs(left - right) <= 1e-10 * abs(left))
  }

  @Test func rejectsBadInput() throws {
    let shape = try SignalShape(batch: 1, channels: 1, length: 4)
    let four = [Double](repeating: 1, count: 4)
    #expect(throws: FFTError.self) {
      _ = try causalConvolutionGradients(outputGradient: [1, 2, 3], input: four, shape: shape, kernel: four)
    }
    #expect(throws: FFTError.self) {
      _ = try causalConvolutionGradients(outputGradient: [1, .nan, 3, 4], input: four, shape: shape, kernel: four)
    }
    #expect(throws: FFTError.self) {
      _ = try causalConvolutionGradients(outputGradient: four, input: four, shape: shape, kernel: four, skip: [1, 2])
    }
  }
}
