import Dispatch
import FFT
import HiPPO
import Numerics
import S4
import TestSupport
import Testing

@Suite("Recurrent mode and state passing")
struct RecurrenceTests {
  static func diagonalSystem(channels: Int, stateSize: Int, discretization: DiagonalDiscretization) throws
    -> DiagonalSSM
  {
    let base = try S4DInitialization.inv.system(stateSize: stateSize)
    let modes = stateSize / 2
    return try DiagonalSSM(
      lambda: Array(repeating: base.lambda, count: channels).flatMap { $0 },
      b: complexNormals(channels * modes, seed: 21), c: complexNormals(channels * modes, seed: 22),
      dt: steps(channels, seed: 23), discretization: discretization)
  }

  // Convolution mode (kernel + FFT) and recurrent mode compute the same y.
  // Reference: float64 direct convolution with the float64 kernel (which equals
  // dense powers, see the kernel suites). float64 1e-10 (the recurrence is a
  // stable filter: round-off does not grow); float32 1e-4 of max|y|.
  // Channel counts cover both float32 paths: multiples of 8 run the SIMD kernel on the
  // scaled state x/B̄ (16; 72: a block of 64 channels + 8 in `run`), others the plain loop
  // (3, 19, 70).
  @Test(arguments: [DiagonalDiscretization.zoh, .bilinear], [3, 19, 70, 16, 72])
  func diagonalConvolutionEqualsRecurrence(discretization: DiagonalDiscretization, channels: Int) throws {
    let (batch, length) = (2, 300)
    let system = try Self.diagonalSystem(channels: channels, stateSize: 20, discretization: discretization)
    let shape = try SignalShape(batch: batch, channels: channels, length: length)
    let u = normals(shape.count, seed: 24)
    let skip = normals(channels, seed: 25)
    let reference = directConvolution(
      u, rows: shape.rows, channels: channels, length: length, kernel: try system.kernel(length: length), skip: skip)
    let convolution = try causalConvolution(u, shape: shape, kernel: try system.kernel(length: length), skip: skip)
    #expect(relativeError(convolution, reference) <= 1e-10)
    var state = DiagonalRecurrence<Double>(system).initialState(batch: batch)
    #expect(
      relativeError(try DiagonalRecurrence<Double>(system).run(u, length: length, skip: skip, state: &state), reference)
        <= 1e-10)

