import Autodiff
import HiPPO
import ModelTestSupport
import Models
import S4
import SeededRandom
import Testing

/// The fast S4D layer as the S4 model runs it (`S4DLayerParameters` on a tape: float32 Vandermonde kernel, FFT
/// convolution, explicit backward) against ``ReferenceS4DLayer``, the float64 direct sums of the S4D equations.
@Suite("S4D layer against the float64 reference")
struct S4DLayerReferenceTests {
  /// A seeded fast layer moved away from its initialisation so no two modes share `r`, `Im λ` or `B` (a swapped
  /// index or a dropped conjugate then changes the output): `r` and `Im λ` jittered, `B ~ N(0, 1)` per component.
  static func fastLayer(channels: Int, stateSize: Int, bidirectional: Bool) throws -> S4DLayerParameters {
    var generator = SeededGenerator(seed: 41)
    let layer = try S4DLayerParameters(
      name: "s4d", channels: channels, stateSize: stateSize, dtRange: 1e-2...2e-1, bidirectional: bidirectional,
      generator: &generator)
    func jittered(_ values: [Float], by deviation: Double) -> [Float] {
      values.map { $0 + Float(deviation * generator.nextStandardNormal()) }
    }
    layer.logNegativeRealLambda.value.values = jittered(layer.logNegativeRealLambda.value.values, by: 0.3)
    layer.imaginaryLambda.value.values = jittered(layer.imaginaryLambda.value.values, by: 0.2)
    layer.b.value.values = jittered(layer.b.value.values.map { _ in 0 }, by: 1)
    return layer
  }

  /// The reference with the given parameter values, in the order of ``S4DLayerParameters/parameters``.
  static func reference(_ values: [[Double]], bidirectional: Bool) throws -> ReferenceS4DLayer {
    try ReferenceS4DLayer(
      logNegativeRealLambda: values[0], imaginaryLambda: values[1], b: values[2], c: values[3], logDt: values[4],
      skip: values[5], bidirectional: bidirectional)
  }

  static func values(of layer: S4DLayerParameters) -> [[Double]] {
    layer.parameters.map { $0.value.values.map(Double.init) }
  }

  // The stored parameters are the S4D ones: the reference's λ = −exp(r) + i·m of a fresh S4D-Inv layer equals
  // S4DInitialization.inv's λ, and its B the initialisation's B = 1. 1e-6 relative: r, m are float32-rounded
  // (6e-8 relative) and exp carries r's absolute error (|r| ≤ 1) into Re λ.
  @Test func freshLayerHoldsTheS4DInitialization() throws {
    var generator = SeededGenerator(seed: 42)
    let layer = try S4DLayerParameters(
      name: "s4d", channels: 2, stateSize: 8, initialization: .inv, generator: &generator)
    let reference = try Self.reference(Self.values(of: layer), bidirectional: false)
    let expected = try S4DInitialization.inv.system(stateSize: 8)
    for system in 0..<2 {
      for (lambda, target) in zip(reference.eigenvalues(system: system), expected.lambda) {
        #expect((lambda - target).length <= 1e-6 * target.length, "\(lambda) vs \(target)")
      }
    }
    #expect(reference.b == Array(repeating: [1.0, 0.0], count: 8).flatMap { $0 })
  }

  // The forward pass y = K ∗ u + D u (and the anti-causal half) against the reference's direct float64 sums on the
  // same (float32-exact) parameters and inputs. 2e-6 of max|y|: the fast kernel is float32 Vandermonde products and
  // the float32 FFT convolution adds ~ε₃₂·log₂(2L) of max|y|, a few ε₃₂ (6e-8) in all; 1.4e-7 measured at these
  // shapes. A wrong mode, channel, step or conjugate changes y at O(1) (0.3–0.9 of max|y| with C conjugated).
  // Shapes: L = 1, L not a power of two, batch > 1, H > 1, bidirectional.
  @Test(arguments: [(1, 1, 2, 1, false), (2, 3, 8, 37, false), (3, 4, 16, 100, false), (2, 3, 8, 29, true)])
  func forwardMatchesReference(batch: Int, channels: Int, stateSize: Int, length: Int, bidirectional: Bool) throws {
    let layer = try Self.fastLayer(channels: channels, stateSize: stateSize, bidirectional: bidirectional)
    let u = randomTensor([batch, channels, length], seed: 43)
    let tape = Tape(recordsGradients: false)
    let y = tape.value(try layer(tape.constant(u), on: tape)).values
    let expected = try Self.reference(Self.values(of: layer), bidirectional: bidirectional)
      .forward(u.values.map(Double.init), batch: batch, length: length)
    let scale = expected.map(abs).max()!
    let deviation = zip(y, expected).map { abs(Double($0) - $1) }.max()!
    #expect(deviation <= 2e-6 * scale, "max deviation \(deviation) of \(scale)")
  }

