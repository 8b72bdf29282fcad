import SSMJSON

/// What to extract from text, Kor-style: a JSON Schema of one record whose properties carry
/// `description`s and `examples` (JSON Schema annotations), plus worked examples of texts and
/// their records. It becomes a prompt (``prompt(for:)``) for a model without function calling,
/// the constraint that keeps the model's answer a valid record (``regex``, ``automaton``), and
/// the check of an answer (``record(fromOutput:)``).
///
/// The document (JSON):
/// ```json
/// {
///   "name": "person",
///   "description": "Someone the text mentions.",
///   "record": {"type": "object",
///              "properties": {"name": {"type": "string", "description": "first name", "examples": ["Ada"]},
///                             "age": {"type": "integer", "description": "age in years"}},
///              "required": ["name"], "additionalProperties": false},
///   "examples": [{"text": "Ada is 36.", "record": {"name": "Ada", "age": 36}}],
///   "instructions": true
/// }
/// ```
/// `record` is required and must lie in the subset of ``JSONSchemaRegex``; `name` (default
/// `"record"`), `description`, `examples` and `instructions` (default `true`; `false` leaves the
/// instruction and field lines out of the prompt, for small models trained on short prompts) are
/// optional. Every example record must be valid
/// under `record` and, once its members are put in the declared order, be a string of the
/// constraint's language, so the prompt shows exactly the form a constrained answer takes.
public struct ExtractionSchema: Sendable {
  /// A worked example: a text and the record extracted from it.
  public struct Example: Sendable, Equatable {
    /// The text (one line in the prompt: line breaks become spaces).
    public let text: String
    /// The record, members in the order the schema declares them.
    public let record: JSONValue

    /// An example of `text` and its `record` (put in the declared order by
    /// ``ExtractionSchema/init(name:description:record:examples:instructions:)``).
    public init(text: String, record: JSONValue) {
      self.text = text
      self.record = record
    }
  }

  /// What one record is called in the prompt.
  public let name: String
  /// What to extract, in words (`nil`: nothing beyond the fields).
  public let description: String?
  /// The JSON Schema of one record.
  public let record: JSONValue
  /// The worked examples, in order.
  public let examples: [Example]
  /// Whether the prompt opens with the instruction and one line per field (``prompt(for:)``);
  /// `false` keeps only the worked examples and the text.
  public let instructions: Bool
  /// The regular expression of compact records valid under ``record`` (``JSONSchemaRegex``).
  public let regex: String
  /// The byte automaton of ``regex``.
  public let automaton: ByteDFA
  /// The validator of ``record``.
  public let validator: JSONSchemaValidator

  /// The members of the document.
  static let members = ["name", "description", "record", "examples", "instructions"]

  /// The extraction schema in the JSON document `text`.
  /// - Throws: ``ConstraintError/invalidSchema(_:path:)`` for text that is not such a document
  ///   (the path locates the problem: `$.examples[1].record`, …), and the errors of
  ///   ``JSONSchemaRegex`` and ``JSONSchemaValidator`` for a record schema outside the subset.
  public init(text: String) throws {
    let document: JSONValue
    do {
      document = try JSONParser.parse(text)
    } catch let error as JSONError {
      throw ConstraintError.invalidSchema("not JSON: \(error)", path: "$")
    }
    guard case .object(let members) = document else {
      throw ConstraintError.invalidSchema(
        "an extraction schema must be an object with a \"record\" schema, got \(document.kindName)", path: "$")
    }
    if let unknown = members.first(where: { !Self.members.contains($0.key) }) {
      throw ConstraintError.invalidSchema(
        "unknown member \"\(unknown.key)\"; known: \(Self.members.joined(separator: ", "))", path: "$")
    }
    guard let record = document["record"] else {
      throw ConstraintError.invalidSchema("missing the member \"record\" (the JSON Schema of one record)", path: "$")
    }
    let name = try Self.line(document["name"], path: "$.name") ?? "record"
    guard !name.isEmpty else { throw ConstraintError.invalidSchema("name must not be empty", path: "$.name") }
    var examples: [Example] = []
    switch document["examples"] {
    case nil: break
    case .array(let entries):
      examples = try entries.enumerated().map { index, entry in
        let path = "$.examples[\(index)]"
        guard case .object(let fields) = entry, fields.count == 2, case .string(let text)? = entry["text"],
          let record = entry["record"]
        else {
          throw ConstraintError.invalidSchema("an example must be {\"text\": \"...\", \"record\": {...}}", path: path)
        }
        return Example(text: text, record: record)
      }
    default: throw ConstraintError.invalidSchema("examples must be an array", path: "$.examples")
    }
    var instructions = true
    switch document["instructions"] {
    case nil: break
    case .bool(let value): instructions = value
    case let value?:
      throw ConstraintError.invalidSchema("must be true or false, got \(value.kindName)", path: "$.instructions")
    }
    try self.init(
      name: name, description: try Self.line(document["description"], path: "$.description"), record: record,
      examples: examples, instructions: instructions)
  }

