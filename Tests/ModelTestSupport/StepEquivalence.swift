import Autodiff
import Models
import Testing

/// The largest difference between the recurrent logits of `model` and its parallel logits
/// on `tokens`, relative to the largest parallel logit. The recurrent pass reads the first
/// `Σ prefillChunks` tokens as chunks of those lengths, then the rest one token at a time.
public func recurrentDeviation<Model: SequenceModel>(_ model: Model, tokens: [[Int]], prefillChunks: [Int] = []) throws
  -> Float
{
  var state = try model.initialState(batchSize: tokens.count)
  return try recurrentDeviation(parallel: model.forward(tokens), prefillChunks: prefillChunks) { start, count in
    guard count > 1 || start < prefillChunks.reduce(0, +) else {
      let logits = try model.step(tokens.map { $0[start] }, state: &state)
      #expect(logits.shape == [tokens.count, model.vocabulary])
      return logits.values
    }
    return try model.prefill(tokens.map { Array($0[start..<(start + count)]) }, state: &state).values
  }
}

/// ``recurrentDeviation(_:tokens:prefillChunks:)`` for a feature model on `features`
/// (`B × L × C`): chunks through `prefill(features:state:)`, then `step(features:state:)`.
public func recurrentDeviation<Model: SequenceModel>(_ model: Model, features: Tensor, prefillChunks: [Int] = []) throws
  -> Float
{
  let (batch, length, channels) = (features.shape[0], features.shape[1], features.shape[2])
  func slice(_ start: Int, _ count: Int) throws -> Tensor {
    var values: [Float] = []
    for b in 0..<batch {
      let first = (b * length + start) * channels
      values += features.values[first..<(first + count * channels)]
    }
    return try Tensor(shape: [batch, count, channels], values: values)
  }
  var state = try model.initialState(batchSize: batch)
  return try recurrentDeviation(parallel: model.forward(features: features), prefillChunks: prefillChunks) {
    start, count in
    guard count > 1 || start < prefillChunks.reduce(0, +) else {
      let one = try slice(start, 1)
      let output = try model.step(features: Tensor(shape: [batch, channels], values: one.values), state: &state)
      #expect(output.shape == [batch, model.vocabulary])
      return output.values
    }
    return try model.prefill(features: slice(start, count), state: &state).values
  }
}

/// The largest difference between `parallel` (`B × L × V`) and the same outputs computed in
/// recurrent mode, relative to the largest parallel value: `read(start, count)` returns the
/// `B × count × V` outputs at positions `start ..< start + count`, called for each of
/// `prefillChunks` in order, then one position at a time to the end. `+∞` when any recurrent output is not finite;
/// the scale is floored at 1e-30, so all-zero parallel outputs are compared absolutely.
public func recurrentDeviation(parallel: Tensor, prefillChunks: [Int], read: (Int, Int) throws -> [Float]) throws
  -> Float
{
  let (batch, length, vocabulary) = (parallel.shape[0], parallel.shape[1], parallel.shape[2])
  var recurrent = [Float](repeating: .nan, count: batch * length * vocabulary)
  var position = 0
  for count in prefillChunks + [Int](repeating: 1, count: max(0, length - prefillChunks.reduce(0, +))) {
    let values = try read(position, count)
    #expect(values.count == batch * count * vocabulary)
    for b in 0..<batch {
      for t in 0..<count {
        for v in 0..<vocabulary {
          recurrent[(b * length + position + t) * vocabulary + v] = values[(b * count + t) * vocabulary + v]
        }
      }
    }
    position += count
  }
  let scale = parallel.values.reduce(Float(0)) { max($0, abs($1)) }
  let deviation = zip(parallel.values, recurrent).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
  return recurrent.allSatisfy(\.isFinite) ? deviation / max(scale, 1e-30) : .infinity
}
