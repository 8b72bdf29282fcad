import HiPPO
import LinearAlgebra
import Numerics
import S4
import TestSupport
import Testing

/// A DPLR system from a HiPPO measure, `channels` copies with their own dt and C.
func hippoSystem(_ measure: Measure, stateSize: Int, channels: Int, seed: UInt64) throws -> DPLRSSM {
  let decomposition = try measure.dplr(stateSize: stateSize)
  let modes = decomposition.lambda.count
  let c = complexNormals(channels * modes, seed: seed)
  let repeated = { (values: [Complex<Double>]) in Array(repeating: values, count: channels).flatMap { $0 } }
  return try DPLRSSM(
    lambda: repeated(decomposition.lambda), p: repeated(decomposition.p.elements), b: repeated(decomposition.b),
    c: c, dt: steps(channels, seed: seed + 1))
}

/// A random stable rank-`rank` system: Re λ ∈ [−1, −0.1], Im λ ∈ [−10, 10], small P.
func randomSystem(modes: Int, rank: Int, channels: Int, seed: UInt64) throws -> DPLRSSM {
  let raw = normals(channels * modes * 2, seed: seed)
  let lambda = (0..<(channels * modes)).map { i in
    Complex(-0.1 - 0.9 * abs(raw[2 * i]).truncatingRemainder(dividingBy: 1), 10 * raw[2 * i + 1])
  }
  let p = complexNormals(channels * rank * modes, seed: seed + 1).map { $0 * Complex(0.3, 0) }
  return try DPLRSSM(
    lambda: lambda, p: p, b: complexNormals(channels * modes, seed: seed + 2),
    c: complexNormals(channels * modes, seed: seed + 3), dt: steps(channels, seed: seed + 4))
}

@Suite("DPLR (S4) kernels")
struct DPLRKernelTests {
  // Reference: C_ext Ā^l B̄ by explicit powers of the dense bilinear discretisation
  // (LU solve), real part; the imaginary part must vanish (the system is
  // conjugate-symmetric). float64: 1e-10 of max|K| (Cauchy sums and dense powers
  // each carry ~1e-13 here; the LU solve adds ε·κ(I − dt/2·A) ≤ 1e-13). float32:
  // 1e-4 — the Cauchy terms are O(1/|D_n|) rounded at ε₃₂ and summed over N terms.
  @Test(arguments: [
    (Measure.legs, 4, 1), (Measure.legs, 16, 7), (Measure.legs, 64, 1024), (Measure.tlagt(beta: 0.4), 16, 512),
    (Measure.tlagt(beta: 1), 8, 300), (Measure.legs, 16, 16_384),
  ])
  func hippoKernelEqualsDensePowers(measure: Measure, stateSize: Int, length: Int) throws {
    let system = try hippoSystem(measure, stateSize: stateSize, channels: 2, seed: UInt64(stateSize * 31 + length))
    try compareWithDense(system, length: length)
  }

  @Test(arguments: [(1, 3, 64), (2, 5, 100), (3, 4, 33)])
  func randomLowRankKernelEqualsDensePowers(rank: Int, modes: Int, length: Int) throws {
    try compareWithDense(
      try randomSystem(modes: modes, rank: rank, channels: 2, seed: UInt64(rank * 7)), length: length)
  }

  func compareWithDense(_ system: DPLRSSM, length: Int) throws {
    let k64 = try system.kernel(length: length, as: Double.self)
    let k32 = try system.kernel(length: length, as: Float.self)
    for h in 0..<system.channels {
      let dense = try system.discreteSystem(channel: h).kernel(length: length, as: Double.self)
      let reference = dense.map(\.real)
      let scale = reference.map(abs).max()!
      #expect(dense.map { abs($0.imaginary) }.max()! <= 1e-10 * scale)
      #expect(relativeError(Array(k64[(h * length)..<((h + 1) * length)]), reference) <= 1e-10, "channel \(h)")
      #expect(relativeError(Array(k32[(h * length)..<((h + 1) * length)]), reference) <= 1e-4, "channel \(h)")
    }
  }

  // C̃ = C(I − Ā^L) and back: a round trip to 1e-10 (the solve's error is
  // ε·κ(I − Ā^L), and κ ≤ ~1e3 for these stable systems); a length change
  // through C̃ equals computing C̃ for the new length directly.
  @Test func tildeConversions() throws {
    let system = try hippoSystem(.legs, stateSize: 16, channels: 2, seed: 5)
    let tilde = try system.tildeC(length: 256)
    let back = try system.c(fromTildeC: tilde, length: 256)
    #expect(
      relativeError(back.flatMap { [$0.real, $0.imaginary] }, system.c.flatMap { [$0.real, $0.imaginary] }) <= 1e-10)
    let converted = try system.convertTildeC(tilde, from: 256, to: 1000)
    let direct = try system.tildeC(length: 1000)
    #expect(
      relativeError(converted.flatMap { [$0.real, $0.imaginary] }, direct.flatMap { [$0.real, $0.imaginary] }) <= 1e-10)
    let fromConverted = try system.kernel(length: 1000, tildeC: converted, as: Double.self)
    #expect(relativeError(fromConverted, try system.kernel(length: 1000, as: Double.self)) <= 1e-10)
  }

  // LegT and the official LagT have a normal part with zero real part (Re λ = 0
  // up to round-off): the Cauchy sums can hit a pole on the unit circle, so these
  // are refused rather than evaluated inaccurately.
  @Test(arguments: [Measure.legt(theta: 1), Measure.lagt])
  func marginallyStableMeasuresAreRefused(measure: Measure) throws {
    #expect(throws: S4Error.self) { _ = try hippoSystem(measure, stateSize: 8, channels: 1, seed: 1) }
  }

  @Test func rejectsInvalidParameters() throws {
    let one = [Complex<Double>(1, 0)]
    #expect(throws: S4Error.self) { _ = try DPLRSSM(lambda: [Complex(0.1, 1)], p: one, b: one, c: one, dt: [0.1]) }
    #expect(throws: S4Error.self) { _ = try DPLRSSM(lambda: [Complex(-1, 1)], p: [], b: one, c: one, dt: [0.1]) }
    #expect(throws: S4Error.self) {
      _ = try DPLRSSM(lambda: [Complex(-1, 1)], p: one + one + one, b: one + one, c: one, dt: [0.1])
    }
    #expect(throws: S4Error.self) {
      _ = try DPLRSSM(lambda: [Complex(-1, 1)], p: [Complex(.infinity, 0)], b: one, c: one, dt: [0.1])
    }
    #expect(throws: S4Error.self) { _ = try DPLRSSM(lambda: [Complex(-1, 1)], p: one, b: one, c: one, dt: [0]) }
    let valid = try DPLRSSM(lambda: [Complex(-1, 1)], p: one, b: one, c: one, dt: [0.1])
    #expect(throws: S4Error.self) { _ = try valid.kernel(length: 0, as: Float.self) }
    #expect(throws: S4Error.self) { _ = try valid.kernel(length: 4, tildeC: one + one, as: Float.self) }
  }
}
