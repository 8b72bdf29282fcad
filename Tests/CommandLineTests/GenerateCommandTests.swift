import Foundation
import SSMJSON
import TestSupport
import Testing

/// Requires the failure contract of the command line: one `ssm: error:` line on stderr,
/// nothing on stdout, a non-zero exit status and no crash.
func expectOneErrorLine(
  _ result: (status: Int32, reason: Process.TerminationReason, stdout: String, stderr: String), _ label: String
) {
  #expect(result.status != 0 && result.reason == .exit, "\(label): status \(result.status)")
  #expect(result.stdout.isEmpty, "\(label): stdout \(result.stdout.prefix(200))")
  #expect(result.stderr.hasPrefix("ssm: error:") && result.stderr.hasSuffix("\n"), "\(label): \(result.stderr)")
  #expect(result.stderr.dropLast().allSatisfy { !$0.isNewline }, "\(label): more than one line")
}

/// One generated result of `ssm generate --json`.
private struct Generated: Equatable {
  let tokens: [Int]
  let text: String
  let score: Double

  init(_ value: JSONValue) throws {
    guard case .array(let entries)? = value["tokens"], case .string(let text)? = value["text"],
      case .number(let score)? = value["score"]
    else { throw JSONError.invalidValue(path: "result", expected: "{tokens, text, score}") }
    tokens = try entries.map { entry in
      guard case .number(let token) = entry, token.rounded() == token else {
        throw JSONError.invalidValue(path: "tokens", expected: "token ids")
      }
      return Int(token)
    }
    self.text = text
    self.score = score
  }
}

@Suite("ssm train, eval and generate for every model family")
struct GenerateCommandTests {
  /// A copying prompt for the default task (10 data tokens from 8 symbols, blank 8, marker 9):
  /// data, blanks, then the first recall marker.
  static let prompt = "3 1 4 1 5 2 6 5 3 5 8 8 8 8 8 8 8 8 8 8 9"

