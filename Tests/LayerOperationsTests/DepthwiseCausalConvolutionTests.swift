import Autodiff
import Foundation
import LayerOperations
import ModelTestSupport
import Testing

@Suite("Depthwise causal convolution and softplus: definitions and gradients")
struct DepthwiseCausalConvolutionTests {
  static let inputs = [
    randomTensor([2, 7, 5], seed: 81), randomTensor([5, 4], seed: 82), randomTensor([5], seed: 83),
  ]

  // The definition written out with explicit indices into [history; x] (float64 sums of four products of
  // order-1 floats: 1e-5 absolute is a few ulps), from zero history and from a given one.
  @Test func forwardMatchesDefinition() throws {
    let (x, w, bias) = (Self.inputs[0], Self.inputs[1], Self.inputs[2])
    for history in [nil, randomTensor([2, 3, 5], seed: 84)] {
      let tape = Tape(recordsGradients: false)
      let y = tape.value(
        try tape.depthwiseCausalConvolution(
          tape.constant(x), weight: tape.constant(w), bias: tape.constant(bias), history: history))
      for s in 0..<2 {
        for t in 0..<7 {
          for c in 0..<5 {
            var sum = Double(bias.values[c])
            for k in 0..<4 {
              let position = t - 3 + k
              let input =
                position >= 0
                ? x.values[(s * 7 + position) * 5 + c] : (history?.values[(s * 3 + position + 3) * 5 + c] ?? 0)
              sum += Double(w.values[c * 4 + k]) * Double(input)
            }
            #expect(abs(Double(y.values[(s * 7 + t) * 5 + c]) - sum) <= 1e-5)
          }
        }
      }
    }
  }

  // Central differences with the helper's tolerance (see `checkGradients`), with and without history.
  @Test func gradientsAgainstCentralDifferences() throws {
    for history in [nil, randomTensor([2, 3, 5], seed: 85)] {
      try checkGradients(Self.inputs, maximumChecks: 70) { tape, v in
        try tape.depthwiseCausalConvolution(v[0], weight: v[1], bias: v[2], history: history)
      }
    }
  }

  // softplus(x) = log(1 + eˣ) in float64 (1e-6: a few float32 ulps of values ≤ 30), including large |x|
  // where the naive formula overflows or loses everything; its gradient by central differences.
  @Test func softplus() throws {
    let x = try Tensor(shape: [6], values: [-30, -2, -0.1, 0, 1.5, 30])
    let tape = Tape(recordsGradients: false)
    let y = tape.value(tape.softplus(tape.constant(x)))
    for (input, output) in zip(x.values, y.values) {
      let expected = input > 20 ? Double(input) + log1p(exp(-Double(input))) : log1p(exp(Double(input)))
      #expect(abs(Double(output) - expected) <= 1e-6 * max(1, abs(expected)))
    }
    try checkGradients([randomTensor([3, 4], seed: 86, scale: 2)]) { tape, v in tape.softplus(v[0]) }
  }

  @Test func badShapesAreErrors() throws {
    let tape = Tape()
    let (x, w, b) = (tape.constant(Self.inputs[0]), tape.constant(Self.inputs[1]), tape.constant(Self.inputs[2]))
    #expect(throws: AutodiffError.self) { try tape.depthwiseCausalConvolution(x, weight: b, bias: b) }
    #expect(throws: AutodiffError.self) { try tape.depthwiseCausalConvolution(x, weight: w, bias: w) }
    #expect(throws: AutodiffError.self) { try tape.depthwiseCausalConvolution(b, weight: w, bias: b) }
    #expect(throws: AutodiffError.self) {
      try tape.depthwiseCausalConvolution(x, weight: w, bias: b, history: Tensor(shape: [2, 4, 5]))
    }
  }
}