    let u32 = u.map(Float.init)
    let skip32 = skip.map(Float.init)
    let conv32 = try causalConvolution(
      u32, shape: shape, kernel: try system.kernel(length: length, as: Float.self), skip: skip32)
    #expect(relativeError(conv32, reference) <= 1e-4)
    let recurrence32 = DiagonalRecurrence<Float>(system)
    var state32 = recurrence32.initialState(batch: batch)
    #expect(relativeError(try recurrence32.run(u32, length: length, skip: skip32, state: &state32), reference) <= 1e-4)
    // Token by token (generation) equals the whole run, exactly: same operations.
    var stepped = recurrence32.initialState(batch: batch)
    var ySteps = [Float](repeating: 0, count: shape.count)
    for t in 0..<length {
      let token = (0..<shape.rows).map { u32[$0 * length + t] }
      let out = try recurrence32.step(token, skip: skip32, state: &stepped)
      for row in 0..<shape.rows { ySteps[row * length + t] = out[row] }
    }
    var whole = recurrence32.initialState(batch: batch)
    #expect(ySteps == (try recurrence32.run(u32, length: length, skip: skip32, state: &whole)))
    #expect(stepped == whole)
  }

  @Test(arguments: [(Measure.legs, 16), (Measure.tlagt(beta: 0.4), 8)])
  func dplrConvolutionEqualsRecurrence(measure: Measure, stateSize: Int) throws {
    let (batch, length) = (2, 400)
    let system = try hippoSystem(measure, stateSize: stateSize, channels: 2, seed: 31)
    let shape = try SignalShape(batch: batch, channels: 2, length: length)
    let u = normals(shape.count, seed: 32)
    let skip = normals(2, seed: 33)
    let kernel = try system.kernel(length: length, as: Double.self)
    let reference = directConvolution(u, rows: shape.rows, channels: 2, length: length, kernel: kernel, skip: skip)
    let recurrence = try DPLRRecurrence<Double>(system)
    var state = recurrence.initialState(batch: batch)
    #expect(relativeError(try recurrence.run(u, length: length, skip: skip, state: &state), reference) <= 1e-10)
    // The final stored half-state equals the dense extended recurrence's first half.
    for row in 0..<shape.rows {
      let h = row % 2
      let dense = try system.discreteSystem(channel: h).run(Array(u[(row * length)..<((row + 1) * length)]), d: skip[h])
      let half = Array(dense.state.prefix(system.modes))
      let mine = Array(state[(row * system.modes)..<((row + 1) * system.modes)])
      #expect(
        relativeError(mine.flatMap { [$0.real, $0.imaginary] }, half.flatMap { [$0.real, $0.imaginary] }) <= 1e-10)
      #expect(relativeError(dense.y.map(\.real), Array(reference[(row * length)..<((row + 1) * length)])) <= 1e-10)
    }
    let recurrence32 = try DPLRRecurrence<Float>(system)
    var state32 = recurrence32.initialState(batch: batch)
    #expect(
      relativeError(
        try recurrence32.run(u.map(Float.init), length: length, skip: skip.map(Float.init), state: &state32), reference)
        <= 1e-4)
  }

  // State passing: the convolution-mode forward of consecutive chunks, each
  // started from the previous chunk's final state, equals one recurrent run over
  // the concatenation (outputs and final state; same tolerances as above).
  // (8 channels: float32 chunks hand a scaled state from one recurrence to the next.)
  @Test(arguments: [3, 8])
  func chunkedForwardEqualsOneLongRun(channels: Int) throws {
    let batch = 2
    let chunks = [300, 1, 77, 512]
    let total = chunks.reduce(0, +)
    let system = try Self.diagonalSystem(channels: channels, stateSize: 16, discretization: .zoh)
    let u = normals(batch * channels * total, seed: 41)
    let skip = normals(channels, seed: 42)
    let recurrence = DiagonalRecurrence<Double>(system)
    var longState = recurrence.initialState(batch: batch)
    let longY = try recurrence.run(u, length: total, skip: skip, state: &longState)

    for precision in [Double.self as any FFTScalar.Type, Float.self as any FFTScalar.Type] {
      func run<T: FFTScalar>(_: T.Type) throws -> (y: [Double], state: [Complex<Double>]) {
        var state: DiagonalState<T>? = nil
        var y = [Double](repeating: 0, count: u.count)
        var offset = 0
        for length in chunks {
          let shape = try SignalShape(batch: batch, channels: channels, length: length)
          var chunk = [T]()
          for row in 0..<shape.rows {
            chunk += u[(row * total + offset)..<(row * total + offset + length)].map { T($0) }
          }
          let result = try system.forward(chunk, shape: shape, skip: skip.map { T($0) }, initialState: state)
          for row in 0..<shape.rows {
            for t in 0..<length { y[row * total + offset + t] = Double(result.y[row * length + t]) }
          }
          state = result.finalState
          offset += length
        }
        return (y, state!.values.map { Complex(Double($0.real), Double($0.imaginary)) })
      }
      let (y, state) = try precision == Double.self ? run(Double.self) : run(Float.self)
      let tolerance = precision == Double.self ? 1e-10 : 1e-4
      #expect(relativeError(y, longY) <= tolerance)
      #expect(
        relativeError(state.flatMap { [$0.real, $0.imaginary] }, longState.values.flatMap { [$0.real, $0.imaginary] })
          <= tolerance)
    }
  }

  // The convolution-mode forward from a non-zero state x₀ gets its final state
  // x_{L−1} = Ā^L x₀ + B̄ Σ_j Ā^{L−1−j} u_j from a blocked transposed Vandermonde sum, and its
  // outputs from the FFT convolution plus the response of x₀, never stepping. Reference: the
  // float64 recurrence (x ← Āx + B̄u step by step) from the same x₀. float64 state 1e-12 of
  // max|x| (the blocked sum rounds through ~β + L/β + log₂ L float64 products, ~1e-14), outputs
  // 1e-10 as above; float32 1e-4 of max|x| and max|y| (rounded once from float64 tables, sums of
  // β terms in float32). Lengths: one partial block (1, 7; β = 8), whole blocks (64), a partial
  // last block (300), several blocks (1000). dt up to 3 drives Ā^i below the float32 cutoff
  // within a block (|Ā| = e^{−1.5}). 16 channels hand the float32 fast path's scaled state in.
  @Test(arguments: [3, 16], [1, 7, 64, 300, 1000])
  func forwardFromAStateEqualsRecurrence(channels: Int, length: Int) throws {
    let batch = 2
    let base = try Self.diagonalSystem(channels: channels, stateSize: 16, discretization: .zoh)
    let system = try DiagonalSSM(
      lambda: base.lambda, b: base.b, c: base.c,
      dt: base.dt.enumerated().map { $0.offset % 3 == 2 ? 3 : $0.element }, discretization: .zoh)
    let shape = try SignalShape(batch: batch, channels: channels, length: length)
    let u = normals(shape.count, seed: 51)
    let skip = normals(channels, seed: 52)
    let x0 = complexNormals(batch * channels * system.modes, seed: 53)

    let recurrence = DiagonalRecurrence<Double>(system)
    var referenceState = try DiagonalState<Double>(batch: batch, channels: channels, modes: system.modes, values: x0)
    let referenceY = try recurrence.run(u, length: length, skip: skip, state: &referenceState)
    let reference = referenceState.values.flatMap { [$0.real, $0.imaginary] }

    let start = try DiagonalState<Double>(batch: batch, channels: channels, modes: system.modes, values: x0)
    let result = try system.forward(u, shape: shape, skip: skip, initialState: start)
    #expect(relativeError(result.finalState.values.flatMap { [$0.real, $0.imaginary] }, reference) <= 1e-12)
    #expect(relativeError(result.y, referenceY) <= 1e-10)

    // float32 from a state the fast path stored scaled (x/B̄ after a recurrent step).
    let recurrence32 = DiagonalRecurrence<Float>(system)
    var start32 = try DiagonalState<Float>(
      batch: batch, channels: channels, modes: system.modes,
      values: x0.map { Complex(Float($0.real), Float($0.imaginary)) })
    let token = normals(batch * channels, seed: 54)
    var stepped = try DiagonalState<Double>(batch: batch, channels: channels, modes: system.modes, values: x0)
    _ = try recurrence.step(token, state: &stepped)
    _ = try recurrence32.step(token.map(Float.init), state: &start32)
    var reference32 = stepped
    let referenceY32 = try recurrence.run(u, length: length, skip: skip, state: &reference32)
    let result32 = try system.forward(
      u.map(Float.init), shape: shape, skip: skip.map(Float.init), initialState: start32)
    #expect(
      relativeError(
        result32.finalState.values.flatMap { [$0.real, $0.imaginary] },
        reference32.values.flatMap { [$0.real, $0.imaginary] }) <= 1e-4)
    #expect(relativeError(result32.y, referenceY32) <= 1e-4)
  }

  @Test func rejectsBadForwardInput() throws {
    let system = try Self.diagonalSystem(channels: 2, stateSize: 4, discretization: .zoh)
    let shape = try SignalShape(batch: 1, channels: 2, length: 3)
    let u: [Float] = [1, 2, 3, 4, 5, 6]
    #expect(throws: S4Error.self) { _ = try system.forward([Float](u.prefix(5)), shape: shape) }
    #expect(throws: S4Error.self) { _ = try system.forward([1, 2, 3, 4, 5, Float.nan], shape: shape) }
    #expect(throws: S4Error.self) { _ = try system.forward(u, shape: shape, skip: [1]) }
    let otherModes = DiagonalState<Float>(batch: 1, channels: 2, modes: 3)
    #expect(throws: S4Error.self) { _ = try system.forward(u, shape: shape, initialState: otherModes) }
    let otherBatch = DiagonalState<Float>(batch: 2, channels: 2, modes: 2)
    #expect(throws: S4Error.self) { _ = try system.forward(u, shape: shape, initialState: otherBatch) }
  }

  // Kernels and convolutions requested from many threads at once (planner and
  // plan cache under contention) give exactly the serial numbers.
  @Test func parallelCallsMatchSerial() throws {
    let system = try Self.diagonalSystem(channels: 4, stateSize: 32, discretization: .zoh)
    let dplr = try hippoSystem(.legs, stateSize: 8, channels: 2, seed: 9)
    let lengths = [64, 333, 1024, 4097, 10, 2000]
    let serial = try lengths.map {
      try system.kernel(length: $0, as: Float.self) + dplr.kernel(length: $0, as: Float.self)
    }
    DispatchQueue.concurrentPerform(iterations: lengths.count * 3) { index in
      let length = lengths[index % lengths.count]
      let result = try? system.kernel(length: length, as: Float.self) + dplr.kernel(length: length, as: Float.self)
      #expect(result == serial[index % lengths.count])
    }
  }

  @Test func rejectsBadRecurrenceInput() throws {
    let system = try Self.diagonalSystem(channels: 2, stateSize: 4, discretization: .zoh)
    let recurrence = DiagonalRecurrence<Float>(system)
    var state = recurrence.initialState(batch: 1)
    #expect(throws: S4Error.self) { _ = try recurrence.step([1, 2, 3], state: &state) }
    #expect(throws: S4Error.self) { _ = try recurrence.step([1, .nan], state: &state) }
    #expect(throws: S4Error.self) { _ = try recurrence.step([1, 2], skip: [1], state: &state) }
    #expect(throws: S4Error.self) { _ = try recurrence.run([1, 2], length: 0, state: &state) }
    #expect(throws: S4Error.self) { _ = try DiagonalState<Float>(batch: 1, channels: 2, modes: 2, values: []) }
    var empty = recurrence.initialState(batch: 0)
    #expect(throws: S4Error.self) { _ = try recurrence.step([], state: &empty) }
  }
}
