import Autodiff
import Foundation
import ModelTestSupport
import Models
import SeededRandom
import TestSupport
import Testing

@Suite("GRU models: recurrent mode = parallel mode, gradients, errors")
struct GRUModelTests {
  // Both modes run the same float32 operations; only the row counts of the sgemm calls (and so
  // OpenBLAS's summation order) differ, a few ulps per layer. 1e-4 relative (the protocol's
  // bound) leaves ample room, while a state not carried or reset shows up at O(1).
  static let tolerance: Float = 1e-4

  @Test func stepByStepEqualsParallel() throws {
    let model = try GRUModel(.init(vocabulary: 7, width: 16, depth: 2), seed: 3)
    let tokens = randomTokens(batch: 3, length: 29, vocabulary: 7, seed: 13)
    #expect(try recurrentDeviation(model, tokens: tokens) <= Self.tolerance)
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [4, 9]) <= Self.tolerance)
  }

  // A state that is not carried between steps is visible: restarting from zero at every
  // step changes the logits at O(1).
  @Test func stateIsCarried() throws {
    let model = try GRUModel(.init(vocabulary: 5, width: 8, depth: 1), seed: 4)
    let tokens = randomTokens(batch: 2, length: 6, vocabulary: 5, seed: 6)
    let parallel = try model.forward(tokens)
    var fresh = try model.initialState(batchSize: 2)
    let restarted = try model.prefill(tokens.map { [$0[5]] }, state: &fresh)
    var difference: Float = 0
    for b in 0..<2 {
      for v in 0..<5 {
        let position = (b * 6 + 5) * 5 + v
        difference = max(difference, abs(parallel.values[position] - restarted.values[b * 5 + v]))
      }
    }
    #expect(difference > 1e-2)
  }

  // ∂ℒ/∂θ of the mean cross-entropy against central differences (step 1e-2) on a tiny model,
  // for every parameter tensor, a few elements each. As in `checkGradients`: float32 rounding
  // of the loss (|ℒ| ≈ 1.6) over 2h contributes ≈ 1e-5, truncation h²ℒ‴/6 ≈ 2e-5, so 1e-2
  // of the parameter's largest gradient (≳ 1e-2 here) passes a correct backward pass through
  // time and fails a wrong gate derivative or a gradient not carried to h_{t−1}.
  @Test func wholeModelGradients() throws {
    let model = try GRUModel(.init(vocabulary: 5, width: 4, depth: 2), seed: 8)
    let tokens = randomTokens(batch: 2, length: 6, vocabulary: 5, seed: 9)
    let targets = randomTokens(batch: 2, length: 6, vocabulary: 5, seed: 10).flatMap { $0 }
    var unused = SeededGenerator(seed: 0)
    try checkParameterGradients(
      model.parameters, checksPerParameter: 6, relativeTolerance: 1e-2, absoluteTolerance: 0, smallestScale: 1e-3
    ) { tape in
      let logits = try model.logits(tokens, on: tape, training: true, generator: &unused)
      return try tape.softmaxCrossEntropy(logits, targets: targets)
    }
  }

  @Test func parametersAndConfiguration() throws {
    let configuration = GRUModel.Configuration(vocabulary: 6, width: 4, depth: 2)
    let model = try GRUModel(configuration, seed: 1)
    let names = model.parameters.map(\.name)
    #expect(Set(names).count == names.count)
    #expect(names.contains("blocks.1.gru.hiddenWeight"))
    #expect(names.contains("blocks.0.gru.inputProjection.bias"))
    // Embedding 6·4, per layer W_ih 4·12 + b_ih 12 + W_hh 4·12 + b_hh 12, norm 2·4, decoder 4·6 + 6.
    let count: Int = model.parameters.map(\.value.count).reduce(0, +)
    let expected: Int = 24 + 2 * 120 + 8 + 30
    #expect(count == expected)
    // PyTorch's GRU initialisation: uniform in ±1/√H = ±0.5.
    let bound: Float = 0.5
    #expect(model.blocks[0].hiddenWeight.value.values.allSatisfy { abs($0) <= bound })
    let decoded = try JSONDecoder().decode(
      GRUModel.Configuration.self, from: JSONEncoder().encode(configuration))
    #expect(decoded == configuration)
    #expect(try GRUModel(configuration, seed: 1).blocks[1].hiddenBias.value == model.blocks[1].hiddenBias.value)
  }

  @Test func badInputsAreErrors() throws {
    #expect(throws: AutodiffError.self) { try GRUModel(.init(vocabulary: 0, width: 4, depth: 1), seed: 0) }
    #expect(throws: AutodiffError.self) { try GRUModel(.init(vocabulary: 4, width: 0, depth: 1), seed: 0) }
    #expect(throws: AutodiffError.self) { try GRUModel(.init(vocabulary: 4, width: 4, depth: -1), seed: 0) }
    let model = try GRUModel(.init(vocabulary: 4, width: 8, depth: 1), seed: 0)
    #expect(throws: AutodiffError.self) { try model.initialState(batchSize: 0) }
    var state = try model.initialState(batchSize: 2)
    let before = state.hidden
    #expect(throws: AutodiffError.self) { try model.step([1], state: &state) }
    #expect(throws: AutodiffError.self) { try model.step([1, 4], state: &state) }
    #expect(throws: AutodiffError.self) { try model.step([-1, 0], state: &state) }
    #expect(throws: AutodiffError.self) { try model.prefill([[1, 2], [3]], state: &state) }
    #expect(throws: AutodiffError.self) { try model.prefill([[1, 2], [3, 4]], state: &state) }
    #expect(throws: AutodiffError.self) { try model.prefill([[], []], state: &state) }
    #expect(state.hidden == before)
    #expect(throws: AutodiffError.self) { try model.forward([[0, 1], [2, 5]]) }
    #expect(throws: AutodiffError.self) { try model.forward([[0, 1], [2]]) }
    #expect(throws: AutodiffError.self) { try model.forward([]) }
  }
}
