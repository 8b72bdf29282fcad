import Autodiff
import Foundation
import LayerOperations
import ModelTestSupport
import Testing

/// Inputs of a selective scan: `u` (`B × L × D`), `Δ > 0`, `A < 0` (`D × N`), `B`, `C` (`B × L × N`), `D`.
struct ScanInputs {
  var u, delta, a, b, c, skip: Tensor

  /// Seeded inputs of order 1: `Δ ∈ [0.05, ~1.6]` (softplus-sized steps), `A ∈ −[0.3, ~3]`.
  init(batch: Int, length: Int, channels: Int, stateSize: Int, seed: UInt64) {
    u = randomTensor([batch, length, channels], seed: seed)
    var steps = randomTensor([batch, length, channels], seed: seed + 1, scale: 0.5)
    steps.values = steps.values.map { 0.05 + abs($0) }
    delta = steps
    var transition = randomTensor([channels, stateSize], seed: seed + 2)
    transition.values = transition.values.map { -0.3 - abs($0) }
    a = transition
    b = randomTensor([batch, length, stateSize], seed: seed + 3)
    c = randomTensor([batch, length, stateSize], seed: seed + 4)
    skip = randomTensor([channels], seed: seed + 5)
  }

  var tensors: [Tensor] { [u, delta, a, b, c, skip] }

  static func scan(_ tape: Tape, _ variables: [Variable], initialState: Tensor? = nil) throws
    -> SelectiveScanResult
  {
    try tape.selectiveScan(
      variables[0], delta: variables[1], a: variables[2], b: variables[3], c: variables[4], skip: variables[5],
      initialState: initialState)
  }

  /// The scan written out in float64 scalar loops: outputs `B × L × D` and the final state `B × D × N`.
  func reference(initialState: Tensor? = nil) -> (output: [Double], final: [Double]) {
    let (batch, length, channels, n) = (u.shape[0], u.shape[1], u.shape[2], a.shape[1])
    var state = initialState.map { $0.values.map(Double.init) } ?? [Double](repeating: 0, count: batch * channels * n)
    var output = [Double](repeating: 0, count: batch * length * channels)
    for s in 0..<batch {
      for t in 0..<length {
        for d in 0..<channels {
          let row = (s * length + t) * channels + d
          let (dt, input) = (Double(delta.values[row]), Double(u.values[row]))
          var y = Double(skip.values[d]) * input
          for k in 0..<n {
            let index = (s * channels + d) * n + k
            state[index] =
              exp(dt * Double(a.values[d * n + k])) * state[index]
              + dt * Double(b.values[(s * length + t) * n + k]) * input
            y += Double(c.values[(s * length + t) * n + k]) * state[index]
          }
          output[row] = y
        }
      }
    }
    return (output, state)
  }
}

/// Positions `start ..< start + count` of a `B × L × W` tensor: `B × count × W`.
func positions(_ tensor: Tensor, start: Int, count: Int) -> Tensor {
  let (batch, length, width) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
  var values: [Float] = []
  for sequence in 0..<batch {
    let first: Int = (sequence * length + start) * width
    values += tensor.values[first..<(first + count * width)]
  }
  return try! Tensor(shape: [batch, count, width], values: values)
}

@Suite("Selective scan (S6): float64 reference, recurrent step, gradients, shapes")
struct SelectiveScanTests {
  /// The largest `|actual − expected|` relative to the largest `|expected|`.
  static func relativeDeviation(_ actual: [Float], _ expected: [Double]) -> Double {
    let scale = expected.reduce(0) { max($0, abs($1)) }
    return zip(actual, expected).reduce(0) { max($0, abs(Double($1.0) - $1.1)) } / max(scale, 1e-30)
  }

  // D = 13 (a full block of 8 channels and a tail of 5) and D = 70 (two backward groups of 64 channels),
  // L = 37, from zero and from a random state. Float32 with inputs of order 1: each step rounds a few
  // operations at ε₃₂ ≈ 6e-8 and the decay keeps errors from growing (|Ā| < 1), the vector exp is within
  // 2 ulp, so the float32 scan is within ~1e-6 of the float64 loops; 1e-5 relative fails a wrong
  // discretisation (Euler Ā = 1 + ΔA instead of exp, or B̄ without Δ), a dropped skip or a missing lane.
  @Test(arguments: [13, 70]) func forwardMatchesFloat64Loops(channels: Int) throws {
    let inputs = ScanInputs(batch: 2, length: 37, channels: channels, stateSize: 5, seed: 11)
    for initial in [nil, randomTensor([2, channels, 5], seed: 19)] {
      let tape = Tape(recordsGradients: false)
      let result = try ScanInputs.scan(tape, inputs.tensors.map { tape.constant($0) }, initialState: initial)
      let expected = inputs.reference(initialState: initial)
      #expect(tape.value(result.output).shape == [2, 37, channels])
      #expect(Self.relativeDeviation(tape.value(result.output).values, expected.output) <= 1e-5)
      #expect(result.finalState.shape == [2, channels, 5])
      #expect(Self.relativeDeviation(result.finalState.values, expected.final) <= 1e-5)
    }
  }