  // A tiny transformer trains, evaluates and generates from the command line; greedy decoding
  // and seeded sampling are reproducible, beam search lists its results best first, and
  // invalid requests on a valid checkpoint fail with one error line.
  @Test func transformerTrainEvalGenerate() throws {
    let directory = temporaryPath("ssm-gen")
    defer { try? FileManager.default.removeItem(at: directory) }
    let train = try run([
      "train", "--model", "transformer", "--layers", "1", "--width", "16", "--heads", "2", "--positions", "rotary",
      "--length", "30", "--steps", "20", "--batch", "8", "--checkpoint-every", "20", "--seed", "1",
      "--out", directory.path,
    ])
    try #require(train.status == 0, "train: \(train.stderr)")
    let checkpoint = directory.appendingPathComponent("checkpoint.safetensors").path

    let eval = try runJSON(["eval", "--checkpoint", checkpoint, "--examples", "16", "--json"])
    #expect(eval["metric"] == .string("accuracy"))
    #expect(eval["examples"] == .number(16))
    guard case .number(let accuracy)? = eval["value"] else {
      Issue.record("no accuracy value")
      return
    }
    #expect((0...1).contains(accuracy))

    let base = ["generate", "--checkpoint", checkpoint, "--tokens", Self.prompt, "--max-new-tokens", "5", "--json"]
    let greedy = try Generated(runJSON(base))
    #expect(try Generated(runJSON(base)) == greedy)
    #expect(greedy.tokens.count == 5 && greedy.tokens.allSatisfy { (0..<10).contains($0) })
    #expect(greedy.text == greedy.tokens.map(String.init).joined(separator: " "))
    #expect(greedy.score <= 0)
    // Comma-separated ids are the same prompt.
    let commas = base.map { $0 == Self.prompt ? Self.prompt.replacingOccurrences(of: " ", with: ",") : $0 }
    #expect(try Generated(runJSON(commas)) == greedy)

    let beam = try runJSON(base + ["--strategy", "beam", "--beams", "3", "--num-return", "2"])
    guard case .array(let entries) = beam else {
      Issue.record("beam search did not print a list")
      return
    }
    let results = try entries.map(Generated.init)
    #expect(results.count == 2)
    #expect(zip(results, results.dropFirst()).allSatisfy { $0.score >= $1.score })
    #expect(Set(results.map(\.tokens)).count == 2)

    let sample = base + ["--strategy", "sample", "--temperature", "1.5", "--top-k", "5", "--seed", "11"]
    let first = try Generated(runJSON(sample))
    #expect(try Generated(runJSON(sample)) == first)

    // Several samples: a list, sample i equal to a one-sample run with seed 11 + i.
    let warped = sample + ["--min-p", "0.05", "--typical-p", "0.95"]
    guard case .array(let sampleEntries) = try runJSON(warped + ["--num-return", "3"]) else {
      Issue.record("several samples did not print a list")
      return
    }
    let samples = try sampleEntries.map(Generated.init)
    #expect(samples.count == 3)
    for (index, result) in samples.enumerated() {
      let reseeded = warped.map { $0 == "11" ? String(11 + index) : $0 }
      #expect(try Generated(runJSON(reseeded)) == result, "sample \(index)")
    }

    // Processors on every strategy: no trigram of prompt + output is completed twice, and no stop
    // token comes before the minimum number of new tokens.
    let promptTokens = Self.prompt.split(separator: " ").map { Int($0)! }
    for strategy in [["--strategy", "greedy"], ["--strategy", "beam", "--beams", "3", "--early-stopping", "never"]] {
      let arguments = base + strategy + ["--no-repeat-ngram-size", "3", "--min-new-tokens", "3"]
      let value = try runJSON(arguments + ["--stop-token", String(greedy.tokens[0])])
      let best: JSONValue
      if case .array(let entries) = value, let first = entries.first { best = first } else { best = value }
      let result = try Generated(best)
      let sequence = promptTokens + result.tokens
      for end in promptTokens.count..<sequence.count {
        let trigram = Array(sequence[(end - 2)...end])
        let earlier = (2..<end).map { Array(sequence[($0 - 2)...$0]) }
        #expect(!earlier.contains(trigram), "\(strategy): \(sequence)")
      }
      #expect(!result.tokens.prefix(3).contains(greedy.tokens[0]), "\(strategy): \(result.tokens)")
    }

    // A stop token ends generation once emitted (it is the last token).
    let stopped = try Generated(runJSON(base + ["--stop-token", String(greedy.tokens[0])]))
    #expect(stopped.tokens == [greedy.tokens[0]])

    // Human-readable output: one line per result.
    let human = try run(Array(base.dropLast()) + ["--strategy", "beam", "--beams", "2", "--num-return", "2"])
    #expect(human.status == 0 && human.stderr.isEmpty)
    let lines = human.stdout.split(separator: "\n")
    #expect(lines.count == 2 && lines[0].hasPrefix("1. ") && lines[1].hasPrefix("2. "), "\(human.stdout)")

    for (label, arguments) in [
      ("token outside the vocabulary", ["--tokens", "3 1 12"]),
      ("--prompt on a task model", ["--prompt", "hello"]),
      ("stop token outside the vocabulary", ["--tokens", "3", "--stop-token", "10"]),
    ] {
      let arguments = ["generate", "--checkpoint", checkpoint, "--max-new-tokens", "3"] + arguments
      expectOneErrorLine(try run(arguments), label)
    }
  }

  // The S4 (DPLR) and GRU families train and generate from the command line too.
  @Test(arguments: ["s4", "gru"])
  func otherFamiliesGenerate(model: String) throws {
    let directory = temporaryPath("ssm-gen")
    defer { try? FileManager.default.removeItem(at: directory) }
    let state = model == "gru" ? [] : ["--state-size", "8"]
    let train = try run(
      ["train", "--model", model, "--layers", "1", "--width", "8", "--length", "30", "--steps", "3", "--batch", "4"]
        + state + ["--out", directory.path])
    try #require(train.status == 0, "train: \(train.stderr)")
    let checkpoint = directory.appendingPathComponent("checkpoint.safetensors").path
    let eval = try runJSON(["eval", "--checkpoint", checkpoint, "--examples", "4", "--json"])
    #expect(eval["metric"] == .string("accuracy"))
    let generated = try Generated(
      runJSON(["generate", "--checkpoint", checkpoint, "--tokens", Self.prompt, "--max-new-tokens", "3", "--json"]))
    #expect(generated.tokens.count == 3)
  }

