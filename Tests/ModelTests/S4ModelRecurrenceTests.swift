import Autodiff
import Models
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
        vocabulary: 7, width: 16, depth: 2, stateSize: 16, layer: kind, recurrentHorizon: length,
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
        vocabulary: 6, width: 16, depth: 2, stateSize: 16, layer: kind, recurrentHorizon: length,
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

  // DPLR layers step with C = C̃(I − Ā^L)⁻¹: without the horizon (C = C̃) the short-kernel
  // model differs visibly, which shows the conversion is what makes the modes agree.
  @Test func dplrHorizonMatters() throws {
    let length = 24
    let configuration = S4Model.Configuration(vocabulary: 5, width: 8, depth: 1, stateSize: 8, layer: .dplr)
    let tokens = randomTokens(batch: 1, length: length, vocabulary: 5, seed: 2)
    var withHorizon = configuration
    withHorizon.recurrentHorizon = length
    #expect(try recurrentDeviation(S4Model(withHorizon, seed: 1), tokens: tokens) <= Self.tolerance)
    #expect(try recurrentDeviation(S4Model(configuration, seed: 1), tokens: tokens) > 100 * Self.tolerance)
  }

  // The pooled read-out (causal mean pooling) carries its running sum through the recurrent state.
  @Test(arguments: [SSMLayerKind.diagonal, .dplr])
  func meanPooledStepByStepEqualsParallel(kind: SSMLayerKind) throws {
    let length = 29
    let model = try S4Model(
      .init(
        vocabulary: 6, width: 16, depth: 2, stateSize: 16, layer: kind, recurrentHorizon: length, meanPooling: true),
      seed: 7)
    let tokens = randomTokens(batch: 2, length: length, vocabulary: 6, seed: 12)
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [4, 7]) <= Self.tolerance)
    // Pooling changes the read-out: the logits differ from the per-position model with the same weights.
    let perPosition = try S4Model(
      .init(vocabulary: 6, width: 16, depth: 2, stateSize: 16, layer: kind, recurrentHorizon: length), seed: 7)
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
