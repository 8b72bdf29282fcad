import Foundation
import Models
import Numerics
import SSMJSON
import TestSupport
import Testing
import Training

/// One scored sequence of `ssm score --json`.
private struct Scored {
  let tokens: [Int]
  let logprobs: [Double]
  let sum: Double
  let bitsPerToken: Double
  let top: [[(token: Int, logprob: Double)]]?

  init(_ value: JSONValue) throws {
    guard case .array(let tokenEntries)? = value["tokens"], case .array(let logprobEntries)? = value["logprobs"],
      case .number(let sum)? = value["sum"], case .number(let bits)? = value["bitsPerToken"]
    else { throw JSONError.invalidValue(path: "score", expected: "{tokens, logprobs, sum, bitsPerToken}") }
    tokens = try tokenEntries.map { try Int($0.realScalar(path: "tokens")) }
    guard logprobEntries.first == .null else { throw JSONError.invalidValue(path: "logprobs[0]", expected: "null") }
    logprobs = try logprobEntries.dropFirst().map { try $0.realScalar(path: "logprobs") }
    self.sum = sum
    bitsPerToken = bits
    guard case .array(let lists)? = value["top"] else {
      top = nil
      return
    }
    guard lists.first == .null else { throw JSONError.invalidValue(path: "top[0]", expected: "null") }
    top = try lists.dropFirst().map { list in
      guard case .array(let entries) = list else { throw JSONError.invalidValue(path: "top", expected: "lists") }
      return try entries.map { entry in
        (
          try Int(#require(entry["token"]).realScalar(path: "token")),
          try #require(entry["logprob"]).realScalar(path: "logprob")
        )
      }
    }
  }
}

/// ``referenceLogSoftmax(_:)`` of each row of `logits` (`rows × vocabulary`), in float64.
private func logSoftmaxRows(_ logits: [Float], vocabulary: Int) -> [[Double]] {
  stride(from: 0, to: logits.count, by: vocabulary).map { referenceLogSoftmax(Array(logits[$0..<($0 + vocabulary)])) }
}

/// The next-token logits after each token, fed one at a time through the recurrent mode.
private func steppedLogits<Model: SequenceModel>(_ model: Model, _ tokens: [Int]) throws -> [Float] {
  var state = try model.initialState(batchSize: 1)
  return try tokens.flatMap { try model.step([$0], state: &state).values }
}

/// Trains a tiny model for `steps` steps and returns its checkpoint's path (in `directory`).
private func tinyCheckpoint(_ arguments: [String], in directory: URL) throws -> String {
  let train = try run(
    ["train", "--layers", "1", "--width", "8", "--length", "30", "--steps", "2", "--batch", "2"] + arguments
      + ["--out", directory.path])
  try #require(train.status == 0, "train: \(train.stderr)")
  return directory.appendingPathComponent("checkpoint.safetensors").path
}

@Suite("ssm score")
struct ScoreCommandTests {
  static let tokens = [3, 1, 4, 1, 5, 2, 6, 5, 3, 5, 8, 8, 9]

  // The printed log-probabilities equal an independent float64 log-softmax of the model's
  // parallel logits and of its token-by-token recurrent logits, for every family; sum and
  // bits per token follow from them, and --top lists are sorted and consistent.
  @Test(arguments: [
    ["--model", "transformer", "--heads", "2", "--positions", "learned"], ["--model", "s4d"], ["--model", "gru"],
  ])
  func matchesForwardAndSteps(family: [String]) throws {
    let directory = temporaryPath("ssm-score")
    defer { try? FileManager.default.removeItem(at: directory) }
    let checkpoint = try tinyCheckpoint(family, in: directory)
    let ids = Self.tokens.map(String.init).joined(separator: " ")
    let scored = try Scored(runJSON(["score", "--checkpoint", checkpoint, "--tokens", ids, "--top", "3", "--json"]))
    #expect(scored.tokens == Self.tokens)
    try #require(scored.logprobs.count == Self.tokens.count - 1)

    let (model, _) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
    let vocabulary = model.vocabulary
    let parallel = logSoftmaxRows(try model.forward([Self.tokens]).values, vocabulary: vocabulary)
    let stepped = logSoftmaxRows(try steppedLogits(model, Self.tokens), vocabulary: vocabulary)
    // The same float32 forward in another process: OpenBLAS may split the products over another
    // number of threads (~1e-6 relative on logits of size ≲ 5), and a log-softmax moves by at most
    // twice the largest logit change: 1e-5.
    let forwardTolerance = 1e-5
    // The recurrent mode equals the parallel logits to 1e-4 relative (SequenceModel's tested
    // contract) on logits ≲ 5: at most 2 · 5e-4 ≈ 1e-3 in a log-probability.
    let stepTolerance = 1e-3
    for t in 1..<Self.tokens.count {
      let printed = scored.logprobs[t - 1]
      #expect(abs(printed - parallel[t - 1][Self.tokens[t]]) <= forwardTolerance, "position \(t): forward")
      #expect(abs(printed - stepped[t - 1][Self.tokens[t]]) <= stepTolerance, "position \(t): steps")
    }
    // A sum of 12 terms in the order printed, and one division: a few ulps.
    let arithmeticTolerance = 1e-12
    let sum = scored.logprobs.reduce(0, +)
    #expect(abs(scored.sum - sum) <= arithmeticTolerance * max(1, abs(sum)))
    let bits = -sum / (Double(scored.logprobs.count) * Double.log(2))
    #expect(abs(scored.bitsPerToken - bits) <= arithmeticTolerance * max(1, abs(bits)))

    let top = try #require(scored.top)
    try #require(top.count == Self.tokens.count - 1)
    for (index, list) in top.enumerated() {
      let row = parallel[index]
      #expect(list.count == 3)
      #expect(zip(list, list.dropFirst()).allSatisfy { $0.logprob >= $1.logprob }, "sorted")
      for entry in list {
        #expect(abs(entry.logprob - row[entry.token]) <= forwardTolerance, "top logprob of \(entry.token)")
      }
      // Nothing outside the list is more likely than its last entry (margin: the forward tolerance).
      let listed = Set(list.map(\.token))
      #expect(row.indices.allSatisfy { listed.contains($0) || row[$0] <= list.last!.logprob + forwardTolerance })
      if let entry = list.first(where: { $0.token == Self.tokens[index + 1] }) {
        #expect(entry.logprob == scored.logprobs[index])
      }
    }

    // With K = V every position lists the whole distribution: its probabilities sum to 1
    // (V = 10 float64 exponentials: ~1e-15; 1e-12).
    let whole = try Scored(
      runJSON(["score", "--checkpoint", checkpoint, "--tokens", ids, "--top", String(vocabulary + 5), "--json"]))
    for list in try #require(whole.top) {
      #expect(list.count == vocabulary)
      #expect(abs(list.reduce(0) { $0 + Double.exp($1.logprob) } - 1) <= 1e-12)
    }

