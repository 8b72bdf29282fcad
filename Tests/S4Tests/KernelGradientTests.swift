import FFT
import Numerics
import S4
import TestSupport
import Testing

/// S4D's trainable parameters: `λ = −exp(r) + i·m`, `B`, `C`, `dt = exp(s)`.
struct TrainableParameters {
  var r: [Double]
  var m: [Double]
  var b: [Complex<Double>]
  var c: [Complex<Double>]
  var s: [Double]

  func system(_ discretization: DiagonalDiscretization) throws -> DiagonalSSM {
    try DiagonalSSM(
      lambda: zip(r, m).map { Complex(-Double.exp($0), $1) }, b: b, c: c, dt: s.map { Double.exp($0) },
      discretization: discretization)
  }

  static func random(channels: Int, modes: Int, seed: UInt64) -> TrainableParameters {
    let raw = normals(2 * channels * modes, seed: seed)
    return TrainableParameters(
      r: (0..<(channels * modes)).map { Double.log(0.5) + 0.3 * raw[$0] },
      m: (0..<(channels * modes)).map { Double.pi * Double($0 % modes) + raw[channels * modes + $0] },
      b: complexNormals(channels * modes, seed: seed + 1), c: complexNormals(channels * modes, seed: seed + 2),
      s: steps(channels, seed: seed + 3).map { Double.log($0) })
  }
}

@Suite("S4D kernel gradients")
struct KernelGradientTests {
  // ℒ = Σ G·K for a fixed random G, so ∂ℒ/∂K = G. Central differences with step
  // 1e-6 have truncation error ~1e-12·|ℒ'''| and rounding ~ε|ℒ|/1e-6 ≈ 1e-10|ℒ|; the
  // tolerance 1e-6 of each family's largest gradient is far above both and far below
  // a sign, factor-2 or missing-term error (O(1) relative). L = 300 spans several
  // anchor blocks (β = 32); L = 1 and 7 check the edges.
  @Test(arguments: [DiagonalDiscretization.zoh, .bilinear], [1, 7, 300])
  func matchFiniteDifferences(discretization: DiagonalDiscretization, length: Int) throws {
    let (channels, modes) = (2, 3)
    let parameters = TrainableParameters.random(channels: channels, modes: modes, seed: UInt64(length))
    let weights = normals(channels * length, seed: 71)
    let loss = { (p: TrainableParameters) throws -> Double in
      zip(try p.system(discretization).kernel(length: length, as: Double.self), weights).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let analytic = try parameters.system(discretization).kernelGradients(weights, length: length)
    let step = 1e-6
    func difference(_ perturb: (inout TrainableParameters, Double) -> Void) throws -> Double {
      var plus = parameters
      var minus = parameters
      perturb(&plus, step)
      perturb(&minus, -step)
      return (try loss(plus) - loss(minus)) / (2 * step)
    }
    func check(_ name: String, _ analytic: [Double], _ numeric: [Double]) {
      let scale = max(numeric.map(abs).max() ?? 0, 1e-12)
      let worst = zip(analytic, numeric).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= 1e-6 * scale, "\(name): worst \(worst) of scale \(scale)")
    }
    let count = channels * modes
    check("log(−Re λ)", analytic.logNegativeRealLambda, try (0..<count).map { i in try difference { $0.r[i] += $1 } })
    check("Im λ", analytic.imaginaryLambda, try (0..<count).map { i in try difference { $0.m[i] += $1 } })
    check(
      "Re B", analytic.b.map(\.real), try (0..<count).map { i in try difference { $0.b[i] = $0.b[i] + Complex($1, 0) } }
    )
    check(
      "Im B", analytic.b.map(\.imaginary),
      try (0..<count).map { i in try difference { $0.b[i] = $0.b[i] + Complex(0, $1) } })
    check(
      "Re C", analytic.c.map(\.real), try (0..<count).map { i in try difference { $0.c[i] = $0.c[i] + Complex($1, 0) } }
    )
    check(
      "Im C", analytic.c.map(\.imaginary),
      try (0..<count).map { i in try difference { $0.c[i] = $0.c[i] + Complex(0, $1) } })
    check("log dt", analytic.logDt, try (0..<channels).map { h in try difference { $0.s[h] += $1 } })
  }

