import Models
import Testing

/// Checks that a copied decoding state (a speculative checkpoint, a beam) and its original step on
/// their own: after one shared token (1), the original reads 2 then 3 and the copy 5, and each
/// step's logits equal a fresh replay of that state's own tokens bit for bit — so neither wrote
/// into the other's activations or recurrent state. Needs a vocabulary of at least 6.
public func expectCopiesStepIndependently<Model: SequenceModel>(
  _ model: Model, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  func replay(_ tokens: [Int]) throws -> [Float] {
    var state = try model.initialState(batchSize: 1)
    var logits: [Float] = []
    for token in tokens { logits = try model.step([token], state: &state).values }
    return logits
  }
  var original = try model.initialState(batchSize: 1)
  _ = try model.step([1], state: &original)
  var copy = original
  let fromOriginal = try model.step([2], state: &original).values
  let fromCopy = try model.step([5], state: &copy).values
  let again = try model.step([3], state: &original).values
  #expect(fromOriginal == (try replay([1, 2])), sourceLocation: sourceLocation)
  #expect(fromCopy == (try replay([1, 5])), sourceLocation: sourceLocation)
  #expect(again == (try replay([1, 2, 3])), sourceLocation: sourceLocation)
}
