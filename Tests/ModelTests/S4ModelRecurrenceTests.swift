import Autodiff
import LayerOperations
import ModelTestSupport
import Models
import Numerics
import S4
import SeededRandom
import TestSupport
import Testing

@Suite("S4 models: recurrent mode = convolution mode")
struct S4ModelRecurrenceTests {
  // Float32 logits of two computations of the same function: the FFT convolution (kernel by
  // Vandermonde / Cauchy in float64, rounded) against the recurrence in float32. Their
  // rounding differs at ~1e-6 of the signal per layer; 1e-4 relative leaves room for two
  // blocks and the decoder while a missing activation, skip or factor 2 shows up at O(1).
  static let tolerance: Float = 1e-4

  // Pre- and post-norm blocks: the recurrent mode shares every per-position operation.
  @Test(arguments: [SSMLayerKind.diagonal, .dplr], NormPosition.allCases)
  func stepByStepEqualsParallel(kind: SSMLayerKind, normPosition: NormPosition) throws {
    let length = 37
    let model = try S4Model(
      .init(
        vocabulary: 7, width: 16, depth: 2, stateSize: 16, layer: kind, kernelHorizon: length,
        normPosition: normPosition), seed: 5)
    let tokens = randomTokens(batch: 3, length: length, vocabulary: 7, seed: 11)
    #expect(try recurrentDeviation(model, tokens: tokens) <= Self.tolerance)
    // A chunked prefill (5 then 11 tokens by state passing), then single steps.
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [5, 11]) <= Self.tolerance)
  }

  // Blocks with a plain linear output projection step through the same block code.
  @Test(arguments: [SSMLayerKind.diagonal, .dplr])
  func linearOutputStepEqualsParallel(kind: SSMLayerKind) throws {
    let length = 29
    let model = try S4Model(
      .init(
        vocabulary: 6, width: 16, depth: 2, stateSize: 16, layer: kind, kernelHorizon: length,
        blockOutput: .linear), seed: 8)
    let tokens = randomTokens(batch: 2, length: length, vocabulary: 6, seed: 12)
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [7]) <= Self.tolerance)
  }

  // Diagonal layers with eight-channel groups take the float32 fast path (scaled state).
  @Test func fastPathStepEqualsParallel() throws {
    let model = try S4Model(.init(vocabulary: 5, width: 32, depth: 2, stateSize: 32), seed: 9)
    let tokens = randomTokens(batch: 2, length: 64, vocabulary: 5, seed: 4)
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [16]) <= Self.tolerance)
  }

  // A DPLR layer's C̃ is defined at its kernel horizon L_h: both modes compute the function of
  // C = C̃(I − Ā^{L_h})⁻¹. Stepping with C = C̃ instead (the L → ∞ reading of C̃) differs
  // visibly, which shows the conversion is what makes the modes agree; and they agree at lengths
  // below the horizon and beyond it (the convolution then doubles the horizon, 24 → 96).
  @Test(arguments: [(24, 24), (24, 64), (70, 24)])
  func dplrStepEqualsParallelAtAnyLength(length: Int, horizon: Int) throws {
    let configuration = S4Model.Configuration(
      vocabulary: 5, width: 8, depth: 2, stateSize: 8, layer: .dplr, kernelHorizon: horizon)
    let model = try S4Model(configuration, seed: 1)
    let tokens = randomTokens(batch: 2, length: length, vocabulary: 5, seed: 2)
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [5]) <= Self.tolerance)
    guard case .dplr(let layer) = model.blocks[0].s4 else {
      Issue.record("not a DPLR layer")
      return
    }
    let tape = Tape(recordsGradients: false)
    let u = randomTensor([1, 8, length], seed: 9)
    let convolution = tape.value(try layer(tape.constant(u), on: tape)).values.map(Double.init)
    let withTildeC = try DPLRSSM(
      logNegativeRealLambda: layer.logNegativeRealLambda.value, imaginaryLambda: layer.imaginaryLambda.value,
      p: layer.p.value, b: layer.b.value, c: layer.tildeC.value, logDt: layer.logDt.value)
    let converted = try withTildeC.c(fromTildeC: withTildeC.c, length: horizon)
    func recurrentOutput(c: [Complex<Double>]) throws -> [Double] {
      let system = try DPLRSSM(lambda: withTildeC.lambda, p: withTildeC.p, b: withTildeC.b, c: c, dt: withTildeC.dt)
      let recurrence = try DPLRRecurrence<Double>(system)
      var state = recurrence.initialState(batch: 1)
      return try recurrence.run(
        u.values.map(Double.init), length: length, skip: layer.skip.value.values.map(Double.init), state: &state)
    }
    let scale = convolution.map(abs).max() ?? 1
    let deviation = { (y: [Double]) in zip(y, convolution).map { abs($0 - $1) }.max() ?? 0 }
    #expect(try deviation(recurrentOutput(c: converted)) <= Double(Self.tolerance) * scale)
    #expect(try deviation(recurrentOutput(c: withTildeC.c)) > 100 * Double(Self.tolerance) * scale)
  }

  // Logits at a position do not depend on how long the sequence is: positions < 64 of inputs of
  // length 64, 128 and 1000 sharing a prefix (horizon 64; the longer inputs convert C̃ to 128 and
  // 1024 in float64). Slow modes (dt = 1e-3, so dt·|Re λ| = 5e-4) are where reading C̃ at the input
  // length instead moved the lag-0 tap by ~2× per doubling. 1e-5 of max|logit|: the same float64
  // function through float32 kernels and FFTs of three sizes (≈ 1e-6 relative each).
  @Test func dplrLogitsDoNotDependOnLength() throws {
    let model = try S4Model(
      .init(
        vocabulary: 6, width: 8, depth: 2, stateSize: 8, layer: .dplr, kernelHorizon: 64, dtRange: [1e-3, 1e-3]),
      seed: 3)
    let long = randomTokens(batch: 1, length: 1000, vocabulary: 6, seed: 5)
    let reference = try model.forward(long.map { Array($0[..<64]) }).values
    let scale = reference.map(abs).max() ?? 1
    for length in [128, 1000] {
      let logits = try model.forward(long.map { Array($0[..<length]) }).values
      let prefix = logits[..<(64 * 6)]
      let deviation = zip(prefix, reference).map { abs($0 - $1) }.max() ?? 0
      #expect(deviation <= 1e-5 * scale, "length \(length): max |Δ| \(deviation) of \(scale)")
    }
  }

  // Training reads C̃ at the horizon only: a recorded forward longer than the horizon is an error
  // (its horizon doubling has no backward pass), one without gradients is not.
  @Test func dplrTrainingBeyondTheHorizonIsAnError() throws {
    let model = try S4Model(
      .init(vocabulary: 4, width: 8, depth: 1, stateSize: 8, layer: .dplr, kernelHorizon: 16), seed: 0)
    let tokens = randomTokens(batch: 1, length: 17, vocabulary: 4, seed: 1)
    var generator = SeededGenerator(seed: 0)
    #expect(throws: AutodiffError.self) {
      _ = try model.logits(tokens, on: Tape(), training: true, generator: &generator)
    }
    _ = try model.forward(tokens)
  }

  // The pooled read-out (causal mean pooling) carries its running sum through the recurrent state.
  @Test(arguments: [SSMLayerKind.diagonal, .dplr])
  func meanPooledStepByStepEqualsParallel(kind: SSMLayerKind) throws {
    let length = 29
    let model = try S4Model(
      .init(
        vocabulary: 6, width: 16, depth: 2, stateSize: 16, layer: kind, kernelHorizon: length, meanPooling: true),
      seed: 7)
    let tokens = randomTokens(batch: 2, length: length, vocabulary: 6, seed: 12)
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [4, 7]) <= Self.tolerance)
    // Pooling changes the read-out: the logits differ from the per-position model with the same weights.
    let perPosition = try S4Model(
      .init(vocabulary: 6, width: 16, depth: 2, stateSize: 16, layer: kind, kernelHorizon: length), seed: 7)
    let (pooled, plain) = (try model.forward(tokens), try perPosition.forward(tokens))
    #expect(zip(pooled.values, plain.values).contains { abs($0 - $1) > 1e-3 })
  }

  @Test func badStepsAreErrors() throws {
    let model = try S4Model(.init(vocabulary: 4, width: 8, depth: 1, stateSize: 8), seed: 0)
    var state = try model.initialState(batchSize: 2)
    #expect(throws: AutodiffError.self) { try model.step([1], state: &state) }
    #expect(throws: AutodiffError.self) { try model.step([1, 4], state: &state) }
    #expect(throws: AutodiffError.self) { try model.prefill([[1, 2], [3]], state: &state) }
    #expect(throws: AutodiffError.self) { try model.initialState(batchSize: 0) }
    let bidirectional = try S4Model(
      .init(vocabulary: 4, width: 8, depth: 1, stateSize: 8, bidirectional: true), seed: 0)
    #expect(throws: AutodiffError.self) { try bidirectional.initialState(batchSize: 1) }
    let bidirectionalDPLR = try S4Model(
      .init(vocabulary: 4, width: 8, depth: 1, stateSize: 8, layer: .dplr, bidirectional: true), seed: 0)
    #expect(throws: AutodiffError.self) { try bidirectionalDPLR.initialState(batchSize: 1) }
  }
}
