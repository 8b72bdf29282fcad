import Autodiff
import Foundation
import ModelTestSupport
import Models
import Testing

@Suite("Medusa heads: initialisation, per-position reading, gradients, errors")
struct MedusaHeadsTests {
  /// `h U + c` by explicit loops, the backbone's output layer read independently of the tape.
  func outputLayer(_ hidden: Tensor, weight: Tensor, bias: Tensor) -> [Float] {
    let (width, vocabulary) = (weight.shape[0], weight.shape[1])
    let rows = hidden.count / width
    return (0..<(rows * vocabulary)).map { index in
      let (row, column) = (index / vocabulary, index % vocabulary)
      var sum = Double(bias.values[column])
      for inner in 0..<width {
        sum += Double(hidden.values[row * width + inner]) * Double(weight.values[inner * vocabulary + column])
      }
      return Float(sum)
    }
  }

  @Test func untrainedHeadsReproduceTheOutputLayer() throws {
    let weight = randomTensor([6, 9], seed: 1)
    let bias = randomTensor([9], seed: 2)
    let hidden = randomTensor([2, 5, 6], seed: 3)
    let heads = try MedusaHeads(count: 3, outputWeight: weight, outputBias: bias)
    let tape = Tape(recordsGradients: false)
    let expected = outputLayer(hidden, weight: weight, bias: bias)
    for logits in try heads(tape.constant(hidden), on: tape) {
      #expect(tape.value(logits).shape == [2, 5, 9])
      // W = 0, b = 0 gives SiLU(0) = 0 exactly, so the head is the output layer; the tape's sgemm
      // and the float64 loop differ only in rounding of 6-term sums (≈ 1e-6 of |logit| ≲ 10).
      for (value, reference) in zip(tape.value(logits).values, expected) {
        #expect(abs(value - reference) <= 1e-4)
      }
    }
  }

  // The tape-free logits of one hidden state (decoding) equal the tape's for heads with random
  // residual blocks and biases: the same float32 products in another order, |logit| ≲ 10, so 1e-4.
  @Test func tapeFreeLogitsEqualTheTapes() throws {
    let heads = try MedusaHeads(count: 2, outputWeight: randomTensor([6, 9], seed: 4), outputBias: nil)
    for (index, head) in heads.heads.enumerated() {
      head.residualWeight.value = randomTensor([6, 6], seed: 5 + UInt64(index))
      head.residualBias.value = randomTensor([6], seed: 7 + UInt64(index))
      head.projectionBias.value = randomTensor([9], seed: 9 + UInt64(index))
    }
    let hidden = randomTensor([1, 6], seed: 11)
    let tape = Tape(recordsGradients: false)
    let expected = try heads(tape.constant(hidden), on: tape).map { tape.value($0).values }
    let logits = try heads.logits(hidden: hidden.values)
    for (row, reference) in zip(logits, expected) {
      #expect(row.count == 9)
      for (value, target) in zip(row, reference) { #expect(abs(value - target) <= 1e-4) }
    }
    #expect(throws: AutodiffError.self) { try heads.logits(hidden: [1, 2]) }
  }

  @Test func aHeadAtPositionTReadsOnlyPositionT() throws {
    let heads = try MedusaHeads(count: 2, outputWeight: randomTensor([4, 7], seed: 4), outputBias: nil)
    for head in heads.heads { head.residualWeight.value = randomTensor([4, 4], seed: 5) }
    let hidden = randomTensor([1, 6, 4], seed: 6)
    var perturbed = hidden
    // Perturb positions 3 … 5: every head's logits at positions 0 … 2 must be bit-identical.
    for index in (3 * 4)..<(6 * 4) { perturbed.values[index] += 1 }
    let tape = Tape(recordsGradients: false)
    let original = try heads(tape.constant(hidden), on: tape)
    let changed = try heads(tape.constant(perturbed), on: tape)
    for (a, b) in zip(original, changed) {
      #expect(Array(tape.value(a).values[..<(3 * 7)]) == Array(tape.value(b).values[..<(3 * 7)]))
      #expect(Array(tape.value(a).values[(3 * 7)...]) != Array(tape.value(b).values[(3 * 7)...]))
    }
  }

  @Test func headGradientsMatchFiniteDifferences() throws {
    // Random (non-zero) W so the SiLU branch and its derivative are exercised; tolerance from
    // checkGradients (1e-2 of the largest gradient, see its derivation).
    try checkGradients(
      [
        randomTensor([3, 4], seed: 7), randomTensor([4, 4], seed: 8, scale: 0.5), randomTensor([4], seed: 9),
        randomTensor([4, 5], seed: 10), randomTensor([5], seed: 11),
      ]
    ) { tape, inputs in
      try MedusaHead.logits(
        inputs[0], residualWeight: inputs[1], residualBias: inputs[2], projectionWeight: inputs[3],
        projectionBias: inputs[4], on: tape)
    }
  }

  @Test func parametersAreNamedAndCounted() throws {
    let heads = try MedusaHeads(count: 2, outputWeight: randomTensor([3, 5], seed: 12), outputBias: nil)
    #expect(heads.parameterCount == 2 * (3 * 3 + 3 + 3 * 5 + 5))
    #expect(
      heads.parameters.map(\.name) == [
        "medusa.0.residual.weight", "medusa.0.residual.bias", "medusa.0.projection.weight",
        "medusa.0.projection.bias", "medusa.1.residual.weight", "medusa.1.residual.bias",
        "medusa.1.projection.weight", "medusa.1.projection.bias",
      ])
    // λ_k = 0.8^k: 1, 0.8, 0.64 (to float32 rounding).
    #expect(zip(heads.lossWeights(), [1, 0.8] as [Float]).allSatisfy { abs($0 - $1) <= 1e-7 })
  }

  @Test func badInputThrows() throws {
    let weight = randomTensor([3, 5], seed: 13)
    #expect(throws: AutodiffError.self) { try MedusaHeads(count: 0, outputWeight: weight, outputBias: nil) }
    #expect(throws: AutodiffError.self) {
      try MedusaHeads(count: 1, outputWeight: weight, outputBias: randomTensor([4], seed: 14))
    }
    #expect(throws: AutodiffError.self) {
      try MedusaHeads(count: 1, outputWeight: randomTensor([15], seed: 15), outputBias: nil)
    }
  }
}
