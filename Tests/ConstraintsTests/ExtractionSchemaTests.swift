import Constraints
import SSMJSON
import Testing

@Suite struct ExtractionSchemaTests {
  /// A person record: a required name with a description and examples, an optional age, and
  /// one worked example whose members are written out of the declared order.
  static let document = #"""
    {"name": "person", "description": "Someone the text mentions.",
     "record": {"type": "object",
                "properties": {"name": {"type": "string", "maxLength": 12, "description": "first name",
                                        "examples": ["Ada", "Alan"]},
                               "age": {"type": "integer", "description": "age in years."},
                               "role": {"enum": ["chair", "member"]}},
                "required": ["name"], "additionalProperties": false},
     "examples": [{"text": "Ada,\nwho is 36, chairs.", "record": {"age": 36, "role": "chair", "name": "Ada"}}]}
    """#

  /// The prompt holds the instruction, one line per field with its type, requirement,
  /// description and examples, each worked example as a Text/JSON pair (record in declared
  /// order, a member of the constrained language, equal as JSON to the one given), and ends
  /// with the text on one line and an open JSON line.
  @Test func promptDescribesFieldsAndExamples() throws {
    let schema = try ExtractionSchema(text: Self.document)
    let prompt = schema.prompt(for: "Alan is\n41.")
    let lines = prompt.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines[0].hasPrefix("Extract one person record") && lines[0].hasSuffix("Someone the text mentions."))
    #expect(lines.contains(#"- name: string (at most 12 characters), required. first name. Examples: "Ada", "Alan""#))
    #expect(lines.contains("- age: integer. age in years."))
    #expect(lines.contains(#"- role: one of "chair", "member"."#))
    #expect(Array(lines.suffix(2)) == ["Text: Alan is 41.", "JSON: "])
    let exampleText = try #require(lines.firstIndex(of: "Text: Ada, who is 36, chairs."))
    let exampleJSON = lines[exampleText + 1]
    #expect(exampleJSON == #"JSON: {"name":"Ada","age":36,"role":"chair"}"#)
    let record = String(exampleJSON.dropFirst("JSON: ".count))
    #expect(schema.automaton.accepts(record.utf8))
    guard case .array(let examples)? = try JSONParser.parse(Self.document)["examples"],
      let given = examples[0]["record"]
    else { throw ExtractionTestError.badFixture }
    #expect(try Self.members(JSONParser.parse(record)) == Self.members(given))
    #expect(schema.record(fromOutput: Array(record.utf8)).isValid)
  }

  /// `"instructions": false` leaves the instruction and field lines out: the prompt is the worked
  /// examples and the text, blocks separated by a blank line, or the text alone; `true` is the
  /// default prompt.
  @Test func promptWithoutInstructions() throws {
    let bare = #"{"record": {"type": "object", "properties": {"a": {"type": "integer"}}}, "instructions": false}"#
    #expect(try ExtractionSchema(text: bare).prompt(for: "x\ny") == "Text: x y\nJSON: ")
    let withExample = try ExtractionSchema(
      text: String(Self.document.dropLast()) + #", "instructions": false}"#)
    #expect(!withExample.instructions)
    #expect(
      withExample.prompt(for: "Bo")
        == "Text: Ada, who is 36, chairs.\n" + #"JSON: {"name":"Ada","age":36,"role":"chair"}"# + "\n\nText: Bo\nJSON: "
    )
    let explicit = try ExtractionSchema(text: String(Self.document.dropLast()) + #", "instructions": true}"#)
    #expect(try explicit.prompt(for: "Bo") == ExtractionSchema(text: Self.document).prompt(for: "Bo"))
    #expect(explicit.prompt(for: "Bo").hasPrefix("Extract one person record"))
  }

  /// The members of a flat object as `key=value` texts, order ignored.
  static func members(_ value: JSONValue) -> Set<String> {
    guard case .object(let members) = value else { return [] }
    return Set(members.map { $0.key + "=" + $0.value.serialized })
  }

  /// Answers are parsed and validated: a valid one keeps its value; invalid ones are reported
  /// with the reason (not UTF-8, not JSON, a non-finite number, each schema violation), never
  /// dropped.
  @Test func answersAreParsedAndValidated() throws {
    let schema = try ExtractionSchema(text: Self.document)
    let good = schema.record(fromOutput: Array(#" {"role": "member", "name": "Alan"} "#.utf8))
    #expect(good.isValid && good.problem == nil)
    #expect(good.value == .object([("role", .string("member")), ("name", .string("Alan"))]))
    for (output, phrase) in [
      ("", "not JSON"), (#"{"name":"Al""#, "not JSON"), (#"{"name":"Al","age":NaN}"#, "non-finite"),
      (#"{"name":"Al","age":"41"}"#, "$.age: expected integer"), (#"{"age":41}"#, "missing the required member"),
      (#"{"name":"Al","nick":"A"}"#, "\"nick\" is not among the properties"),
      (#"{"name":"Alexander the Great"}"#, "$.name: 19 characters, more than maxLength 12"),
      (#"{"name":"Al","role":"guest"}"#, "$.role: expected one of"),
    ] {
      let record = schema.record(fromOutput: Array(output.utf8))
      #expect(!record.isValid && record.output == output, "\(output)")
      #expect(record.problem?.contains(phrase) == true, "\(output): \(record.problem ?? "valid")")
    }
    let notUTF8 = schema.record(fromOutput: [0x7B, 0xFF, 0x7D])
    #expect(notUTF8.problem == "not UTF-8 text" && notUTF8.value == nil)
  }

  /// Documents that are not extraction schemas fail with the path of the problem.
  @Test func badSchemasAreErrorsWithTheirPath() throws {
    let record = #""record": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}"#
    let cases: [(text: String, path: String)] = [
      ("not json", "$"), ("[]", "$"), (#"{"name": "x"}"#, "$"), (#"{\#(record), "extra": 1}"#, "$"),
      (#"{\#(record), "name": 3}"#, "$.name"), (#"{\#(record), "description": "two\nlines"}"#, "$.description"),
      (#"{\#(record), "examples": {}}"#, "$.examples"),
      (#"{\#(record), "instructions": 0}"#, "$.instructions"),
      (#"{\#(record), "examples": [{"text": "t"}]}"#, "$.examples[0]"),
      (
        #"{\#(record), "examples": [{"text": "t", "record": {"a": 1}}, {"text": "u", "record": {"a": "1"}}]}"#,
        "$.examples[1].record"
      ),
      (
        #"{"record": {"type": "object", "properties": {"a": {"type": "integer"}}}, "#
          + #""examples": [{"text": "t", "record": {"b": 1}}]}"#, "$.examples[0].record"
      ),
      (#"{"record": {"type": "string", "format": "date"}}"#, "$.record"),
      (#"{"record": {"type": "object"}}"#, "$.record"),
    ]
    for (text, path) in cases {
      do {
        _ = try ExtractionSchema(text: text)
        Issue.record("accepted: \(text)")
      } catch ConstraintError.invalidSchema(_, let found), ConstraintError.unsupportedSchema(_, let found) {
        #expect(found == path, "\(text)")
      }
    }
  }
}

enum ExtractionTestError: Error {
  case badFixture
}
