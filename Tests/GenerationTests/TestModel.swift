import Autodiff
import Models
import SeededRandom

/// A deterministic ``SequenceModel`` whose logits are any function of the whole history
/// (prompt + generated tokens), so that generation can be checked against enumeration.
/// The parallel forward is built from `tape.constant`, so it agrees with ``step(_:state:)``.
struct HistoryModel: SequenceModel {
  /// The tokens read so far, one row per sequence.
  typealias State = [[Int]]

  let vocabulary: Int
  let contextLimit: Int?
  /// The next-token logits after a history (`vocabulary` values).
  let logitsAfter: ([Int]) -> [Float]

  init(vocabulary: Int, contextLimit: Int? = nil, logitsAfter: @escaping ([Int]) -> [Float]) {
    self.vocabulary = vocabulary
    self.contextLimit = contextLimit
    self.logitsAfter = logitsAfter
  }

  /// Logits that are pseudo-random normal values (standard deviation `scale`) seeded by a hash
  /// of the whole history.
  static func hashed(vocabulary: Int, seed: UInt64, scale: Double = 2, contextLimit: Int? = nil) -> HistoryModel {
    HistoryModel(vocabulary: vocabulary, contextLimit: contextLimit) { history in
      var hash = seed
      for token in history {
        hash = (hash ^ UInt64(token + 1)) &* 0x0000_0100_0000_01B3
        hash ^= hash >> 29
      }
      var generator = SeededGenerator(seed: hash)
      return (0..<vocabulary).map { _ in Float(scale * generator.nextStandardNormal()) }
    }
  }

  /// Logits that do not depend on the history.
  static func constant(_ logits: [Float]) -> HistoryModel {
    HistoryModel(vocabulary: logits.count) { _ in logits }
  }

  func logits(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws -> Variable {
    let length = try Self.chunkLength(of: tokens)
    var values: [Float] = []
    for row in tokens {
      for t in 0..<length { values += logitsAfter(Array(row[...t])) }
    }
    return tape.constant(try Tensor(shape: [tokens.count * length, vocabulary], values: values))
  }

  func initialState(batchSize: Int) throws -> [[Int]] { Array(repeating: [], count: batchSize) }

  func prefill(_ tokens: [[Int]], state: inout [[Int]]) throws -> Tensor {
    let length = try Self.chunkLength(of: tokens)
    for t in 0..<length { try validateStep(tokens.map { $0[t] }, batch: state.count) }
    var values: [Float] = []
    for (row, chunk) in tokens.enumerated() {
      for token in chunk {
        state[row].append(token)
        values += logitsAfter(state[row])
      }
    }
    return try Tensor(shape: [tokens.count, length, vocabulary], values: values)
  }
}

/// Every sequence of `length` tokens in `0 ..< vocabulary` (lexicographic order).
func allSequences(vocabulary: Int, length: Int) -> [[Int]] {
  (0..<length).reduce([[]]) { prefixes, _ in prefixes.flatMap { prefix in (0..<vocabulary).map { prefix + [$0] } } }
}