  /// An extraction schema from its parts; `instructions` says whether the prompt opens with the
  /// instruction and field lines.
  /// - Throws: ``ConstraintError`` for a record schema outside the subset of ``JSONSchemaRegex``
  ///   (checked by ``JSONSchemaValidator`` first, which also rejects non-finite numbers), a name or
  ///   description with a line break, or an example record that is not finite, not valid under
  ///   `record` or not in the constraint's language.
  public init(
    name: String, description: String?, record: JSONValue, examples: [Example], instructions: Bool = true
  ) throws {
    for (text, path) in [(name, "$.name"), (description ?? "", "$.description")] where text.contains(where: \.isNewline)
    {
      throw ConstraintError.invalidSchema("must be one line", path: path)
    }
    let validator = try JSONSchemaValidator(schema: record, path: "$.record")
    let regex = try JSONSchemaRegex.regex(for: record, path: "$.record")
    let automaton = try ByteDFA(regex: regex)
    var ordered: [Example] = []
    for (index, example) in examples.enumerated() {
      let path = "$.examples[\(index)].record"
      guard example.record.isFinite else {
        throw ConstraintError.invalidSchema("a non-finite number (NaN or Infinity)", path: path)
      }
      if let violation = validator.violation(of: example.record) {
        throw ConstraintError.invalidSchema("the example record is not valid: \(violation)", path: path)
      }
      let canonical = Self.inDeclaredOrder(example.record, schema: record)
      guard automaton.accepts(canonical.serialized.utf8) else {
        throw ConstraintError.invalidSchema(
          "the example record \(canonical.serialized) is valid but not of the constrained form (members outside "
            + "properties, or an anyOf branch with members out of order)", path: path)
      }
      ordered.append(Example(text: example.text, record: canonical))
    }
    self.name = name
    self.description = description
    self.record = record
    self.examples = ordered
    self.instructions = instructions
    self.regex = regex
    self.automaton = automaton
    self.validator = validator
  }

  /// A string member that must be one line, `nil` when absent.
  private static func line(_ value: JSONValue?, path: String) throws -> String? {
    guard let value else { return nil }
    guard case .string(let text) = value else {
      throw ConstraintError.invalidSchema("must be a string, got \(value.kindName)", path: path)
    }
    return text
  }

  /// `value` with the members of every object that `schema` declares `properties` for put in the
  /// declared order (members the schema does not declare follow, in their order), recursively
  /// through `properties` and `items`.
  static func inDeclaredOrder(_ value: JSONValue, schema: JSONValue) -> JSONValue {
    switch value {
    case .object(let members):
      guard case .object(let properties) = schema["properties"] ?? .null else { return value }
      let declared = properties.compactMap { property in
        members.first { $0.key == property.key }.map {
          (key: property.key, value: inDeclaredOrder($0.value, schema: property.value))
        }
      }
      let undeclared = members.filter { member in !properties.contains { $0.key == member.key } }
      return .object(declared + undeclared)
    case .array(let elements):
      guard let items = schema["items"] else { return value }
      return .array(elements.map { inDeclaredOrder($0, schema: items) })
    default: return value
    }
  }
}
