import Autodiff
import ModelTestSupport
import Testing

@Suite("Causal mean pooling")
struct CumulativeMeanTests {
  // Central differences (see `checkGradients`), from scratch and continuing a prior chunk.
  @Test func gradients() throws {
    try checkGradients([randomTensor([2, 7, 3], seed: 61)]) { try $0.cumulativeMean($1[0]) }
    let prior = randomTensor([2, 3], seed: 62)
    try checkGradients([randomTensor([2, 5, 3], seed: 63)]) {
      try $0.cumulativeMean($1[0], priorSum: prior, priorCount: 4)
    }
  }

  // Position t is the mean of positions 0…t (float32 sums of 9 values: 1e-6); a chunk continued
  // from the first chunk's sum equals the whole sequence's tail exactly (the same additions).
  @Test func meansAndChunks() throws {
    let x = randomTensor([1, 9, 2], seed: 64)
    let tape = Tape()
    let whole = tape.value(try tape.cumulativeMean(tape.constant(x)))
    for t in 0..<9 {
      for j in 0..<2 {
        let mean = (0...t).reduce(Float(0)) { $0 + x.values[$1 * 2 + j] } / Float(t + 1)
        #expect(abs(whole.values[t * 2 + j] - mean) < 1e-6)
      }
    }
    let head = try Tensor(shape: [1, 4, 2], values: Array(x.values[..<8]))
    let tail = try Tensor(shape: [1, 5, 2], values: Array(x.values[8...]))
    let sum = try Tensor(
      shape: [1, 2], values: (0..<2).map { j in (0..<4).reduce(Float(0)) { $0 + head.values[$1 * 2 + j] } })
    let continued = tape.value(try tape.cumulativeMean(tape.constant(tail), priorSum: sum, priorCount: 4))
    #expect(continued.values == Array(whole.values[8...]))
    #expect(throws: AutodiffError.self) { try tape.cumulativeMean(tape.constant(tail), priorCount: 2) }
  }
}
