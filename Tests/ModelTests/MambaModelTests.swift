import Autodiff
import Foundation
import ModelTestSupport
import Models
import SeededRandom
import Tasks
import TestSupport
import Testing
import Training
import TrainingTestSupport

@Suite("Mamba models: recurrent mode = parallel mode, gradients, initialisation, family, training")
struct MambaModelTests {
  // Both modes run the same float32 operations (the recurrent one continues the convolution from its stored
  // inputs and the scan from its state); only the sgemm row counts (OpenBLAS's summation order) differ, a few
  // ulps per layer. 1e-4 relative (the protocol's bound) leaves ample room, while a convolution history or a
  // scan state not carried shows up at O(1).
  static let tolerance: Float = 1e-4

  @Test func stepByStepEqualsParallel() throws {
    let model = try MambaModel(.init(vocabulary: 7, width: 16, depth: 2, stateSize: 4), seed: 3)
    let tokens = randomTokens(batch: 3, length: 23, vocabulary: 7, seed: 13)
    #expect(try recurrentDeviation(model, tokens: tokens) <= Self.tolerance)
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [2, 9]) <= Self.tolerance)
  }

  @Test func featureModelStepsLikeItsParallelMode() throws {
    let model = try MambaModel(.init(vocabulary: 2, width: 8, depth: 2, stateSize: 3, inputChannels: 3), seed: 5)
    let features = randomTensor([2, 11, 3], seed: 7)
    #expect(try recurrentDeviation(model, features: features, prefillChunks: [5]) <= Self.tolerance)
  }

  // A state that is not carried is visible: restarting from zero at the last position changes its logits at
  // O(1) (the convolution alone reads three earlier positions).
  @Test func stateIsCarried() throws {
    let model = try MambaModel(.init(vocabulary: 5, width: 8, depth: 1), seed: 4)
    let tokens = randomTokens(batch: 2, length: 6, vocabulary: 5, seed: 6)
    let parallel = try model.forward(tokens)
    var fresh = try model.initialState(batchSize: 2)
    let restarted = try model.prefill(tokens.map { [$0[5]] }, state: &fresh)
    var difference: Float = 0
    for b in 0..<2 {
      for v in 0..<5 {
        difference = max(difference, abs(parallel.values[(b * 6 + 5) * 5 + v] - restarted.values[b * 5 + v]))
      }
    }
    #expect(difference > 1e-3)
  }

  // ∂ℒ/∂θ of the mean cross-entropy against central differences for every parameter tensor (the helper's
  // tolerance, 2e-2 of each parameter's largest gradient plus 1e-4, see `checkModelGradients`): the
  // convolution, softplus, −exp(A_log), selective scan and gating backward passes together.
  @Test func wholeModelGradients() throws {
    let model = try MambaModel(.init(vocabulary: 5, width: 8, depth: 2, stateSize: 3), seed: 8)
    let tokens = randomTokens(batch: 2, length: 7, vocabulary: 5, seed: 9)
    let targets = randomTokens(batch: 2, length: 7, vocabulary: 5, seed: 10)
    try checkModelGradients(model, tokens: tokens, targets: targets, checksPerParameter: 5)
  }

  // The official initialisation: A = −(n + 1) per channel (S4D-Real), D = 1, softplus(b_Δ) = dt inside
  // [1e-3, 1e-1] (float32 round trip of the inverse softplus: 1e-3 relative slack), and the state space
  // group holding exactly A_log, D and b_Δ.
  @Test func initialisationAndRoles() throws {
    let model = try MambaModel(.init(vocabulary: 6, width: 32, depth: 2, stateSize: 5), seed: 1)
    let block = model.blocks[1]
    #expect(block.expanded == 64)
    #expect(block.stepProjection.value.shape == [2, 64])  // R = ⌈32/16⌉
    for e in 0..<64 {
      for n in 0..<5 {
        #expect(abs(exp(block.logNegativeTransition.value.values[e * 5 + n]) - Float(n + 1)) <= 1e-5 * Float(n + 1))
      }
    }
    #expect(block.skip.value.values.allSatisfy { $0 == 1 })
    for bias in block.stepBias.value.values {
      let dt = log1p(exp(Double(bias)))
      #expect(dt >= 1e-3 * (1 - 1e-3) && dt <= 1e-1 * (1 + 1e-3), "dt \(dt)")
    }
    let stateSpace = Set(model.parameters.filter { $0.role == .stateSpace }.map(\.name))
    let expected = (0..<2).flatMap {
      ["blocks.\($0).logNegativeTransition", "blocks.\($0).skip", "blocks.\($0).stepBias"]
    }
    #expect(stateSpace == Set(expected))
    let names = model.parameters.map(\.name)
    #expect(Set(names).count == names.count)
  }

  // The family's closed form against a count written out for D = 8, E = 16, N = 4, R = 1, V = 5, depth 2:
  // per block norm 16, W_in + W_z 256, conv 80, W_r 16, W_B + W_C 128, W_Δ 16 + b_Δ 16, A_log 64, D 16,
  // W_out 128 = 736; embedding 40, final norm 16, decoder 45.
  @Test func familyCountAndConfiguration() throws {
    let shape = ModelFamily.Shape(vocabulary: 5, depth: 2, length: 16)
    let size = ModelFamily.Size(width: 8, inner: 4)
    let expected = 40 + 2 * 736 + 16 + 45
    #expect(ModelFamily.mamba.parameterCount(shape, size: size) == expected)
    let configuration = ModelFamily.mamba.configuration(shape, size: size)
    let model = try configuration.build(seed: 0)
    #expect(model.parameterCount == expected)
    #expect(ModelFamily.named("mamba") == .mamba)
    let decoded = try JSONDecoder().decode(ModelConfiguration.self, from: JSONEncoder().encode(configuration))
    #expect(decoded == configuration)
    #expect(decoded.family == "mamba")
  }

  @Test func badInputsAreErrors() throws {
    #expect(throws: AutodiffError.self) { try MambaModel(.init(vocabulary: 0, width: 4, depth: 1), seed: 0) }
    #expect(throws: AutodiffError.self) { try MambaModel(.init(vocabulary: 4, width: 4, depth: -1), seed: 0) }
    #expect(throws: AutodiffError.self) {
      try MambaModel(.init(vocabulary: 4, width: 4, depth: 1, stateSize: 0), seed: 0)
    }
    #expect(throws: AutodiffError.self) {
      try MambaModel(.init(vocabulary: 4, width: 4, depth: 1, expansion: 0), seed: 0)
    }
    let model = try MambaModel(.init(vocabulary: 4, width: 8, depth: 1), seed: 0)
    #expect(throws: AutodiffError.self) { try model.initialState(batchSize: 0) }
    var state = try model.initialState(batchSize: 2)
    let before = state.blocks.map { [$0.convolution, $0.scan] }
    #expect(throws: AutodiffError.self) { try model.step([1], state: &state) }
    #expect(throws: AutodiffError.self) { try model.step([1, 4], state: &state) }
    #expect(throws: AutodiffError.self) { try model.prefill([[1, 2], [3]], state: &state) }
    #expect(throws: AutodiffError.self) { try model.prefill([[], []], state: &state) }
    #expect(state.blocks.map { [$0.convolution, $0.scan] } == before)
    #expect(throws: AutodiffError.self) { try model.forward([[0, 1], [2, 5]]) }
    #expect(throws: AutodiffError.self) { try model.forward(features: Tensor(shape: [1, 2, 3])) }
  }

  // A tiny Mamba (D = 16, two blocks) trains through the common loop on a short copying task (4 tokens from
  // 4 symbols over a delay of 4): over 120 steps the mean loss of the last 10 steps falls well below that of
  // the first 10 and below 1.0, under log 4 ≈ 1.39, the loss of knowing the symbol frequencies only (≈ 1.6 →
  // ≈ 0.65 at seed 7), so the model reads its inputs across positions.
  @Test func learnsOnCopying() throws {
    let directory = temporaryPath("ssm-run")
    defer { try? FileManager.default.removeItem(at: directory) }
    let configuration = RunConfiguration(
      task: TaskConfiguration(.copying, length: 12, count: 4, alphabet: 4),
      model: .mamba(MambaModel.Configuration(vocabulary: 6, width: 16, depth: 2, stateSize: 8)), batch: 16,
      steps: 120, learningRate: 1e-2, warmupSteps: 10, seed: 7, checkpointEvery: 80)
    var losses: [Float] = []
    let run = try TrainingRun(directory: directory, configuration: configuration, resume: false)
    try run.run { losses.append($0.loss) }
    let first = losses.prefix(10).reduce(0, +) / 10
    let last = losses.suffix(10).reduce(0, +) / 10
    #expect(last < 0.8 * first && last < 1.0, "Mamba loss \(first) → \(last)")
  }
}
