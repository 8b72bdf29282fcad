import Foundation
import SSMJSON
import TestSupport
import Testing

@Suite("ssm extraction-corpus and extract --expected")
struct ExtractionCorpusCommandTests {
  /// The files `ssm extraction-corpus` writes, by name.
  static func files(in folder: URL) throws -> [String: String] {
    var files: [String: String] = [:]
    for name in ["schema.json", "train.txt", "test.jsonl", "expected.jsonl"] {
      files[name] = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }
    return files
  }

  /// The JSON documents of the non-empty lines of `text`.
  static func lines(_ text: String) throws -> [JSONValue] {
    try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
  }

  // The command writes the schema, the training text (documents `Text: …\nJSON: {…}\n` separated by
  // `%` lines), the test texts and their records, aligned; the same options write the same bytes,
  // another seed other texts; no test record appears in the training text.
  @Test func writesADeterministicCorpus() throws {
    let directory = try makeTemporaryDirectory("ssm-extraction-corpus")
    defer { try? FileManager.default.removeItem(at: directory) }
    func corpus(_ name: String, seed: String) throws -> (summary: JSONValue, files: [String: String]) {
      let folder = directory.appendingPathComponent(name)
      let summary = try runJSON([
        "extraction-corpus", "--records", "40", "--test-records", "12", "--seed", seed, "--out", folder.path, "--json",
      ])
      return (summary, try Self.files(in: folder))
    }
    let (summary, files) = try corpus("a", seed: "5")
    #expect(summary["trainingDocuments"] == .number(40) && summary["testTexts"] == .number(12))
    #expect(summary["trainingBytes"] == .number(Double(files["train.txt"]!.utf8.count)))
    #expect(try corpus("b", seed: "5").files == files)
    #expect(try corpus("c", seed: "6").files["test.jsonl"] != files["test.jsonl"])

    let schema = try JSONParser.parse(files["schema.json"]!)
    #expect(schema["name"] == .string("person") && schema["instructions"] == .bool(false))
    let documents = files["train.txt"]!.components(separatedBy: "%\n").dropLast()
    #expect(documents.count == 40 && files["train.txt"]!.hasSuffix("}\n%\n"))
    var trainingRecords: Set<String> = []
    for document in documents {
      let lines = document.split(separator: "\n", omittingEmptySubsequences: false)
      #expect(lines.count == 3 && lines[0].hasPrefix("Text: ") && lines[1].hasPrefix("JSON: {") && lines[2].isEmpty)
      trainingRecords.insert(String(lines[1].dropFirst("JSON: ".count)))
    }
    let texts = try Self.lines(files["test.jsonl"]!)
    let records = try Self.lines(files["expected.jsonl"]!)
    #expect(texts.count == 12 && records.count == 12)
    for (text, record) in zip(texts, records) {
      guard case .string(let sentence)? = text["text"], case .string(let name)? = record["name"] else {
        Issue.record("\(text.serialized), \(record.serialized)")
        continue
      }
      #expect(sentence.contains(name))
      #expect(!trainingRecords.contains(record.serialized))
    }
  }

  // A text model trained for a step on the corpus extracts its test texts; with --expected every
  // line reports its fields and exactness, and the last line the score, whose counts are those of
  // the lines (constrained: every record valid). Misaligned or malformed expectations are errors.
  @Test func extractScoresAgainstExpectedRecords() throws {
    let directory = try makeTemporaryDirectory("ssm-extraction-score")
    defer { try? FileManager.default.removeItem(at: directory) }
    let corpus = directory.appendingPathComponent("corpus")
    _ = try runJSON([
      "extraction-corpus", "--records", "60", "--test-records", "4", "--seed", "1", "--out", corpus.path, "--json",
    ])
    let model = directory.appendingPathComponent("model")
    let train = try run([
      "train", "--task", "text", "--corpus", corpus.appendingPathComponent("train.txt").path, "--model", "gru",
      "--layers", "1", "--width", "8", "--length", "64", "--steps", "1", "--batch", "2", "--out", model.path,
    ])
    try #require(train.status == 0, "train: \(train.stderr)")
    let expected = corpus.appendingPathComponent("expected.jsonl").path
    let base = [
      "extract", "--checkpoint", model.appendingPathComponent("checkpoint.safetensors").path, "--schema",
      corpus.appendingPathComponent("schema.json").path, "--input", corpus.appendingPathComponent("test.jsonl").path,
      "--max-new-tokens", "90",
    ]
    for mode in ["--constrained", "--unconstrained"] {
      let result = try run(base + [mode, "--expected", expected, "--json"])
      try #require(result.status == 0, "\(result.stderr)")
      let lines = try Self.lines(result.stdout)
      try #require(lines.count == 5)
      let records = lines.dropLast()
      let score = try #require(lines.last?["score"])
      let valid = records.filter { $0["valid"] == .bool(true) }.count
      #expect(score["records"] == .number(4) && score["valid"] == .number(Double(valid)))
      #expect(score["exact"] == .number(Double(records.filter { $0["exact"] == .bool(true) }.count)))
      if mode == "--constrained" { #expect(valid == 4) }
      for field in ["name", "age", "city", "job"] {
        let right = records.filter { $0["fields"]?[field] == .bool(true) }.count
        #expect(score["fieldAccuracy"]?[field] == .number(Double(right) / 4), "\(field): \(score.serialized)")
      }
      for record in records where record["valid"] == .bool(false) {
        #expect(record["fields"] == .object(["name", "age", "city", "job"].map { ($0, .bool(false)) }))
      }
    }
    let human = try run(base + ["--expected", expected])
    #expect(human.status == 0 && human.stdout.contains("field accuracy: name "), "\(human.stdout)")

    let short = try ExtractCommandTests.file("short.jsonl", #"{"name": "x"}"# + "\n", in: directory)
    let misaligned = try run(base + ["--expected", short])
    #expect(misaligned.status != 0 && misaligned.stderr.contains("1 records for 4 texts"), "\(misaligned.stderr)")
    let notObjects = try ExtractCommandTests.file("bad.jsonl", "1\n2\n3\n4\n", in: directory)
    let malformed = try run(base + ["--expected", notObjects])
    #expect(malformed.status != 0 && malformed.stderr.contains("line 1: expected a record"), "\(malformed.stderr)")
  }

  // Counts below one are refused by name before anything is written.
  @Test func refusesEmptyCounts() throws {
    let directory = try makeTemporaryDirectory("ssm-extraction-corpus-bad")
    defer { try? FileManager.default.removeItem(at: directory) }
    let out = directory.appendingPathComponent("corpus")
    for (option, message) in [
      ("--records", "--records must be at least 1"), ("--test-records", "--test-records must be at least 1"),
    ] {
      let result = try run(["extraction-corpus", option, "0", "--out", out.path])
      #expect(result.status != 0 && result.stderr.contains(message), "\(option): \(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: out.path))
  }
}
