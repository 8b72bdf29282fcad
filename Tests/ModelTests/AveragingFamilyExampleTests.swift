import Autodiff
import ModelTestSupport
import Models
import TestSupport
import Testing

/// The checks the article "Adding a sequence model family" asks of a new family, on its example.
@Suite("The example family of the article on adding a family")
struct AveragingFamilyExampleTests {
  // Both modes run the same float32 operations on chunks of other sizes (the running sum is accumulated
  // in another order), a few ulps: 1e-4 relative, the protocol's bound; a state not carried is O(1).
  @Test func recurrentModeEqualsParallel() throws {
    let model = try AveragingModel(.init(vocabulary: 7, width: 8, depth: 2), seed: 1)
    let tokens = randomTokens(batch: 2, length: 12, vocabulary: 7, seed: 2)
    #expect(try recurrentDeviation(model, tokens: tokens) <= 1e-4)
    #expect(try recurrentDeviation(model, tokens: tokens, prefillChunks: [3, 4]) <= 1e-4)
  }

  // The tape's gradient against central differences (tolerances: see `checkModelGradients`).
  @Test func gradientsMatchFiniteDifferences() throws {
    let model = try AveragingModel(.init(vocabulary: 5, width: 4, depth: 2), seed: 3)
    try checkModelGradients(
      model, tokens: randomTokens(batch: 2, length: 6, vocabulary: 5, seed: 4),
      targets: randomTokens(batch: 2, length: 6, vocabulary: 5, seed: 5))
  }

  // The entry's count, from the shapes, equals the built model's parameters, counted one by one.
  @Test func entryCountsTheBuiltModel() throws {
    let shape = ModelFamily.Shape(vocabulary: 7, depth: 3, length: 32)
    let size = ModelFamily.averaging.defaultSize(width: 8)
    let model = try ModelFamily.averaging.configuration(shape, size: size).build(seed: 0)
    #expect(model.parameterCount == ModelFamily.averaging.parameterCount(shape, size: size))
  }

  @Test func badInputsAreErrors() throws {
    #expect(throws: AutodiffError.self) { try AveragingModel(.init(vocabulary: 0, width: 4, depth: 1), seed: 0) }
    let model = try AveragingModel(.init(vocabulary: 5, width: 4, depth: 1), seed: 0)
    var state = try model.initialState(batchSize: 2)
    #expect(throws: AutodiffError.self) { try model.prefill([[1, 2]], state: &state) }
    #expect(throws: AutodiffError.self) { try model.prefill([[1], [7]], state: &state) }
  }
}
