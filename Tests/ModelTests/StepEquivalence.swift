import Autodiff
import Models
import SeededRandom
import Testing

/// Random tokens, `batch × length`, in `0 ..< vocabulary`.
func randomTokens(batch: Int, length: Int, vocabulary: Int, seed: UInt64) -> [[Int]] {
  var generator = SeededGenerator(seed: seed)
  return (0..<batch).map { _ in (0..<length).map { _ in Int(generator.next() % UInt64(vocabulary)) } }
}

/// The largest difference between the recurrent logits of `model` and its parallel logits
/// on `tokens`, relative to the largest parallel logit. The recurrent pass reads the first
/// `Σ prefillChunks` tokens as chunks of those lengths, then the rest one token at a time.
func recurrentDeviation<Model: SequenceModel>(_ model: Model, tokens: [[Int]], prefillChunks: [Int] = []) throws
  -> Float
{
  let parallel = try model.forward(tokens)
  let (batch, length, vocabulary) = (tokens.count, tokens[0].count, model.vocabulary)
  var state = try model.initialState(batchSize: batch)
  var recurrent = [Float](repeating: .nan, count: batch * length * vocabulary)
  var position = 0
  let store = { (logits: Tensor, start: Int, count: Int) in
    for b in 0..<batch {
      for t in 0..<count {
        for v in 0..<vocabulary {
          recurrent[(b * length + start + t) * vocabulary + v] = logits.values[(b * count + t) * vocabulary + v]
        }
      }
    }
  }
  for chunk in prefillChunks {
    let logits = try model.prefill(tokens.map { Array($0[position..<(position + chunk)]) }, state: &state)
    #expect(logits.shape == [batch, chunk, vocabulary])
    store(logits, position, chunk)
    position += chunk
  }
  while position < length {
    let logits = try model.step(tokens.map { $0[position] }, state: &state)
    #expect(logits.shape == [batch, vocabulary])
    store(logits, position, 1)
    position += 1
  }
  let scale = parallel.values.reduce(Float(0)) { max($0, abs($1)) }
  let deviation = zip(parallel.values, recurrent).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
  return recurrent.allSatisfy(\.isFinite) ? deviation / max(scale, 1e-30) : .infinity
}
