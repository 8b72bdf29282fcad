import ArgumentParser
import Constraints
import Foundation
import Reports
import SSMJSON

/// `ssm extraction-corpus`: a seeded corpus of sentences describing person records, for training a
/// byte-level model to extract them (`ssm train --task text --corpus`) and scoring it
/// (`ssm extract --expected`).
struct ExtractionCorpusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "extraction-corpus",
    abstract: "Write a seeded extraction corpus: training text of sentences → JSON records, test texts and records.",
    discussion:
      "Each record {\"name\", \"age\", \"city\", \"job\"} is drawn uniformly from fixed lists (24 first names × 24 "
      + "surnames, ages 18–79, 24 cities, 24 jobs) and written as a sentence by one of 8 templates. A record "
      + "belongs to the test split when the FNV-1a hash of its JSON is divisible by 5, so no test record is a "
      + "training record in any wording. --out DIR receives: schema.json (the extraction schema; without "
      + "--instructions its prompt is only \"Text: <sentence>\\nJSON: \"), train.txt (--records documents, each the "
      + "prompt, the record's JSON and a line break, separated by lines holding only %: the fortune format of "
      + "--task text --corpus), test.jsonl ({\"text\": ...} per line, the input of ssm extract) and expected.jsonl "
      + "(the record of each test text, the --expected of ssm extract). Train and test draw from the seed with "
      + "different streams; the same options write the same files.")

  @Option(help: "Training documents (≥ 1).") var records = 6000
  @Option(help: "Test texts (≥ 1).") var testRecords = 200
  @Option(help: "Seed of the draws.") var seed: UInt64 = 0
  @Flag(help: "Open every prompt with the instruction and field lines (long prompts).") var instructions = false
  @Option(help: "The folder to write (created if missing).") var out: String
  @Flag(help: "Print a JSON summary.") var json = false

  func validate() throws {
    guard records >= 1 else { throw ValidationError("--records must be at least 1") }
    guard testRecords >= 1 else { throw ValidationError("--test-records must be at least 1") }
  }

  func run() throws {
    let corpus = try ExtractionCorpus(instructions: instructions)
    let train = try corpus.examples(records, split: .train, seed: seed)
    let test = try corpus.examples(testRecords, split: .test, seed: seed)
    let folder = URL(fileURLWithPath: out, isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let text = corpus.trainingText(train)
    try writeAtomically(corpus.schemaDocument.serialized + "\n", to: folder.appendingPathComponent("schema.json"))
    try writeAtomically(text, to: folder.appendingPathComponent("train.txt"))
    try writeAtomically(
      test.map { JSONValue.object([("text", .string($0.text))]).serialized + "\n" }.joined(),
      to: folder.appendingPathComponent("test.jsonl"))
    try writeAtomically(
      test.map { $0.record.serialized + "\n" }.joined(), to: folder.appendingPathComponent("expected.jsonl"))
    let longest = train.map { corpus.document(for: $0).utf8.count }.max() ?? 0
    let summary = JSONValue.object([
      ("folder", .string(folder.path)), ("trainingDocuments", .number(Double(train.count))),
      ("trainingBytes", .number(Double(text.utf8.count))), ("longestDocumentBytes", .number(Double(longest))),
      ("testTexts", .number(Double(test.count))),
    ])
    try emit(summary, json: json) {
      print(
        "\(folder.path): train.txt (\(train.count) documents, \(text.utf8.count) bytes, the longest "
          + "\(longest) bytes), test.jsonl and expected.jsonl (\(test.count) texts), schema.json")
    }
  }
}