  // Hand-worked case, B = L = D = N = 1 then a second step: Δ = ln 2, A = −1 gives Ā = ½, B̄ = ln 2 · B.
  //   x₀ = ln 2 · 3 · 2 = 4.158883…, y₀ = C x₀ + D u = 0.5 · 4.158883 + 0.25 · 2 = 2.579442
  //   x₁ = ½ x₀ + ln 2 · 3 · (−1) = 0,   y₁ = 0 + 0.25 · (−1) = −0.25
  // (Euler Ā = 1 + ΔA would give x₁ = 1.2763…, a bilinear B̄ another x₀.)
  @Test func handWorkedSteps() throws {
    let tape = Tape()
    let ln2 = Float(M_LN2)
    let result = try tape.selectiveScan(
      tape.constant(Tensor(shape: [1, 2, 1], values: [2, -1])),
      delta: tape.constant(Tensor(shape: [1, 2, 1], values: [ln2, ln2])),
      a: tape.constant(Tensor(shape: [1, 1], values: [-1])),
      b: tape.constant(Tensor(shape: [1, 2, 1], values: [3, 3])),
      c: tape.constant(Tensor(shape: [1, 2, 1], values: [0.5, 0.5])),
      skip: tape.constant(Tensor(shape: [1], values: [0.25])))
    let y = tape.value(result.output).values
    #expect(abs(y[0] - 2.579_442) <= 1e-5)
    #expect(abs(y[1] + 0.25) <= 1e-5)
    #expect(abs(result.finalState.scalar) <= 1e-5)
  }

  // Splitting the sequence and passing the final state on gives the whole sequence's outputs: the same
  // float32 operations in the same order, so equal to rounding (1e-6 relative).
  @Test func statePassingEqualsWholeSequence() throws {
    let inputs = ScanInputs(batch: 2, length: 20, channels: 11, stateSize: 4, seed: 31)
    let tape = Tape(recordsGradients: false)
    let whole = tape.value(try ScanInputs.scan(tape, inputs.tensors.map { tape.constant($0) }).output)
    var state: Tensor? = nil
    var pieces: [[Float]] = [[], []]
    for (start, count) in [(0, 7), (7, 1), (8, 12)] {
      let slice = { (tensor: Tensor) in positions(tensor, start: start, count: count) }
      let chunk = [slice(inputs.u), slice(inputs.delta), inputs.a, slice(inputs.b), slice(inputs.c), inputs.skip]
      let result = try ScanInputs.scan(tape, chunk.map { tape.constant($0) }, initialState: state)
      let values = tape.value(result.output).values
      for s in 0..<2 { pieces[s] += values[(s * count * 11)..<((s + 1) * count * 11)] }
      state = result.finalState
    }
    let scale = whole.values.map(abs).max()!
    #expect(zip(whole.values, pieces[0] + pieces[1]).allSatisfy { abs($0 - $1) <= 1e-6 * scale })
  }

  // The scalar recurrence (SelectiveScanRecurrence, libm exp) one position at a time against the parallel
  // scan (SIMD exp within 2 ulp): both float32 of the same function, 1e-5 relative as above.
  @Test func recurrentStepsEqualParallelScan() throws {
    let (batch, length, channels, n) = (3, 17, 10, 6)
    let inputs = ScanInputs(batch: batch, length: length, channels: channels, stateSize: n, seed: 41)
    let initial = randomTensor([batch, channels, n], seed: 47)
    let tape = Tape(recordsGradients: false)
    let parallel = try ScanInputs.scan(tape, inputs.tensors.map { tape.constant($0) }, initialState: initial)
    var recurrence = try SelectiveScanRecurrence(a: inputs.a, skip: inputs.skip, batch: batch, initialState: initial)
    var stepped = [Float](repeating: 0, count: batch * length * channels)
    func position(_ tensor: Tensor, _ t: Int) -> Tensor {
      let slice = positions(tensor, start: t, count: 1)
      return try! Tensor(shape: [batch, tensor.shape[2]], values: slice.values)
    }
    for t in 0..<length {
      let y = try recurrence.step(
        u: position(inputs.u, t), delta: position(inputs.delta, t), b: position(inputs.b, t), c: position(inputs.c, t))
      for s in 0..<batch {
        for d in 0..<channels { stepped[(s * length + t) * channels + d] = y.values[s * channels + d] }
      }
    }
    let expected = tape.value(parallel.output).values.map(Double.init)
    #expect(Self.relativeDeviation(stepped, expected) <= 1e-5)
    #expect(Self.relativeDeviation(recurrence.state.values, parallel.finalState.values.map(Double.init)) <= 1e-5)
  }

