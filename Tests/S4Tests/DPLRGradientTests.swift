import FFT
import Numerics
import S4
import TestSupport
import Testing

@Suite("DPLR kernel gradients")
struct DPLRGradientTests {
  // ℒ = Σ G·K(λ, P, B, C̃, dt) for a fixed random G, against float64 central differences
  // (step 1e-6: truncation ~1e-12, rounding ~1e-10 relative); tolerance 1e-6 of each
  // family's largest gradient, far below a missing conjugate, sign or factor 2. Even and
  // odd lengths (the z = −1 bin exists only for even L), ranks 1 and 2.
  @Test(arguments: [(1, 8), (2, 9), (1, 64), (2, 33)])
  func matchFiniteDifferences(rank: Int, length: Int) throws {
    let system = try randomSystem(modes: 3, rank: rank, channels: 2, seed: UInt64(10 * rank + length))
    let tildeC = complexNormals(system.lambda.count, seed: 77)
    let weights = normals(system.channels * length, seed: 78)
    let analytic = try system.kernelGradients(weights, length: length, tildeC: tildeC)
    func loss(_ s: DPLRSSM, _ c: [Complex<Double>]) throws -> Double {
      zip(try s.kernel(length: length, tildeC: c, as: Double.self), weights).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let step = 1e-6
    func difference(_ make: (Double) throws -> (DPLRSSM, [Complex<Double>])) throws -> Double {
      let (plus, cPlus) = try make(step)
      let (minus, cMinus) = try make(-step)
      return (try loss(plus, cPlus) - loss(minus, cMinus)) / (2 * step)
    }
    func rebuilt(
      lambda: [Complex<Double>]? = nil, p: [Complex<Double>]? = nil, b: [Complex<Double>]? = nil, dt: [Double]? = nil
    ) throws -> DPLRSSM {
      try DPLRSSM(lambda: lambda ?? system.lambda, p: p ?? system.p, b: b ?? system.b, c: system.c, dt: dt ?? system.dt)
    }
    func perturbed(_ values: [Complex<Double>], _ i: Int, _ delta: Complex<Double>) -> [Complex<Double>] {
      var copy = values
      copy[i] = copy[i] + delta
      return copy
    }
    func check(_ name: String, _ analytic: [Complex<Double>], _ numeric: [Complex<Double>]) {
      let scale = max(numeric.map(\.length).max() ?? 0, 1e-12)
      let worst = zip(analytic, numeric).map { ($0 - $1).length }.max() ?? 0
      #expect(worst <= 1e-6 * scale, "\(name): worst \(worst) of \(scale)")
    }
    func complexGradient(_ count: Int, _ make: @escaping (Int, Complex<Double>) throws -> (DPLRSSM, [Complex<Double>]))
      throws -> [Complex<Double>]
    {
      try (0..<count).map { i in
        Complex(try difference { try make(i, Complex($0, 0)) }, try difference { try make(i, Complex(0, $0)) })
      }
    }
    check(
      "λ", analytic.lambda,
      try complexGradient(system.lambda.count) { i, d in (try rebuilt(lambda: perturbed(system.lambda, i, d)), tildeC) }
    )
    check(
      "P", analytic.p,
      try complexGradient(system.p.count) { i, d in (try rebuilt(p: perturbed(system.p, i, d)), tildeC) })
    check(
      "B", analytic.b,
      try complexGradient(system.b.count) { i, d in (try rebuilt(b: perturbed(system.b, i, d)), tildeC) })
    check("C̃", analytic.tildeC, try complexGradient(tildeC.count) { i, d in (system, perturbed(tildeC, i, d)) })
    let logDt = try (0..<system.channels).map { h in
      try difference { delta in
        var dt = system.dt
        dt[h] *= Double.exp(delta)
        return (try rebuilt(dt: dt), tildeC)
      }
    }
    let scale = max(logDt.map(abs).max() ?? 0, 1e-12)
    #expect(
      zip(analytic.logDt, logDt).allSatisfy { abs($0 - $1) <= 1e-6 * scale }, "log dt \(analytic.logDt) vs \(logDt)")
  }
}