  // The layer's recurrent mode (SSMLayer.recurrence, float32, token by token) against the reference's float64
  // step. 2e-6 of max|y|: a stable float32 filter rounds ~ε₃₂ per step without growth (1.3e-7 measured).
  @Test func recurrentModeMatchesReferenceStep() throws {
    let (batch, channels, length) = (2, 3, 23)
    let layer = try Self.fastLayer(channels: channels, stateSize: 8, bidirectional: false)
    let reference = try Self.reference(Self.values(of: layer), bidirectional: false)
    var recurrence = try SSMLayer.diagonal(layer).recurrence(batch: batch)
    var state = reference.initialState(batch: batch)
    let u = randomTensor([length, batch * channels], seed: 44).values
    var (deviation, scale) = (0.0, 0.0)
    for t in 0..<length {
      let token = Array(u[(t * batch * channels)..<((t + 1) * batch * channels)])
      let expected = try reference.step(token.map(Double.init), state: &state)
      let y = try recurrence.run(token, length: 1)
      deviation = max(deviation, zip(y, expected).map { abs(Double($0) - $1) }.max()!)
      scale = max(scale, expected.map(abs).max()!)
    }
    #expect(deviation <= 2e-6 * scale, "max deviation \(deviation) of \(scale)")
  }

  // The tape's backward pass for every entry of every parameter and of u, against central differences of the
  // float64 reference's loss ℒ = Σ w·y (w fixed, random). Step 1e-6: truncation h²·|ℒ‴|/6 and rounding
  // ε₆₄·|ℒ|/h both stay below 1e-8 of the gradients here. Tolerance 1e-5 of the parameter's largest gradient: the
  // fast backward runs float32 FFT correlations for ∂ℒ/∂K and float32 power tables in the kernel's backward, a few
  // ε₃₂ each (up to 7e-7 measured, for log dt); a wrong sign, factor 2, conjugate or chain-rule term fails at O(1).
  @Test(arguments: [(2, 3, 8, 13, false), (2, 2, 8, 11, true)])
  func gradientsMatchReferenceFiniteDifferences(
    batch: Int, channels: Int, stateSize: Int, length: Int, bidirectional: Bool
  ) throws {
    let layer = try Self.fastLayer(channels: channels, stateSize: stateSize, bidirectional: bidirectional)
    let u = randomTensor([batch, channels, length], seed: 45)
    let w = randomTensor([batch, channels, length], seed: 46)
    layer.parameters.forEach { $0.zeroGradient() }
    let tape = Tape()
    let input = tape.constant(u)
    let loss = tape.sum(try tape.multiply(try layer(input, on: tape), tape.constant(w)))
    let inputGradient = try tape.backward(loss)[input]!
    let fast = layer.parameters.map(\.gradient.values) + [inputGradient.values]
    let names = layer.parameters.map(\.name) + ["u"]

    let weights = w.values.map(Double.init)
    func referenceLoss(_ values: [[Double]]) throws -> Double {
      let y = try Self.reference(values, bidirectional: bidirectional).forward(values[6], batch: batch, length: length)
      return zip(weights, y).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let point = Self.values(of: layer) + [u.values.map(Double.init)]
    let step = 1e-6
    for (index, analytic) in fast.enumerated() {
      let numeric = try point[index].indices.map { element -> Double in
        var (plus, minus) = (point, point)
        plus[index][element] += step
        minus[index][element] -= step
        return (try referenceLoss(plus) - referenceLoss(minus)) / (2 * step)
      }
      let scale = numeric.map(abs).max()!
      let deviation = zip(analytic, numeric).map { abs(Double($0) - $1) }.max()!
      #expect(scale > 0, "\(names[index]): no gradient to compare")
      #expect(deviation <= 1e-5 * scale, "\(names[index]): max deviation \(deviation) of \(scale)")
    }
  }
}