  // Central differences with the helper's tolerance (1e-2 of each input's largest gradient, see
  // `checkGradients`) for u, Δ, A, B, C, D, from zero and from a random initial state; D = 10 has a tail
  // block of 2 channels. Δ ≥ 0.05 stays positive under the step 1e-2.
  @Test func gradientsAgainstCentralDifferences() throws {
    let inputs = ScanInputs(batch: 2, length: 6, channels: 10, stateSize: 3, seed: 51)
    try checkGradients(inputs.tensors, maximumChecks: 60) { tape, variables in
      try ScanInputs.scan(tape, variables).output
    }
    let initial = randomTensor([2, 10, 3], seed: 53)
    try checkGradients(inputs.tensors, maximumChecks: 30) { tape, variables in
      try ScanInputs.scan(tape, variables, initialState: initial).output
    }
  }

  // Across two backward channel groups (D = 66 = 64 + 2): the partial sums of ∂B and ∂C over groups.
  @Test func gradientsAcrossChannelGroups() throws {
    let inputs = ScanInputs(batch: 1, length: 4, channels: 66, stateSize: 2, seed: 61)
    try checkGradients(inputs.tensors, maximumChecks: 24) { tape, variables in
      try ScanInputs.scan(tape, variables).output
    }
  }

  @Test func badShapesAreErrors() throws {
    let inputs = ScanInputs(batch: 2, length: 5, channels: 4, stateSize: 3, seed: 71)
    let tape = Tape()
    let v = inputs.tensors.map { tape.constant($0) }
    let wrong = tape.constant(Tensor(shape: [2, 5, 5]))
    #expect(throws: AutodiffError.self) {
      try tape.selectiveScan(wrong, delta: v[1], a: v[2], b: v[3], c: v[4], skip: v[5])
    }
    #expect(throws: AutodiffError.self) {
      try tape.selectiveScan(v[0], delta: wrong, a: v[2], b: v[3], c: v[4], skip: v[5])
    }
    #expect(throws: AutodiffError.self) {
      try tape.selectiveScan(v[0], delta: v[1], a: v[3], b: v[3], c: v[4], skip: v[5])
    }
    #expect(throws: AutodiffError.self) {
      try tape.selectiveScan(v[0], delta: v[1], a: v[2], b: wrong, c: v[4], skip: v[5])
    }
    #expect(throws: AutodiffError.self) {
      try tape.selectiveScan(v[0], delta: v[1], a: v[2], b: v[3], c: wrong, skip: v[5])
    }
    #expect(throws: AutodiffError.self) {
      try tape.selectiveScan(v[0], delta: v[1], a: v[2], b: v[3], c: v[4], skip: v[2])
    }
    #expect(throws: AutodiffError.self) {
      try tape.selectiveScan(
        v[0], delta: v[1], a: v[2], b: v[3], c: v[4], skip: v[5], initialState: Tensor(shape: [2, 3, 4]))
    }
    let empty = tape.constant(Tensor(shape: [2, 0, 4]))
    #expect(throws: AutodiffError.self) {
      try tape.selectiveScan(empty, delta: empty, a: v[2], b: v[3], c: v[4], skip: v[5])
    }
    #expect(throws: AutodiffError.self) { try SelectiveScanRecurrence(a: inputs.a, skip: inputs.a, batch: 2) }
    #expect(throws: AutodiffError.self) { try SelectiveScanRecurrence(a: inputs.a, skip: inputs.skip, batch: 0) }
    var recurrence = try SelectiveScanRecurrence(a: inputs.a, skip: inputs.skip, batch: 2)
    let before = recurrence.state
    #expect(throws: AutodiffError.self) {
      try recurrence.step(
        u: Tensor(shape: [2, 4]), delta: Tensor(shape: [2, 4]), b: Tensor(shape: [2, 4]), c: Tensor(shape: [2, 3]))
    }
    #expect(recurrence.state == before)
  }
}