  // Any task of the suite trains from the command line: a real-valued one (adding: a feature
  // model, evaluated by mean squared error) and a token one (induction heads, by accuracy).
  // Generation needs token inputs: a feature checkpoint is refused with one error line.
  @Test func otherTasksTrainAndEvaluate() throws {
    for (task, metric) in [("adding", "mse"), ("induction-heads", "accuracy")] {
      let directory = temporaryPath("ssm-task")
      defer { try? FileManager.default.removeItem(at: directory) }
      let train = try run([
        "train", "--task", task, "--model", "s4d", "--layers", "1", "--width", "8", "--state-size", "4", "--length",
        "32", "--steps", "3", "--batch", "4", "--evaluate-every", "3", "--out", directory.path,
      ])
      try #require(train.status == 0, "train \(task): \(train.stderr)")
      let checkpoint = directory.appendingPathComponent("checkpoint.safetensors").path
      let eval = try runJSON(["eval", "--checkpoint", checkpoint, "--examples", "8", "--json"])
      #expect(eval["metric"] == .string(metric), "\(task)")
      guard case .number(let value)? = eval["value"] else {
        Issue.record("no value for \(task)")
        continue
      }
      #expect(value >= 0 && value.isFinite && (metric == "mse" || value <= 1), "\(task): \(value)")
      if task == "adding" {
        expectOneErrorLine(
          try run(["generate", "--checkpoint", checkpoint, "--tokens", "1 2", "--max-new-tokens", "2"]),
          "generate from a feature model")
      }
    }
  }

  // A byte-level model (copying with 254 symbols: 256 tokens) reads --prompt text as UTF-8
  // bytes and prints its new tokens as (lossily decoded) text.
  @Test func byteLevelPrompt() throws {
    let directory = temporaryPath("ssm-gen")
    defer { try? FileManager.default.removeItem(at: directory) }
    let train = try run([
      "train", "--model", "gru", "--alphabet", "254", "--count", "2", "--length", "6", "--layers", "1", "--width", "8",
      "--steps", "2", "--batch", "2", "--out", directory.path,
    ])
    try #require(train.status == 0, "train: \(train.stderr)")
    let checkpoint = directory.appendingPathComponent("checkpoint.safetensors").path
    let base = ["generate", "--checkpoint", checkpoint, "--max-new-tokens", "4"]
    let text = try Generated(runJSON(base + ["--prompt", "hé", "--json"]))
    #expect(text.tokens.count == 4 && text.tokens.allSatisfy { (0..<256).contains($0) })
    #expect(text.text == String(decoding: text.tokens.map { UInt8($0) }, as: UTF8.self))
    // The same prompt as byte ids ("hé" is 0x68 0xC3 0xA9).
    #expect(try Generated(runJSON(base + ["--tokens", "104 195 169", "--json"])) == text)
    let human = try run(base + ["--prompt", "hé"])
    #expect(human.status == 0 && human.stdout.hasPrefix("\"") && human.stdout.split(separator: "\n").count == 1)
  }

