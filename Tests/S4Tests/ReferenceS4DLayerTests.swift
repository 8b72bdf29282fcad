import HiPPO
import Numerics
import S4
import TestSupport
import Testing

@Suite("Reference S4D layer")
struct ReferenceS4DLayerTests {
  /// A layer with `H` channels and `M` modes: `r` around `log ½`, `Im λ` around S4D-Lin's `πn`, random `B`, `C`,
  /// `D`, log-uniform `dt` in `[1e-3, 1e-1]`.
  static func layer(channels: Int, modes: Int, bidirectional: Bool = false) throws -> ReferenceS4DLayer {
    let systems = bidirectional ? 2 * channels : channels
    let count = systems * modes
    return try ReferenceS4DLayer(
      logNegativeRealLambda: normals(count, seed: 31).map { Double.log(0.5) + 0.3 * $0 },
      imaginaryLambda: zip(0..<count, normals(count, seed: 32)).map { Double.pi * Double($0 % modes) + 0.2 * $1 },
      b: normals(2 * count, seed: 33), c: normals(2 * count, seed: 34),
      logDt: steps(systems, seed: 35).map { Double.log($0) },
      skip: normals(channels, seed: 36), bidirectional: bidirectional)
  }

  // The convolution (kernel powers summed over s ≤ t) against the recurrence stepped token by token: two
  // evaluations of the same sums in a different order. 1e-12 of max|y|: each side rounds ~L·M·ε₆₄ ≈ 1e-14 relative.
  @Test(arguments: [(1, 1, 1, 1), (2, 3, 4, 37), (3, 2, 8, 64)])
  func convolutionEqualsRecurrence(batch: Int, channels: Int, modes: Int, length: Int) throws {
    let layer = try Self.layer(channels: channels, modes: modes)
    let u = normals(batch * channels * length, seed: 37)
    let convolution = try layer.forward(u, batch: batch, length: length)
    var state = layer.initialState(batch: batch)
    var recurrence = [Double](repeating: 0, count: u.count)
    for t in 0..<length {
      let y = try layer.step((0..<(batch * channels)).map { u[$0 * length + t] }, state: &state)
      for row in y.indices { recurrence[row * length + t] = y[row] }
    }
    #expect(relativeError(recurrence, convolution) <= 1e-12)
  }

  // The reference kernel (running powers of Ā = exp(dtλ) from its own discretisation) against DiagonalSSM's
  // (HiPPO.discretize, block-anchored Vandermonde products), both float64. 1e-12 of max|K|: ~L·ε₆₄ at L = 200.
  @Test func kernelEqualsDiagonalSSM() throws {
    let (channels, modes, length) = (3, 5, 200)
    let layer = try Self.layer(channels: channels, modes: modes)
    let complexPairs = { (values: [Double]) in
      stride(from: 0, to: values.count, by: 2).map { Complex(values[$0], values[$0 + 1]) }
    }
    let system = try DiagonalSSM(
      lambda: (0..<channels).flatMap { layer.eigenvalues(system: $0) }, b: complexPairs(layer.b),
      c: complexPairs(layer.c), dt: layer.logDt.map { Double.exp($0) })
    let expected = try system.kernel(length: length, as: Double.self)
    #expect(relativeError((0..<channels).flatMap { layer.kernel(system: $0, length: length) }, expected) <= 1e-12)
  }

  // The anti-causal half by time reversal: reversing u and y turns Σ_{s>t} K̃_{s−t−1} u_s into a causal
  // convolution with the kernel delayed one step, [0, K̃_0, …, K̃_{L−2}]. Identity in float64: 1e-12 of max|y|.
  @Test func antiCausalHalfIsReversedCausalConvolution() throws {
    let (batch, channels, modes, length) = (2, 2, 3, 19)
    let layer = try Self.layer(channels: channels, modes: modes, bidirectional: true)
    let u = normals(batch * channels * length, seed: 38)
    let y = try layer.forward(u, batch: batch, length: length)
    var expected: [Double] = []
    for row in 0..<(batch * channels) {
      let h = row % channels
      let sequence = Array(u[(row * length)..<((row + 1) * length)])
      let causal = ReferenceS4DLayer.causalConvolution(
        sequence, kernel: layer.kernel(system: h, length: length), skip: layer.skip[h])
      let delayed = [0] + layer.kernel(system: channels + h, length: length).dropLast()
      let antiCausal = ReferenceS4DLayer.causalConvolution(sequence.reversed(), kernel: delayed, skip: 0).reversed()
      expected += zip(causal, antiCausal).map(+)
    }
    #expect(relativeError(y, expected) <= 1e-12)
  }

  // Bad parameters and inputs are refused with an S4Error naming the problem.
  @Test func rejectsInvalidInput() throws {
    let layer = try Self.layer(channels: 2, modes: 3)
    let (r, m, b, c, s, d) = (
      layer.logNegativeRealLambda, layer.imaginaryLambda, layer.b, layer.c, layer.logDt, layer.skip
    )
    #expect(throws: S4Error.self) {
      try ReferenceS4DLayer(logNegativeRealLambda: r, imaginaryLambda: m, b: b, c: c, logDt: s, skip: d + [1])
    }
    #expect(throws: S4Error.self) {
      try ReferenceS4DLayer(
        logNegativeRealLambda: r, imaginaryLambda: m, b: b, c: c, logDt: s, skip: d, bidirectional: true)
    }
    #expect(throws: S4Error.nonFinite("C")) {
      try ReferenceS4DLayer(
        logNegativeRealLambda: r, imaginaryLambda: m, b: b, c: [.nan] + c.dropFirst(), logDt: s, skip: d)
    }
    #expect(throws: S4Error.unstableMode(channel: 0, mode: 0, real: -.infinity)) {
      try ReferenceS4DLayer(
        logNegativeRealLambda: [800] + r.dropFirst(), imaginaryLambda: m, b: b, c: c, logDt: s, skip: d)
    }
    #expect(throws: S4Error.invalidTimeStep(channel: 1, value: .infinity)) {
      try ReferenceS4DLayer(logNegativeRealLambda: r, imaginaryLambda: m, b: b, c: c, logDt: [s[0], 1e4], skip: d)
    }
    #expect(throws: S4Error.self) { try layer.forward([1, 2, 3], batch: 1, length: 2) }
    #expect(throws: S4Error.nonFinite("u")) { try layer.forward([1, .nan, 3, 4], batch: 1, length: 2) }
    var state = layer.initialState(batch: 2)
    #expect(throws: S4Error.self) { try layer.step([1, 2], state: &state) }
    let bidirectional = try Self.layer(channels: 2, modes: 3, bidirectional: true)
    var causalState = bidirectional.initialState(batch: 1)
    #expect(throws: S4Error.self) { try bidirectional.step([1, 2], state: &causalState) }
  }
}