    // JSONL in, JSONL out: one line per non-blank input line, each the --tokens result.
    let lines = "{\"tokens\": [\(Self.tokens.map(String.init).joined(separator: ","))]}\n\n{\"tokens\": [1, 2, 3]}\n"
    let output = try withInputFile(lines) { path in
      try run(["score", "--checkpoint", checkpoint, "--input", path, "--json"])
    }
    try #require(output.status == 0, "\(output.stderr)")
    let records = try output.stdout.split(separator: "\n").map { try Scored(JSONParser.parse(String($0))) }
    try #require(records.count == 2)
    #expect(records[0].tokens == Self.tokens && records[0].logprobs == scored.logprobs)
    #expect(records[1].tokens == [1, 2, 3] && records[1].top == nil)

    let human = try run(["score", "--checkpoint", checkpoint, "--tokens", ids])
    #expect(human.status == 0 && human.stdout.contains("bits per token"), "\(human.stderr)")

    for (label, arguments, expected) in [
      ("a token outside the vocabulary", ["--tokens", "3 1 \(vocabulary)"], "outside the vocabulary"),
      ("a single token", ["--tokens", "3"], "at least two tokens"),
      ("--prompt on a task model", ["--prompt", "hello"], "byte-level"),
    ] {
      let result = try run(["score", "--checkpoint", checkpoint] + arguments)
      expectOneErrorLine(result, label)
      #expect(result.stderr.contains(expected), "\(label): \(result.stderr)")
    }
    for (label, file, expected) in [
      ("a malformed line", "{\"tokens\": [1, 2]}\n{\"tokens\": [1, 2\n", "line 2"),
      ("an unknown key", "{\"tokens\": [1, 2]}\n\n{\"ids\": [1, 2]}\n", "line 3"),
      ("a non-integer token", "{\"tokens\": [1, 2.5]}\n", "line 1"),
      ("an unknown token", "{\"tokens\": [1, 2]}\n{\"tokens\": [1, 99]}\n", "line 2"),
      ("an empty file", "\n", "no sequences"),
    ] {
      let result = try withInputFile(file) { try run(["score", "--checkpoint", checkpoint, "--input", $0]) }
      expectOneErrorLine(result, label)
      #expect(result.stderr.contains(expected), "\(label): \(result.stderr)")
    }
    if family.contains("learned") {
      // The learned position table holds the training length (30): 31 tokens cannot be read.
      let long = Array(repeating: "1", count: 31).joined(separator: " ")
      let result = try run(["score", "--checkpoint", checkpoint, "--tokens", long])
      expectOneErrorLine(result, "too long for learned positions")
      #expect(result.stderr.contains("learned context of 30"), "\(result.stderr)")
    }
  }

  // A byte-level model reads --prompt text as its UTF-8 bytes, as ssm generate does, on the
  // command line and in JSONL.
  @Test func byteLevelPrompt() throws {
    let directory = temporaryPath("ssm-score")
    defer { try? FileManager.default.removeItem(at: directory) }
    let checkpoint = try tinyCheckpoint(["--model", "gru", "--alphabet", "254", "--count", "2"], in: directory)
    let text = try Scored(runJSON(["score", "--checkpoint", checkpoint, "--prompt", "hé!", "--json"]))
    #expect(text.tokens == [104, 195, 169, 33])
    let ids = try Scored(runJSON(["score", "--checkpoint", checkpoint, "--tokens", "104 195 169 33", "--json"]))
    #expect(ids.logprobs == text.logprobs)
    let line = try withInputFile(#"{"prompt": "hé!"}"#) { path in
      try Scored(runJSON(["score", "--checkpoint", checkpoint, "--input", path, "--json"]))
    }
    #expect(line.logprobs == text.logprobs)
  }

  /// Invalid requests that need no valid checkpoint; run by ``CommandLineTests/badInput(_:)``.
  static let badInputs: [BadInput] = [
    BadInput("score with no text", ["score", "--checkpoint", "@input"], file: "x"),
    BadInput(
      "score with --tokens and --prompt", ["score", "--checkpoint", "@input", "--tokens", "1 2", "--prompt", "a"]),
    BadInput("score with no token ids", ["score", "--checkpoint", "@input", "--tokens", " , "], file: "x"),
    BadInput("score with --top 0", ["score", "--checkpoint", "@input", "--tokens", "1 2", "--top", "0"], file: "x"),
    BadInput("score a missing checkpoint", ["score", "--checkpoint", "@input", "--tokens", "1 2"], file: nil),
  ]
}
