import HiPPO
import LinearAlgebra
import Numerics
import SeededRandom
import Signals
import Testing

@Suite("Online function approximation")
struct OnlineApproximationTests {
  /// Seeded band-limited noise up to 2 Hz over 2 s, unit root mean square.
  func noise(length: Int, seed: UInt64 = 11) throws -> [Double] {
    try BandLimitedNoise(
      length: length, sampleStepSeconds: 2 / Double(length), cutoffHertz: 2, normalization: .rootMeanSquare(1)
    ).samples(seed: seed)
  }

  func meanSquare(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 } / Double(x.count) }

  // The issue's quality bar: N = 64, MSE below 1e-3 of the signal's mean square.
  // LegS error is dominated by the first samples (large relative steps 1/t),
  // and shrinks with L; at L = 3000 it is ~1e-5.
  @Test(arguments: [ApproximationMethod.bilinear, .backward, .zoh])
  func legsReconstructsWholeHistory(method: ApproximationMethod) throws {
    let signal = try noise(length: 3000)
    let result = try approximate(signal, memory: .legs, stateSize: 64, method: method)
    #expect(result.reconstruction.count == signal.count)
    #expect(result.meanSquaredError < 1e-3 * meanSquare(signal))
  }

  // LegT with θ = 1, dt = 1e-3 keeps the last 1000 samples; bilinear and ZOH
  // are stable for any dt (forward Euler is not at this step: |1 + dtλ| > 1).
  @Test(arguments: [ApproximationMethod.bilinear, .zoh, .backward])
  func legtReconstructsLastWindow(method: ApproximationMethod) throws {
    let signal = try BandLimitedNoise(
      length: 3000, sampleStepSeconds: 1e-3, cutoffHertz: 2, normalization: .rootMeanSquare(1)
    ).samples(seed: 5)
    let result = try approximate(signal, memory: .legt(theta: 1, dt: 1e-3), stateSize: 64, method: method)
    #expect(result.reconstruction.count == 1000)
    #expect(result.target == Array(signal.suffix(1000)))
    #expect(result.meanSquaredError < 1e-3 * meanSquare(result.target))
  }

  // The LegS recurrence, written out for the first steps with explicit solves:
  // c_t = (I − A/2t)⁻¹[(I + A/2t)c_{t−1} + (B/t)u[t−1]] (bilinear) and
  // c_t = E c_{t−1} + A⁻¹(E − I)B u[t−1], E = expm(A log((t+1)/t)) (ZOH).
  // Both routes are a few solves deep: 1e-12 relative.
  @Test func legsStepsMatchIssueFormulas() throws {
    let n = 6
    let signal: [Double] = [0.3, -1.2, 0.8, 2.0, -0.4]
    let (a, b) = try Measure.legs.transition(stateSize: n)
    let identity = Matrix<Double>.identity(n)
    var bilinear = [Double](repeating: 0, count: n)
    var zoh = bilinear
    for t in 1...signal.count {
      let time = Double(t)
      let u = signal[t - 1]
      let rhs = zip((identity + (1 / (2 * time)) * a) * bilinear, b).map { $0 + $1 / time * u }
      bilinear = try (identity - (1 / (2 * time)) * a).solve(rhs)
      let e = try (Double.log((time + 1) / time) * a).exponential()
      let input = try a.solve((e - identity) * b)
      zoh = zip(e * zoh, input).map { $0 + $1 * u }
    }
    let bilinearResult = try approximate(signal, memory: .legs, stateSize: n, method: .bilinear)
    let zohResult = try approximate(signal, memory: .legs, stateSize: n, method: .zoh)
    let scale = bilinear.map(abs).max()!
    for i in 0..<n {
      #expect(abs(bilinearResult.state[i] - bilinear[i]) <= 1e-12 * scale)
      #expect(abs(zohResult.state[i] - zoh[i]) <= 1e-12 * scale)
    }
  }

  // A polynomial of degree < N is represented exactly by LegT coefficients in
  // the continuous limit; with ZOH at dt = 1e-4 the discretisation error of a
  // linear ramp is O(dt): MSE ≤ 1e-6.
  @Test func legtRepresentsRampWithinWindow() throws {
    let dt = 1e-4
    let signal = (0..<15000).map { Double($0) * dt }
    let result = try approximate(signal, memory: .legt(theta: 1, dt: dt), stateSize: 8, method: .zoh)
    #expect(result.meanSquaredError < 1e-6)
  }

  // A signal shorter than the window: every sample is reconstructed, and the
  // zero history before it is what c₋₁ = 0 encodes (a constant 1 over the
  // last 0.3 of a window of 1 is a step, reconstructed to ~1e-2 by N = 32).
  @Test func signalShorterThanWindowIsReconstructedWhole() throws {
    let signal = [Double](repeating: 1, count: 300)
    let result = try approximate(signal, memory: .legt(theta: 1, dt: 1e-3), stateSize: 32, method: .bilinear)
    #expect(result.reconstruction.count == 300)
    #expect(result.meanSquaredError < 1e-2)
  }

  @Test func rejectsBadSignals() {
    #expect(throws: HiPPOError.self) { _ = try approximate([], memory: .legs, stateSize: 4, method: .bilinear) }
    #expect(throws: HiPPOError.nonFinite("signal")) {
      _ = try approximate([1, .nan], memory: .legs, stateSize: 4, method: .bilinear)
    }
    #expect(throws: HiPPOError.self) { _ = try approximate([1, 2], memory: .legs, stateSize: 0, method: .zoh) }
    #expect(throws: HiPPOError.self) {
      _ = try approximate([1, 2], memory: .legt(theta: 1, dt: -1), stateSize: 4, method: .zoh)
    }
  }
}

@Suite("Seeded generator")
struct SeededGeneratorTests {
  @Test func seededGeneratorIsReproducibleAndUniform() {
    var a = SeededGenerator(seed: 42)
    var b = SeededGenerator(seed: 42)
    let xs = (0..<10000).map { _ in a.nextUnitInterval() }
    #expect(xs == (0..<10000).map { _ in b.nextUnitInterval() })
    // Mean of 10⁴ uniforms: standard error 0.0029; 5 sigma = 0.015.
    #expect(abs(xs.reduce(0, +) / 10000 - 0.5) <= 0.015)
  }
}
