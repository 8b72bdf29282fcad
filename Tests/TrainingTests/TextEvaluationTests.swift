import Autodiff
import Foundation
import Models
import SeededRandom
import Tasks
import TestSupport
import Testing
import Training

/// A token model whose logits at window position `t` are a fixed function of `t` and the input
/// token there (so a prediction depends on where the window starts), built as tape constants.
struct PositionModel: SequenceModel {
  /// Tokens read so far, per sequence.
  typealias State = [[Int]]

  let vocabulary: Int
  /// The logits (`vocabulary` values) at position `t` after reading `token`.
  let logitsAt: @Sendable (_ position: Int, _ token: Int) -> [Float]

  func logits(_ tokens: [[Int]], on tape: Tape, training: Bool, generator: inout SeededGenerator) throws -> Variable {
    let values = tokens.flatMap { row in row.enumerated().flatMap { logitsAt($0.offset, $0.element) } }
    return tape.constant(try Tensor(shape: [values.count / vocabulary, vocabulary], values: values))
  }

  func initialState(batchSize: Int) throws -> [[Int]] { Array(repeating: [], count: batchSize) }

  func prefill(_ tokens: [[Int]], state: inout [[Int]]) throws -> Tensor {
    let length = try Self.chunkLength(of: tokens)
    for t in 0..<length { try validateStep(tokens.map { $0[t] }, batch: state.count) }
    var values: [Float] = []
    for (row, chunk) in tokens.enumerated() {
      for token in chunk {
        values += logitsAt(state[row].count, token)
        state[row].append(token)
      }
    }
    return try Tensor(shape: [tokens.count, length, vocabulary], values: values)
  }
}

/// A text task on 300 short documents of letters and spaces.
func smallTextTask(length: Int) throws -> TextTask {
  var generator = SeededGenerator(seed: 21)
  let letters = Array("abcdefghij klmnop".utf8)
  let documents = (0..<300).map { _ in
    (0..<(2 + Int(generator.next() % 10))).map { _ in letters[Int(generator.next() % UInt64(letters.count))] }
  }
  return try TextTask(corpus: TextCorpus(documents: documents), length: length)
}

@Suite("Held-out bits per byte")
struct TextEvaluationTests {
  // Uniform logits: exactly log₂ 257 bits per byte, over the byte targets of the first W
  // consecutive windows of the test split (counted here from the stream: the non-separator tokens
  // of S[1 ... W·L]). Tolerance 1e-12: Double sums of identical terms.
  @Test func uniformModel() throws {
    let task = try smallTextTask(length: 16)
    let model = PositionModel(vocabulary: 257) { _, _ in [Float](repeating: 0.25, count: 257) }
    let stream = task.stream(of: .test).map(Int.init)
    let score = try bitsPerByte(of: model, on: task, windows: 5, batch: 2)
    #expect(score.bytes == stream[1...(5 * 16)].filter { $0 != TextTask.separator }.count)
    #expect(abs(score.value - log2(257)) < 1e-12)
  }