  // The float32 backward agrees with float64 (1e-4 of each family's largest value:
  // the power sums are rounded once per term, like the forward kernel), at a length
  // with many anchor blocks.
  @Test func float32MatchesFloat64() throws {
    let system = try TrainableParameters.random(channels: 3, modes: 16, seed: 5).system(.zoh)
    let length = 4096
    let weights = normals(3 * length, seed: 81)
    let reference = try system.kernelGradients(weights, length: length)
    let single = try system.kernelGradients(weights.map(Float.init), length: length)
    #expect(relativeError(single.logNegativeRealLambda, reference.logNegativeRealLambda) <= 1e-4)
    #expect(relativeError(single.imaginaryLambda, reference.imaginaryLambda) <= 1e-4)
    #expect(
      relativeError(single.b.flatMap { [$0.real, $0.imaginary] }, reference.b.flatMap { [$0.real, $0.imaginary] })
        <= 1e-4)
    #expect(
      relativeError(single.c.flatMap { [$0.real, $0.imaginary] }, reference.c.flatMap { [$0.real, $0.imaginary] })
        <= 1e-4)
    #expect(relativeError(single.logDt, reference.logDt) <= 1e-4)
  }

  // The whole layer (kernel + FFT convolution + D): ℒ = Σ g·y against central
  // differences for inputs, D and one parameter family (tolerance as above).
  @Test func layerMatchesFiniteDifferences() throws {
    let parameters = TrainableParameters.random(channels: 2, modes: 4, seed: 9)
    let skip = [0.4, -1.1]
    let shape = try SignalShape(batch: 2, channels: 2, length: 64)
    let u = normals(shape.count, seed: 91)
    let g = normals(shape.count, seed: 92)
    func loss(_ p: TrainableParameters, _ u: [Double], _ d: [Double]) throws -> Double {
      let layer = try DiagonalConvolutionLayer(system: p.system(.zoh), skip: d)
      return zip(try layer.forward(u, shape: shape), g).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let layer = try DiagonalConvolutionLayer(system: parameters.system(.zoh), skip: skip)
    let analytic = try layer.gradients(outputGradient: g, input: u, shape: shape)
    let step = 1e-6
    for index in [0, 17, 64, 200, 255] {
      var (plus, minus) = (u, u)
      plus[index] += step
      minus[index] -= step
      let numeric = (try loss(parameters, plus, skip) - loss(parameters, minus, skip)) / (2 * step)
      #expect(abs(analytic.input[index] - numeric) <= 1e-6 * max(1, abs(numeric)))
    }
    for h in 0..<2 {
      var (plus, minus) = (skip, skip)
      plus[h] += step
      minus[h] -= step
      let numeric = (try loss(parameters, u, plus) - loss(parameters, u, minus)) / (2 * step)
      #expect(abs(analytic.skip[h] - numeric) <= 1e-6 * max(1, abs(numeric)))
      var (dtPlus, dtMinus) = (parameters, parameters)
      dtPlus.s[h] += step
      dtMinus.s[h] -= step
      let numericDt = (try loss(dtPlus, u, skip) - loss(dtMinus, u, skip)) / (2 * step)
      #expect(abs(analytic.system.logDt[h] - numericDt) <= 1e-6 * max(1, abs(numericDt)))
    }
  }

  @Test func rejectsBadInput() throws {
    let system = try TrainableParameters.random(channels: 2, modes: 2, seed: 1).system(.zoh)
    #expect(throws: S4Error.self) { _ = try system.kernelGradients([Double](repeating: 0, count: 7), length: 4) }
    #expect(throws: S4Error.self) { _ = try system.kernelGradients([Double](repeating: .nan, count: 8), length: 4) }
    #expect(throws: S4Error.self) { _ = try system.kernelGradients([Double](), length: 0) }
  }
}
