import ArgumentParser
import Constraints
import Foundation
import Generation
import Models
import SSMJSON
import Training

/// `ssm extract`: schema-guided extraction of one record per text with a byte-level model.
struct ExtractCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "extract",
    abstract: "Extract one JSON record per text with a checkpoint's model, guided by a schema (Kor-style).",
    discussion:
      "--schema FILE is an extraction schema: {\"name\": \"person\", \"description\": \"...\", \"record\": {JSON "
      + "Schema of one record, properties with description and examples}, \"examples\": [{\"text\": \"...\", "
      + "\"record\": {...}}], \"instructions\": true} (name, description, examples and instructions optional; "
      + "record in the subset of --json-schema; \"instructions\": false leaves the instruction and field lines out "
      + "of the prompt). "
      + "--input FILE.jsonl holds one {\"text\": \"...\"} per line (blank lines skipped). Each text becomes a "
      + "prompt (instruction, fields, examples as Text:/JSON: lines, then the text and an open JSON: line) that "
      + "the model continues, greedily or with --temperature, until a line break (or a text model's document "
      + "separator) or --max-new-tokens. The answer is parsed as JSON and validated against the record schema. "
      + "--constrained (default) masks every step to the schema's compact JSON and keeps --max-new-tokens in "
      + "view, so every record is valid; --unconstrained lets the model answer freely and reports invalid records "
      + "with the problem, never dropping them. Byte-level models only (256 tokens, or 257 for text models). "
      + "With --json: one line per text, {\"line\": n, \"text\": ..., \"output\": answer, \"valid\": bool, "
      + "\"record\": parsed JSON or null, \"problem\": why not valid or null}. --expected FILE.jsonl holds the "
      + "right record of each text (one JSON object per non-blank line, aligned with --input) and scores the "
      + "answers: a field is right when the answer is valid and has an equal member, a record exact when it is "
      + "valid and equal to the expected one; each line then adds \"fields\": {name: right, ...} and \"exact\", "
      + "and a last line {\"score\": {\"records\", \"valid\", \"validRate\", \"fieldAccuracy\": {name: rate, ...}, "
      + "\"exact\", \"exactRate\"}} follows (without --json: a summary line).")

  /// Whether the answer is masked by the schema's constraint.
  enum Mode: String, EnumerableFlag {
    case constrained, unconstrained
  }

  @Option(help: "A checkpoint.safetensors written by ssm train (a byte-level model).") var checkpoint: String
  @Option(help: "The extraction schema (JSON).") var schema: String
  @Option(help: "A JSONL file with one {\"text\": \"...\"} per line.") var input: String
  @Flag(help: "Mask the answer to valid records (default) or let the model answer freely.") var mode: Mode =
    .constrained
  @Option(help: "The most tokens of one answer (≥ 1).") var maxNewTokens = 256
  @Option(help: "Sample with temperature T > 0 instead of greedy decoding.") var temperature: Double?
  @Option(help: "Seed of the sampling draws (text i draws from seed + i).") var seed: UInt64 = 0
  @Option(help: "A JSONL file with the right record of each --input text, to score the answers.")
  var expected: String?
  @Flag(help: "Print JSONL: one record object per text.") var json = false

  func validate() throws {
    guard maxNewTokens >= 1 else { throw ValidationError("--max-new-tokens must be at least 1") }
    if let temperature, !(temperature.isFinite && temperature > 0) {
      throw ValidationError("--temperature must be finite and > 0")
    }
  }

  func run() throws {
    let extraction = try ExtractionSchema(text: readUTF8File(schema))
    let texts = try readTexts()
    let (model, configuration) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
    guard ByteText.isByteLevel(vocabulary: model.vocabulary) else {
      throw InputError.inapplicableOption(
        "extract needs a byte-level model (vocabulary 256, or 257 for text models); this one has "
          + "\(model.vocabulary) tokens")
    }
    let extractor = try Extractor(
      schema: extraction,
      vocabulary: .byteLevel(size: model.vocabulary, stopTokens: ByteText.lineStopTokens(vocabulary: model.vocabulary)),
      constrained: mode == .constrained)
    let strategy: DecodingStrategy =
      temperature.map { .sampling(SamplingParameters(temperature: $0)) } ?? .greedy
    let expectedRecords = try readExpected(count: texts.count)
    var records: [ExtractedRecord] = []
    for (number, (line, text)) in texts.enumerated() {
      let prompt = try extractor.promptTokens(for: text)
      try MemoryBudget.check(
        .generation(configuration.resolvedModel, batch: 1, prompt: prompt.count, newTokens: maxNewTokens))
      let record = try extractor.extract(
        model, text: text, maxNewTokens: maxNewTokens, strategy: strategy, seed: seed &+ UInt64(number))
      records.append(record)
      var members: [(key: String, value: JSONValue)] = [
        ("line", .number(Double(line))), ("text", .string(text)), ("output", .string(record.output)),
        ("valid", .bool(record.isValid)), ("record", record.value ?? .null),
        ("problem", record.problem.map(JSONValue.string) ?? .null),
      ]
      if let expectedRecords {
        let right = try ExtractionScore.fieldMatches(expected: expectedRecords[number], extracted: record)
        members += [
          ("fields", .object(right.map { ($0.name, .bool($0.isRight)) })),
          ("exact", .bool(ExtractionScore.isExact(expected: expectedRecords[number], extracted: record))),
        ]
      }
      try emit(.object(members), json: json) {
        let verdict = record.problem.map { "invalid (\($0))" } ?? "valid"
        print("line \(line): \(verdict): \(record.output.debugDescription)")
      }
    }
    if !json { print("\(records.filter(\.isValid).count) of \(texts.count) records valid") }
    if let expectedRecords {
      let score = try ExtractionScore(expected: expectedRecords, extracted: records)
      try emit(.object([("score", score.json)]), json: json) {
        let fields = score.fields.map { "\($0.name) \(formatRate($0.accuracy))" }.joined(separator: ", ")
        print("field accuracy: \(fields); exact records \(formatRate(score.exactRate))")
      }
    }
  }

  /// The records of `--expected`, `nil` without it.
  /// - Throws: ``InputError/invalidLine(path:line:reason:)`` for a line that is not an object, and
  ///   ``InputError/unreadableFile(path:reason:)`` when the count differs from the texts'.
  private func readExpected(count: Int) throws -> [JSONValue]? {
    guard let expected else { return nil }
    let records: [JSONValue] = try readJSONLines(expected).map { number, record in
      guard case .object = record else {
        throw InputError.invalidLine(
          path: expected, line: number, reason: "expected a record (an object), found \(record.kindName)")
      }
      return record
    }
    guard records.count == count else {
      throw InputError.unreadableFile(
        path: expected, reason: "\(records.count) records for \(count) texts of \(input): they must be aligned")
    }
    return records
  }

  /// A rate in [0, 1] with three decimals.
  private func formatRate(_ value: Double) -> String { String(format: "%.3f", value) }

  /// The texts of `--input` with their line numbers (from 1).
  private func readTexts() throws -> [(line: Int, text: String)] {
    let texts: [(line: Int, text: String)] = try readJSONLines(input).map { number, document in
      let fail = { (reason: String) in InputError.invalidLine(path: input, line: number, reason: reason) }
      guard case .object(let members) = document else {
        throw fail("expected an object {\"text\": \"...\"}, found \(document.kindName)")
      }
      guard members.count == 1, case .string(let text)? = document["text"] else {
        let found = members.map { "\"\($0.key)\": \($0.value.kindName)" }.joined(separator: ", ")
        throw fail("expected {\"text\": \"...\"} and nothing else, found {\(found)}")
      }
      return (line: number, text: text)
    }
    guard !texts.isEmpty else { throw InputError.unreadableFile(path: input, reason: "no texts to extract from") }
    return texts
  }
}