  /// Invalid generation and training requests that need no valid checkpoint; run by
  /// ``CommandLineTests/badInput(_:)``.
  static let badInputs: [BadInput] = [
    BadInput("generate from a missing checkpoint", generate(["--tokens", "1 2"]), file: nil),
    BadInput("generate from a non-safetensors file", generate(["--tokens", "1 2"]), file: "not a checkpoint"),
    BadInput(
      "generate from a truncated header", generate(["--tokens", "1 2"]), file: "\u{10}\0\0\0\0\0\0\0{\"a\""),
    BadInput("generate with --prompt and --tokens", generate(["--tokens", "1 2", "--prompt", "hi"]), file: "x"),
    BadInput("generate with no prompt", generate([]), file: "x"),
    BadInput("generate with no token ids", generate(["--tokens", " , "]), file: "x"),
    BadInput("generate with a non-numeric token", generate(["--tokens", "1 two"]), file: "x"),
    BadInput("generate with an unknown strategy", generate(["--tokens", "1", "--strategy", "nucleus"]), file: "x"),
    BadInput("generate 0 new tokens", generate(["--tokens", "1"], maxNewTokens: "0"), file: "x"),
    BadInput(
      "generate with temperature 0",
      generate(["--tokens", "1", "--strategy", "sample", "--temperature", "0"]), file: "x"),
    BadInput(
      "generate with temperature nan",
      generate(["--tokens", "1", "--strategy", "sample", "--temperature", "nan"]), file: "x"),
    BadInput(
      "generate with top-k 0", generate(["--tokens", "1", "--strategy", "sample", "--top-k", "0"]), file: "x"),
    BadInput(
      "generate with top-p 1.5", generate(["--tokens", "1", "--strategy", "sample", "--top-p", "1.5"]), file: "x"),
    BadInput("generate with temperature but greedy", generate(["--tokens", "1", "--temperature", "0.5"]), file: "x"),
    BadInput(
      "generate with repetition penalty 0", generate(["--tokens", "1", "--repetition-penalty", "0"]), file: "x"),
    BadInput("generate with 0 beams", generate(["--tokens", "1", "--strategy", "beam", "--beams", "0"]), file: "x"),
    BadInput(
      "generate with min-p 1.5", generate(["--tokens", "1", "--strategy", "sample", "--min-p", "1.5"]), file: "x"),
    BadInput(
      "generate with typical-p 0", generate(["--tokens", "1", "--strategy", "sample", "--typical-p", "0"]), file: "x"),
    BadInput("generate with min-p but greedy", generate(["--tokens", "1", "--min-p", "0.1"]), file: "x"),
    BadInput(
      "generate with a negative no-repeat n-gram size", generate(["--tokens", "1", "--no-repeat-ngram-size=-1"]),
      file: "x"),
    BadInput("generate with negative min new tokens", generate(["--tokens", "1", "--min-new-tokens=-2"]), file: "x"),
    BadInput(
      "generate 0 samples", generate(["--tokens", "1", "--strategy", "sample", "--num-return", "0"]), file: "x"),
    BadInput("generate with --num-return but greedy", generate(["--tokens", "1", "--num-return", "2"]), file: "x"),
    BadInput(
      "generate with an unknown early stopping",
      generate(["--tokens", "1", "--strategy", "beam", "--early-stopping", "soon"]), file: "x"),
    BadInput(
      "generate with early stopping but sampling",
      generate(["--tokens", "1", "--strategy", "sample", "--early-stopping", "never"]), file: "x"),
    BadInput(
      "generate with more returns than beams",
      generate(["--tokens", "1", "--strategy", "beam", "--beams", "2", "--num-return", "3"]), file: "x"),
    BadInput("train unknown model", ["train", "--model", "lstm", "--out", "@input"], file: nil),
    BadInput("train --heads on s4d", ["train", "--heads", "2", "--out", "@input"], file: nil),
    BadInput("train --state-size on gru", ["train", "--model", "gru", "--state-size", "8", "--out", "@input"]),
    BadInput("train --dropout on gru", ["train", "--model", "gru", "--dropout", "0.1", "--out", "@input"]),
    BadInput(
      "train transformer with heads not dividing the width",
      ["train", "--model", "transformer", "--width", "10", "--heads", "4", "--out", "@input"], file: nil),
    BadInput(
      "train unknown positions", ["train", "--model", "transformer", "--positions", "alibi", "--out", "@input"]),
    BadInput("train alphabet 1", ["train", "--alphabet", "1", "--out", "@input"]),
    BadInput("train count 0", ["train", "--count", "0", "--out", "@input"]),
    BadInput("train --initialization on s4", ["train", "--model", "s4", "--initialization", "inv", "--out", "@input"]),
    BadInput(
      "train --block-output on gru", ["train", "--model", "gru", "--block-output", "linear", "--out", "@input"]),
    BadInput("train unknown block output", ["train", "--block-output", "swiglu", "--out", "@input"]),
    BadInput("train --count on adding", ["train", "--task", "adding", "--count", "4", "--out", "@input"]),
    BadInput("train unknown task", ["train", "--task", "sorting", "--out", "@input"]),
    BadInput("train adding too short", ["train", "--task", "adding", "--length", "1", "--out", "@input"]),
    BadInput(
      "train initialised from a missing checkpoint",
      ["train", "--initialize-from", "/nonexistent/x", "--out", "@input"]),
    BadInput("train unknown initialization", ["train", "--initialization", "hippo", "--out", "@input"]),
  ]

  static func generate(_ arguments: [String], maxNewTokens: String = "4") -> [String] {
    ["generate", "--checkpoint", "@input", "--max-new-tokens", maxNewTokens] + arguments
  }
}