  // A model whose prediction depends on the position in the window and the token read: the score
  // equals a direct walk over the stream (target S[k·L + t + 1] after input S[k·L + t], window
  // position t, separator targets skipped) for a few windows, all of them (windows nil or too
  // many), another split and another length; batching does not change it.
  // Tolerance 1e-10 relative: the same Double terms summed in another order.
  @Test func positionDependentModelMatchesADirectWalk() throws {
    let task = try smallTextTask(length: 8)
    let model = PositionModel(vocabulary: 257) { position, token in
      (0..<257).map { Float((($0 &* 7 &+ token &* 3 &+ position &* 5) % 17)) / 4 - 2 }
    }
    func direct(_ split: Split, length: Int, windows: Int) -> (bits: Double, bytes: Int) {
      let stream = task.stream(of: split).map(Int.init)
      var (bits, bytes) = (0.0, 0)
      for k in 0..<windows {
        for t in 0..<length where stream[k * length + t + 1] != TextTask.separator {
          bits += referenceBits(model.logitsAt(t, stream[k * length + t]), target: stream[k * length + t + 1])
          bytes += 1
        }
      }
      return (bits, bytes)
    }
    let all = (task.stream(of: .test).count - 1) / 8
    let cases: [(Split, Int, Int?, Int)] = [
      (.test, 8, 3, 3), (.test, 8, nil, all), (.test, 8, all + 5, all), (.validation, 5, 7, 7),
    ]
    for (split, length, windows, expectedWindows) in cases {
      let expected = direct(split, length: length, windows: expectedWindows)
      for batch in [1, 4] {
        let score = try bitsPerByte(
          of: model, on: task, split: split, windows: windows, length: length == 8 ? nil : length, batch: batch)
        #expect(score.bytes == expected.bytes, "\(split) \(length) \(String(describing: windows))")
        #expect(abs(score.bits - expected.bits) < 1e-10 * expected.bits, "\(split) \(length) \(batch)")
      }
    }
    // `evaluate` reports the same number for a text task (its test split; the seed plays no part).
    let evaluated = try evaluate(model, on: task, examples: 3, seed: 99)
    #expect(evaluated == (try bitsPerByte(of: model, on: task, windows: 3)).value)
  }

  // A real model: bits per byte × ln 2 is the training loss (mean softmax cross-entropy in nats)
  // over the same windows with the separator targets ignored. Tolerance 1e-5 relative: the loss
  // is a float32 scalar.
  @Test func agreesWithTheTrainingCrossEntropy() throws {
    let task = try smallTextTask(length: 12)
    let model = try S4Model(.init(vocabulary: 257, width: 8, depth: 1, stateSize: 4), seed: 3)
    let batch = try task.consecutiveWindows(0..<6, of: .test)
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    let logits = try model.logits(try #require(batch.tokens), on: tape, training: false, generator: &unused)
    let targets = try #require(batch.classes).joined().map { $0 == TextTask.separator ? TaskBatch.ignoredTarget : $0 }
    let nats = Double(tape.value(try tape.softmaxCrossEntropy(logits, targets: targets)).scalar)
    let score = try bitsPerByte(of: model, on: task, windows: 6)
    #expect(abs(score.value * log(2.0) - nats) < 1e-5 * nats)
  }

  // Training on the text task runs through the generic loop and lowers held-out bits per byte
  // from the untrained ≈ log₂ 257 ≈ 8 (the corpus has 17 symbols, ≈ 4.1 bits of unigram entropy,
  // so 60 steps must gain well over one bit).
  @Test func trainingLowersBitsPerByte() throws {
    let task = try smallTextTask(length: 16)
    let model = try S4Model(.init(vocabulary: 257, width: 16, depth: 1, stateSize: 8), seed: 1)
    let before = try bitsPerByte(of: model, on: task, windows: 20).value
    let trainingLog = try train(
      model, on: task, settings: TaskTrainingSettings(steps: 60, batch: 8, learningRate: 1e-2))
    let after = try bitsPerByte(of: model, on: task, windows: 20).value
    #expect(trainingLog.losses.allSatisfy { $0.isFinite })
    #expect(after < before - 1, "before \(before), after \(after)")
  }

  // Bad requests throw: no windows, no batch, a model of the wrong vocabulary or a feature model.
  @Test func badRequestsThrow() throws {
    let task = try smallTextTask(length: 8)
    let model = PositionModel(vocabulary: 257) { _, _ in [Float](repeating: 0, count: 257) }
    #expect(throws: TrainingError.self) { _ = try bitsPerByte(of: model, on: task, windows: 0) }
    #expect(throws: TrainingError.self) { _ = try bitsPerByte(of: model, on: task, batch: 0) }
    let small = PositionModel(vocabulary: 100) { _, _ in [Float](repeating: 0, count: 100) }
    #expect(throws: TrainingError.self) { _ = try bitsPerByte(of: small, on: task) }
    let features = try S4Model(.init(vocabulary: 1, width: 8, depth: 1, stateSize: 4, inputChannels: 2), seed: 0)
    #expect(throws: TrainingError.self) { _ = try bitsPerByte(of: features, on: task) }
  }
}
