import Autodiff
import Foundation
import ModelTestSupport
import SeededRandom
import Testing

@Suite("Tape operations: gradients against central differences")
struct OperationGradientTests {
  @Test func broadcastingArithmetic() throws {
    try checkGradients([randomTensor([2, 3], seed: 1), randomTensor([3], seed: 2)]) { try $0.add($1[0], $1[1]) }
    try checkGradients([randomTensor([2, 1], seed: 3), randomTensor([1, 3], seed: 4)]) { try $0.subtract($1[0], $1[1]) }
    try checkGradients([randomTensor([2, 3, 4], seed: 5), randomTensor([4], seed: 6)]) { try $0.multiply($1[0], $1[1]) }
    try checkGradients([randomTensor([3, 2], seed: 7)]) { $0.scale($1[0], by: -2.5) }
  }

  @Test func matrixProducts() throws {
    try checkGradients([randomTensor([3, 4], seed: 11), randomTensor([4, 5], seed: 12)]) { try $0.matmul($1[0], $1[1]) }
    try checkGradients([
      randomTensor([2, 3, 4], seed: 13), randomTensor([4, 2], seed: 14), randomTensor([2], seed: 15),
    ]) {
      try $0.linear($1[0], weight: $1[1], bias: $1[2])
    }
  }

  @Test func shapes() throws {
    try checkGradients([randomTensor([2, 6], seed: 21)]) { try $0.reshape($1[0], to: [3, 4]) }
    try checkGradients([randomTensor([2, 3, 4], seed: 22)]) { try $0.transpose($1[0], permutation: [2, 0, 1]) }
    // The direct path for swapping the last two axes (tiles of 32: a 40 × 35 matrix crosses tiles).
    try checkGradients([randomTensor([2, 40, 35], seed: 23)], maximumChecks: 60) {
      try $0.transpose($1[0], permutation: [0, 2, 1])
    }
    let tape = Tape()
    let x = randomTensor([2, 40, 35], seed: 24)
    let swapped = tape.value(try tape.transpose(tape.constant(x), permutation: [0, 2, 1]))
    let general = tape.value(
      try tape.transpose(tape.transpose(tape.constant(x), permutation: [1, 0, 2]), permutation: [1, 2, 0]))
    #expect(swapped == general)
  }

  @Test func reductions() throws {
    try checkGradients([randomTensor([3, 4], seed: 31)]) { $0.sum($1[0]) }
    try checkGradients([randomTensor([3, 4], seed: 32)]) { $0.mean($1[0]) }
    try checkGradients([randomTensor([2, 5, 3], seed: 33)]) { try $0.mean($1[0], axis: 1) }
  }

  @Test func activations() throws {
    try checkGradients([randomTensor([4, 5], seed: 41, scale: 2)]) { $0.gelu($1[0]) }
    try checkGradients([randomTensor([4, 5], seed: 42, scale: 2)]) { $0.silu($1[0]) }
    try checkGradients([randomTensor([4, 5], seed: 43)]) { $0.tanh($1[0]) }
    try checkGradients([randomTensor([4, 5], seed: 44)]) { $0.sigmoid($1[0]) }
    try checkGradients([randomTensor([3, 6], seed: 45)]) { try $0.glu($1[0]) }
  }

  // GELU runs on a vectorised erf (A&S 7.1.26, |error| ≤ 1.5e-7) and exp; against libm's
  // float64 erf the values and slopes agree to 5e-7 (a few float32 ulp) over [−12, 12], where
  // the exp clamp, the tail lanes (count 1001 is not a multiple of 8) and both signs are hit.
  @Test func geluValues() throws {
    let inputs = (0..<1001).map { Float(-12 + 0.024 * Double($0)) }
    let tape = Tape()
    let x = tape.constant(try Tensor(shape: [inputs.count], values: inputs))
    let y = tape.gelu(x)
    let slopes = try tape.backward(tape.sum(y))[x]!.values
    for (index, value) in inputs.enumerated() {
      let v = Double(value)
      let cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
      let slope = cdf + v * Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
      #expect(abs(Double(tape.value(y).values[index]) - v * cdf) <= 5e-7 * max(1, abs(v)), "GELU(\(v))")
      #expect(abs(Double(slopes[index]) - slope) <= 5e-7 * max(1, abs(v)), "GELU′(\(v))")
    }
  }

  @Test func layerNorm() throws {
    try checkGradients([randomTensor([3, 8], seed: 51), randomTensor([8], seed: 52), randomTensor([8], seed: 53)]) {
      try $0.layerNorm($1[0], gamma: $1[1], beta: $1[2])
    }
  }

  @Test func losses() throws {
    try checkGradients([randomTensor([5, 4], seed: 61)]) {
      try $0.softmaxCrossEntropy($1[0], targets: [0, 3, -100, 2, 1])
    }
    let target = randomTensor([3, 4], seed: 62)
    try checkGradients([randomTensor([3, 4], seed: 63)]) { try $0.meanSquaredError($1[0], target: target) }
  }

  @Test func embeddingAndDropout() throws {
    try checkGradients([randomTensor([5, 3], seed: 71)]) { try $0.embedding($1[0], indices: [4, 0, 4, 2]) }
    // The same seed gives the same mask in every evaluation of the difference quotient.
    try checkGradients([randomTensor([4, 6], seed: 72)]) { tape, inputs in
      var generator = SeededGenerator(seed: 5)
      return try tape.dropout(inputs[0], probability: 0.3, generator: &generator)
    }
  }
}

@Suite("Tape mechanics")
struct TapeTests {
  // A parameter used twice accumulates both contributions: ℒ = Σ (p ⊙ p) has ∂ℒ/∂p = 2p.
  @Test func parameterGradientsAccumulate() throws {
    let parameter = Parameter(name: "p", value: try Tensor(shape: [3], values: [1, -2, 0.5]))
    let tape = Tape()
    let p = tape.parameter(parameter)
    try tape.backward(tape.sum(try tape.multiply(p, p)))
    #expect(parameter.gradient.values == [2, -4, 1])
    parameter.zeroGradient()
    #expect(parameter.gradient.values == [0, 0, 0])
  }

  @Test func rejectsBadInput() throws {
    let tape = Tape()
    let a = tape.constant(Tensor(shape: [2, 3]))
    let b = tape.constant(Tensor(shape: [4]))
    #expect(throws: AutodiffError.self) { _ = try tape.add(a, b) }
    #expect(throws: AutodiffError.self) { _ = try tape.matmul(a, a) }
    #expect(throws: AutodiffError.self) { _ = try tape.reshape(a, to: [5]) }
    #expect(throws: AutodiffError.self) { _ = try tape.backward(a) }
    #expect(throws: AutodiffError.self) { _ = try tape.softmaxCrossEntropy(a, targets: [0, 3]) }
    #expect(throws: AutodiffError.self) { _ = try tape.glu(tape.constant(Tensor(shape: [2, 3]))) }
    #expect(throws: AutodiffError.self) { _ = try Tensor(shape: [2, 2], values: [1]) }
    var generator = SeededGenerator(seed: 1)
    #expect(throws: AutodiffError.self) { _ = try tape.dropout(a, probability: 1, generator: &generator) }
  }
}
