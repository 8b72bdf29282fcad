import FFT
import HiPPO
import Numerics
import S4
import TestSupport
import Testing

@Suite("Diagonal (S4D) kernels")
struct DiagonalKernelTests {
  // Golden values from the issue: B = C = 1, dt = 0.1, N = 8 (4 stored modes), ZOH.
  // They are given to 6 decimals, hence the 1e-6 tolerance in both precisions.
  @Test(arguments: [
    (S4DInitialization.lin, [0.737462, 0.486689, 0.181674, -0.012578]),
    (S4DInitialization.inv, [0.686759, 0.370161, 0.385035, 0.471775]),
  ])
  func golden(initialization: S4DInitialization, expected: [Double]) throws {
    let system = try DiagonalSSM(
      system: initialization.system(stateSize: 8), c: [Complex<Double>](repeating: Complex(1, 0), count: 4), dt: [0.1])
    let k64 = try system.kernel(length: 4, as: Double.self)
    let k32 = try system.kernel(length: 4, as: Float.self)
    for l in 0..<4 {
      #expect(abs(k64[l] - expected[l]) <= 1e-6)
      #expect(abs(Double(k32[l]) - expected[l]) <= 1e-6)
    }
  }

  // Reference: the real part of C Ā^l B̄ by explicit powers of the dense
  // conjugate-extended system (its imaginary part vanishes to round-off).
  // float64: 1e-10 of max|K| — both sides accumulate ~L·ε₆₄ ≈ 4e-12 at L = 16 384.
  // float32: 1e-4 of max|K| — the Vandermonde table and anchors are rounded once
  // (≈ 6e-8 each) and summed over ≤ 2·32 terms of size ≤ Σ|C B̄| ≈ a few max|K|.
  @Test(arguments: [
    (S4DInitialization.lin, 8, 1), (S4DInitialization.inv, 16, 17), (S4DInitialization.legs, 32, 1024),
    (S4DInitialization.real, 8, 300), (S4DInitialization.lin, 16, 16_384), (S4DInitialization.inv, 8, 16_384),
  ])
  func equalsDensePowers(initialization: S4DInitialization, stateSize: Int, length: Int) throws {
    for discretization in DiagonalDiscretization.allCases {
      let modes = stateSize / 2
      let dt = steps(3, seed: UInt64(length))
      let base = try initialization.system(stateSize: stateSize)
      let c = complexNormals(3 * modes, seed: 11)
      let system = try DiagonalSSM(
        lambda: Array(repeating: base.lambda, count: 3).flatMap { $0 },
        b: Array(repeating: base.b, count: 3).flatMap { $0 },
        c: c, dt: dt, discretization: discretization)
      let k64 = try system.kernel(length: length, as: Double.self)
      let k32 = try system.kernel(length: length, as: Float.self)
      for h in 0..<3 {
        let dense = try denseSystem(system, channel: h).kernel(length: length, as: Double.self)
        let reference = dense.map(\.real)
        let imaginary = dense.map { abs($0.imaginary) }.max()!
        #expect(imaginary <= 1e-12 * (reference.map(abs).max()! + 1))
        let slice = Array(k64[(h * length)..<((h + 1) * length)])
        #expect(relativeError(slice, reference) <= 1e-10, "\(initialization) \(discretization) channel \(h)")
        #expect(relativeError(Array(k32[(h * length)..<((h + 1) * length)]), reference) <= 1e-4)
      }
    }
  }

  // At L = 65 536 chained float32 products would drift by ~L·ε₃₂ ≈ 4e-3; the
  // re-anchored evaluation must stay within 1e-4 of the float64 kernel (itself
  // checked against dense powers above). High frequencies (S4D-Lin, N = 64) and
  // the slowest decay (dt = 1e-3) are the hard cases.
  @Test func float32StaysAccurateAtLength65536() throws {
    let base = try S4DInitialization.lin.system(stateSize: 64)
    let system = try DiagonalSSM(
      lambda: base.lambda + base.lambda, b: base.b + base.b, c: complexNormals(64, seed: 3), dt: [1e-3, 0.1])
    let length = 65_536
    #expect(relativeError(try system.kernel(length: length, as: Float.self), try system.kernel(length: length)) <= 1e-4)
  }

  @Test func rejectsInvalidParameters() throws {
    let one = [Complex<Double>(1, 0)]
    #expect(throws: S4Error.unstableMode(channel: 0, mode: 0, real: 0)) {
      _ = try DiagonalSSM(lambda: [Complex(0, 1)], b: one, c: one, dt: [0.1])
    }
    #expect(throws: S4Error.invalidTimeStep(channel: 1, value: 0)) {
      _ = try DiagonalSSM(lambda: [Complex(-1, 1), Complex(-1, 0)], b: one + one, c: one + one, dt: [0.1, 0])
    }
    #expect(throws: S4Error.self) { _ = try DiagonalSSM(lambda: [Complex(-1, 1)], b: one + one, c: one, dt: [0.1]) }
    #expect(throws: S4Error.self) { _ = try DiagonalSSM(lambda: [Complex(-1, .nan)], b: one, c: one, dt: [0.1]) }
    #expect(throws: S4Error.self) { _ = try DiagonalSSM(lambda: [Complex(-1, 1)], b: one, c: one, dt: [-.infinity]) }
    #expect(throws: S4Error.self) { _ = try DiagonalSSM(lambda: [], b: [], c: [], dt: [0.1]) }
    let valid = try DiagonalSSM(lambda: [Complex(-1, 1)], b: one, c: one, dt: [0.1])
    #expect(throws: S4Error.self) { _ = try valid.kernel(length: 0, as: Double.self) }
  }
}
