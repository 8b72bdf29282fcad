import Autodiff
import Foundation
import LayerOperations
import ModelTestSupport
import Testing

@Suite("GRU recurrence: equations, gate order and backpropagation through time")
struct GRUGradientTests {
  /// `B = 2` sequences of `L = 5` steps, `H = 3`: inputs gates, `W_hh` (scaled so the gates
  /// are neither saturated nor linear), `b_hh`, `h₀`.
  static let inputs = [
    randomTensor([2, 5, 9], seed: 71), randomTensor([3, 9], seed: 72, scale: 0.6), randomTensor([9], seed: 73),
    randomTensor([2, 3], seed: 74, scale: 0.5),
  ]

  static func recurrence(_ tape: Tape, _ variables: [Variable]) throws -> Variable {
    try tape.gruRecurrence(
      variables[0], hiddenWeight: variables[1], hiddenBias: variables[2], initialHidden: variables[3])
  }

  // Central differences with the helper's tolerance (1e-2 of the largest gradient of each
  // input, see `checkGradients`); every element of the small inputs is checked.
  @Test func gradientsAgainstCentralDifferences() throws {
    try checkGradients(Self.inputs, maximumChecks: 90, Self.recurrence)
  }

  // The equations written out independently with scalar loops in float64, gates read as
  // PyTorch's `weight_hh_l0.T` columns `[r | z | n]`. The op runs in float32 on values of
  // order 1 (|h| < 1), so 1e-5 absolute is a few ulps per step over 5 steps, while a wrong
  // gate, a missing bias or an unpropagated state changes the states at O(0.1).
  @Test func forwardMatchesScalarLoops() throws {
    let tape = Tape()
    let output = tape.value(try Self.recurrence(tape, Self.inputs.map { tape.constant($0) }))
    let (x, w, bias, h0) = (Self.inputs[0], Self.inputs[1], Self.inputs[2], Self.inputs[3])
    let (batch, length, hidden) = (2, 5, 3)
    #expect(output.shape == [batch, length, hidden])
    func sigma(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
    for b in 0..<batch {
      var h = (0..<hidden).map { Double(h0.values[b * hidden + $0]) }
      for t in 0..<length {
        func hiddenTerm(_ gate: Int, _ j: Int) -> Double {
          var sum = Double(bias.values[gate * hidden + j])
          for k in 0..<hidden { sum += h[k] * Double(w.values[k * 3 * hidden + gate * hidden + j]) }
          return sum
        }
        func inputTerm(_ gate: Int, _ j: Int) -> Double {
          Double(x.values[(b * length + t) * 3 * hidden + gate * hidden + j])
        }
        var next = h
        for j in 0..<hidden {
          let r = sigma(inputTerm(0, j) + hiddenTerm(0, j))
          let z = sigma(inputTerm(1, j) + hiddenTerm(1, j))
          let n = tanh(inputTerm(2, j) + r * hiddenTerm(2, j))
          next[j] = (1 - z) * n + z * h[j]
        }
        h = next
        for j in 0..<hidden {
          let value = output.values[(b * length + t) * hidden + j]
          #expect(abs(Double(value) - h[j]) <= 1e-5, "h[\(b), \(t), \(j)] = \(value), expected \(h[j])")
        }
      }
    }
  }

  // H = 1, one step, values worked out by hand:
  //   a = W h₀ + b = [0.22, 0.12, −0.02], r = σ(0.5 + 0.22), z = σ(−1 + 0.12),
  //   n = tanh(2 + r · (−0.02)), h₁ = (1 − z) n + z h₀ = 0.797986675…
  // Swapping r and z gives 0.5845, the convention h₁ = z n + (1 − z) h₀ gives 0.5651, and
  // applying r before W_hn (tanh(x_n + W_hn (r h₀) + b_hn)) gives 0.7924: all far outside 1e-5.
  @Test func gateOrderAndConventions() throws {
    let tape = Tape()
    let output = try tape.gruRecurrence(
      tape.constant(Tensor(shape: [1, 1, 3], values: [0.5, -1, 2])),
      hiddenWeight: tape.constant(Tensor(shape: [1, 3], values: [0.3, -0.2, 0.7])),
      hiddenBias: tape.constant(Tensor(shape: [3], values: [0.1, 0.2, -0.3])),
      initialHidden: tape.constant(Tensor(shape: [1, 1], values: [0.4])))
    #expect(abs(tape.value(output).scalar - 0.797_986_675) <= 1e-5)
  }

  @Test func badShapesAreErrors() throws {
    func run(_ x: [Int], _ w: [Int], _ b: [Int], _ h: [Int]) throws {
      let tape = Tape()
      _ = try tape.gruRecurrence(
        tape.constant(Tensor(shape: x)), hiddenWeight: tape.constant(Tensor(shape: w)),
        hiddenBias: tape.constant(Tensor(shape: b)), initialHidden: tape.constant(Tensor(shape: h)))
    }
    try run([2, 4, 6], [2, 6], [6], [2, 2])
    #expect(throws: AutodiffError.self) { try run([2, 4, 6], [2, 5], [6], [2, 2]) }  // W not H × 3H
    #expect(throws: AutodiffError.self) { try run([2, 4, 9], [2, 6], [6], [2, 2]) }  // gates not 3H
    #expect(throws: AutodiffError.self) { try run([8, 6], [2, 6], [6], [2, 2]) }  // not B × L × 3H
    #expect(throws: AutodiffError.self) { try run([2, 0, 6], [2, 6], [6], [2, 2]) }  // L = 0
    #expect(throws: AutodiffError.self) { try run([2, 4, 6], [2, 6], [3], [2, 2]) }  // bias
    #expect(throws: AutodiffError.self) { try run([2, 4, 6], [2, 6], [6], [3, 2]) }  // h₀ batch
    #expect(throws: AutodiffError.self) { try run([2, 4, 6], [2, 6], [6], [2, 3]) }  // h₀ width
    #expect(throws: AutodiffError.self) { try run([2, 4, 0], [0, 0], [0], [2, 0]) }  // H = 0
  }
}
