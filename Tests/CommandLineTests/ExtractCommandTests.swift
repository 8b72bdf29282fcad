import Foundation
import SSMJSON
import TestSupport
import Testing

@Suite("ssm extract")
struct ExtractCommandTests {
  static let schema = #"""
    {"name": "person", "description": "Someone the text mentions.",
     "record": {"type": "object",
                "properties": {"name": {"type": "string", "maxLength": 10, "description": "first name"},
                               "age": {"type": "integer", "description": "age in years"}},
                "required": ["name"], "additionalProperties": false},
     "examples": [{"text": "Ada is 36.", "record": {"name": "Ada", "age": 36}}]}
    """#
  static let texts = #"{"text": "Alan is 41."}"# + "\n\n" + #"{"text": "Grace, 85"}"# + "\n" + #"{"text": "Bo"}"# + "\n"

  /// Writes `contents` to a fresh file in `directory` and returns its path.
  static func file(_ name: String, _ contents: String, in directory: URL) throws -> String {
    let url = directory.appendingPathComponent(name)
    try Data(contents.utf8).write(to: url)
    return url.path
  }

  /// The JSONL lines of a successful run.
  static func records(_ arguments: [String]) throws -> [JSONValue] {
    let result = try run(arguments)
    try #require(result.status == 0, "ssm \(arguments.joined(separator: " ")): \(result.stderr)")
    #expect(result.stderr.isEmpty)
    return try result.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
  }

  // A tiny byte-level model extracts one record per text: constrained, every record is valid
  // (flag true, parsed record equal to the output's JSON, no problem); unconstrained, every text
  // still gets its line, and the flag agrees with the problem. Line numbers count blank lines.
  @Test func extractsOneRecordPerTextInBothModes() throws {
    let directory = temporaryPath("ssm-extract")
    defer { try? FileManager.default.removeItem(at: directory) }
    let train = try run([
      "train", "--model", "gru", "--alphabet", "254", "--count", "2", "--layers", "1", "--width", "8", "--length",
      "30", "--steps", "2", "--batch", "2", "--out", directory.path,
    ])
    try #require(train.status == 0, "train: \(train.stderr)")
    let base = [
      "extract", "--checkpoint", directory.appendingPathComponent("checkpoint.safetensors").path, "--schema",
      try Self.file("schema.json", Self.schema, in: directory), "--input",
      try Self.file("texts.jsonl", Self.texts, in: directory), "--max-new-tokens", "48",
    ]
    let constrained = try Self.records(base + ["--constrained", "--json"])
    #expect(constrained.map { $0["line"] } == [.number(1), .number(3), .number(4)])
    #expect(constrained.map { $0["text"] } == [.string("Alan is 41."), .string("Grace, 85"), .string("Bo")])
    for record in constrained {
      #expect(record["valid"] == .bool(true) && record["problem"] == .null, "\(record.serialized)")
      guard case .string(let output)? = record["output"] else {
        Issue.record("no output in \(record.serialized)")
        continue
      }
      #expect(try record["record"] == JSONParser.parse(output))
    }
    #expect(try Self.records(base + ["--json"]) == constrained)

    let free = try Self.records(base + ["--unconstrained", "--temperature", "1.5", "--seed", "3", "--json"])
    #expect(free.map { $0["line"] } == [.number(1), .number(3), .number(4)])
    for record in free {
      let valid = try #require(record["valid"], "\(record.serialized)")
      #expect(valid == .bool(record["problem"] == .null), "\(record.serialized)")
    }

    let human = try run(base)
    #expect(human.status == 0 && human.stderr.isEmpty, "\(human.stderr)")
    #expect(human.stdout.hasSuffix("3 of 3 records valid\n"), "\(human.stdout)")
  }

  // Bad schemas, inputs and options fail with one error line that names the problem.
  @Test func badInputsFailWithOneErrorLine() throws {
    let directory = temporaryPath("ssm-extract-bad")
    defer { try? FileManager.default.removeItem(at: directory) }
    let train = try run([
      "train", "--model", "gru", "--alphabet", "254", "--count", "2", "--layers", "1", "--width", "8", "--length",
      "30", "--steps", "1", "--batch", "2", "--out", directory.path,
    ])
    try #require(train.status == 0, "train: \(train.stderr)")
    let checkpoint = directory.appendingPathComponent("checkpoint.safetensors").path
    let taskModel = directory.appendingPathComponent("task")
    let taskTrain = try run([
      "train", "--model", "gru", "--layers", "1", "--width", "8", "--length", "30", "--steps", "1", "--batch", "2",
      "--out", taskModel.path,
    ])
    try #require(taskTrain.status == 0, "train: \(taskTrain.stderr)")
    let schema = try Self.file("schema.json", Self.schema, in: directory)
    let texts = try Self.file("texts.jsonl", Self.texts, in: directory)
    let missing = directory.appendingPathComponent("missing.json").path
    let notJSON = try Self.file("a.json", "{", in: directory)
    let unsupported = try Self.file("b.json", #"{"record": {"type": "string", "format": "x"}}"#, in: directory)
    let badExample = try Self.file(
      "c.json", Self.schema.replacingOccurrences(of: #""age": 36"#, with: #""age": "36""#), in: directory)
    let badLine = try Self.file("d.jsonl", #"{"text": "a"}"# + "\nnope\n", in: directory)
    let noText = try Self.file("e.jsonl", #"{"prompt": "a"}"#, in: directory)
    let empty = try Self.file("f.jsonl", "\n", in: directory)
    let cases: [(String, [String], String)] = [
      ("missing schema", ["--schema", missing, "--input", texts], "cannot read"),
      ("schema not JSON", ["--schema", notJSON, "--input", texts], "not JSON"),
      ("unsupported record keyword", ["--schema", unsupported, "--input", texts], "$.record"),
      ("invalid example", ["--schema", badExample, "--input", texts], "$.examples[0].record"),
      ("missing input", ["--schema", schema, "--input", missing], "cannot read"),
      ("input line not JSON", ["--schema", schema, "--input", badLine], "line 2"),
      ("input line without text", ["--schema", schema, "--input", noText], "line 1"),
      ("empty input", ["--schema", schema, "--input", empty], "no texts"),
      ("zero tokens", ["--schema", schema, "--input", texts, "--max-new-tokens", "0"], "--max-new-tokens"),
      (
        "token limit below the shortest record", ["--schema", schema, "--input", texts, "--max-new-tokens", "5"],
        "shortest valid record"
      ),
      ("bad temperature", ["--schema", schema, "--input", texts, "--temperature", "0"], "--temperature"),
      ("both modes", ["--schema", schema, "--input", texts, "--constrained", "--unconstrained"], "error"),
    ]
    for (label, arguments, phrase) in cases {
      let result = try run(["extract", "--checkpoint", checkpoint] + arguments)
      expectOneErrorLine(result, label)
      #expect(result.stderr.contains(phrase), "\(label): \(result.stderr)")
    }
    let taskCheckpoint = taskModel.appendingPathComponent("checkpoint.safetensors").path
    let notBytes = try run(["extract", "--checkpoint", taskCheckpoint, "--schema", schema, "--input", texts])
    expectOneErrorLine(notBytes, "task model")
    #expect(notBytes.stderr.contains("byte-level"), "\(notBytes.stderr)")
  }
}
