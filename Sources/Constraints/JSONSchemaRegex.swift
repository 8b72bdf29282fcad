import SSMJSON

/// A JSON Schema (a subset) as a regular expression whose full matches are JSON texts valid
/// under the schema, in compact form with bounded whitespace.
///
/// Supported: `type` (`object`, `array`, `string`, `number`, `integer`, `boolean`, `null`, or a
/// list of them), `properties` (emitted in declared order), `required`, `additionalProperties:
/// false`, `enum`, `const`, `items` (one schema), `minItems`/`maxItems`,
/// `minLength`/`maxLength`, `pattern` (a full match of the decoded string, see below), `anyOf`,
/// nesting; the annotations `title`, `description`, `examples`, `default`, `$schema`, `$id`,
/// `$comment` are ignored. Any other keyword is ``ConstraintError/unsupportedSchema(keyword:path:)``.
///
/// Whitespace rule: at most one space (U+0020), optional, right after each `{`, `[`, `,` and `:`
/// and right before each `}` and `]`; an empty container is `{}`/`[]` or `{ }`/`[ ]`; nothing
/// else. Bounded whitespace keeps a model from spinning on spaces up to the token limit.
///
/// Strings: any character but `"`, `\` and controls, or the escapes `\" \\ \/ \b \f \n \r \t` and
/// `\uXXXX` outside the surrogates (so `minLength`/`maxLength`, which count code points, count
/// one per character or escape). Numbers: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`;
/// integers without fraction or exponent. An object without `properties`, an array without
/// `items` (unless `maxItems` is 0) and the empty schema `{}` stand for free-form JSON, which is
/// not regular, and are rejected.
///
/// `pattern` is matched in full by the string's raw characters (JSON Schema asks for a search
/// match, which a full match implies); a leading `^` and trailing `$` are allowed. It must not
/// allow `"`, `\` or control characters, and cannot be combined with `minLength`/`maxLength`.
public enum JSONSchemaRegex {
  /// The regular expression of the schema `text` (JSON).
  /// - Throws: ``ConstraintError/invalidSchema(_:path:)`` for text that is not JSON or a schema,
  ///   ``ConstraintError/unsupportedSchema(keyword:path:)`` outside the subset.
  public static func regex(forSchema text: String) throws -> String {
    let schema: JSONValue
    do {
      schema = try JSONParser.parse(text)
    } catch let error as JSONError {
      throw ConstraintError.invalidSchema("not JSON: \(error)", path: "$")
    }
    return try regex(for: schema, path: "$")
  }

  /// The optional space of the whitespace rule.
  static let space = " ?"
  static let annotations: Set<String> = ["title", "description", "examples", "default", "$schema", "$id", "$comment"]
  static let structural: Set<String> = [
    "type", "properties", "required", "additionalProperties", "enum", "const", "items", "minItems", "maxItems",
    "minLength", "maxLength", "pattern", "anyOf",
  ]
  static let character =
    #"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u(?:[0-9a-cA-Ce-fE-F][0-9a-fA-F]{3}|[dD][0-7][0-9a-fA-F]{2}))"#
  static let integer = "-?(?:0|[1-9][0-9]*)"
  static let number = "-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"

  static func regex(for schema: JSONValue, path: String) throws -> String {
    guard case .object(let members) = schema else {
      throw ConstraintError.invalidSchema("a schema must be an object, got \(schema.kindName)", path: path)
    }
    for member in members where !annotations.contains(member.key) && !structural.contains(member.key) {
      throw ConstraintError.unsupportedSchema(keyword: "keyword \"\(member.key)\"", path: path)
    }
    let keywords = Set(members.map(\.key)).subtracting(annotations)
    if let anyOf = schema["anyOf"] {
      guard keywords == ["anyOf"] else {
        throw ConstraintError.unsupportedSchema(keyword: "anyOf next to other keywords", path: path)
      }
      guard case .array(let branches) = anyOf, !branches.isEmpty else {
        throw ConstraintError.invalidSchema("anyOf must be a non-empty array", path: path)
      }
      return try alternation(branches.enumerated().map { try regex(for: $1, path: "\(path).anyOf[\($0)]") })
    }
    let types = try declaredTypes(schema, path: path)
    if schema["enum"] != nil || schema["const"] != nil {
      return try literals(schema, types: types, keywords: keywords, path: path)
    }
    guard let types else {
      throw ConstraintError.unsupportedSchema(keyword: "a schema without type, enum, const or anyOf", path: path)
    }
    return try alternation(types.map { try regex(forType: $0, schema: schema, path: path) })
  }

  /// The names of `type` (a string or a list of strings), `nil` when absent.
  static func declaredTypes(_ schema: JSONValue, path: String) throws -> [String]? {
    let known = ["object", "array", "string", "number", "integer", "boolean", "null"]
    let names: [String]
    switch schema["type"] {
    case nil: return nil
    case .string(let name): names = [name]
    case .array(let elements):
      names = try elements.map {
        guard case .string(let name) = $0 else {
          throw ConstraintError.invalidSchema("type must be a string or a list of strings", path: path)
        }
        return name
      }
    default: throw ConstraintError.invalidSchema("type must be a string or a list of strings", path: path)
    }
    for name in names where !known.contains(name) {
      throw ConstraintError.invalidSchema("unknown type \"\(name)\"", path: path)
    }
    return names
  }

  static func regex(forType type: String, schema: JSONValue, path: String) throws -> String {
    switch type {
    case "object": return try objectRegex(schema, path: path)
    case "array": return try arrayRegex(schema, path: path)
    case "string": return try stringRegex(schema, path: path)
    case "number": return number
    case "integer": return integer
    case "boolean": return "(?:true|false)"
    default: return "null"
    }
  }

  /// `enum`/`const`: the values' compact JSON texts, escaped; with `type`, each value must have it.
  static func literals(_ schema: JSONValue, types: [String]?, keywords: Set<String>, path: String) throws -> String {
    guard keywords.subtracting(["type"]).count == 1 else {
      throw ConstraintError.unsupportedSchema(keyword: "enum or const next to keywords other than type", path: path)
    }
    let values: [JSONValue]
    if let constant = schema["const"] {
      values = [constant]
    } else if case .array(let elements) = schema["enum"]!, !elements.isEmpty {
      values = elements
    } else {
      throw ConstraintError.invalidSchema("enum must be a non-empty array", path: path)
    }
    guard values.allSatisfy(\.isFinite) else { throw ConstraintError.invalidSchema("non-finite number", path: path) }
    if let types, let value = values.first(where: { !types.contains(where: $0.hasType) }) {
      throw ConstraintError.invalidSchema("value \(value.serialized) does not have type \(types)", path: path)
    }
    return alternation(values.map { RegexLiteral.escaped($0.serialized) })
  }

  static func objectRegex(_ schema: JSONValue, path: String) throws -> String {
    guard case .object(let properties) = schema["properties"] ?? .null else {
      throw ConstraintError.unsupportedSchema(
        keyword: "an object without properties (free-form objects are not regular)", path: path)
    }
    if let additional = schema["additionalProperties"], additional != .bool(false) {
      throw ConstraintError.unsupportedSchema(keyword: "additionalProperties other than false", path: path)
    }
    var required = Set<String>()
    if let list = schema["required"] {
      guard case .array(let names) = list else {
        throw ConstraintError.invalidSchema("required must be an array of names", path: path)
      }
      for name in names {
        guard case .string(let name) = name else {
          throw ConstraintError.invalidSchema("required must be an array of names (strings)", path: path)
        }
        guard properties.contains(where: { $0.key == name }) else {
          throw ConstraintError.invalidSchema("required names \"\(name)\", which is not a property", path: path)
        }
        required.insert(name)
      }
    }
    let members = try properties.map { property in
      let value = try regex(for: property.value, path: "\(path).properties.\(property.key)")
      return (
        text: RegexLiteral.escaped(JSONValue.string(property.key).serialized) + ":" + space + "(?:" + value + ")",
        required: required.contains(property.key)
      )
    }
    /// Members `index...` in order, each preceded by `, ` unless it is the first emitted; `nil`
    /// when `needsOne` and no member can be emitted.
    func list(from index: Int, first: Bool, needsOne: Bool) -> String? {
      guard index < members.count else { return needsOne ? nil : "" }
      let member = (first ? "" : "," + space) + members[index].text
      let with = member + list(from: index + 1, first: false, needsOne: false)!
      if members[index].required { return with }
      if !first { return "(?:" + member + ")?" + list(from: index + 1, first: false, needsOne: false)! }
      return alternation([with] + [list(from: index + 1, first: true, needsOne: needsOne)].compactMap { $0 })
    }
    let empty = "\\{" + space + "\\}"
    guard let filled = list(from: 0, first: true, needsOne: true) else { return empty }
    let object = "\\{" + space + filled + space + "\\}"
    return required.isEmpty ? alternation([empty, object]) : object
  }

  static func arrayRegex(_ schema: JSONValue, path: String) throws -> String {
    let minimum = try count("minItems", schema, path: path) ?? 0
    let maximum = try count("maxItems", schema, path: path)
    if let maximum, minimum > maximum { throw ConstraintError.invalidSchema("minItems above maxItems", path: path) }
    let empty = "\\[" + space + "\\]"
    if maximum == 0 { return empty }
    guard let items = schema["items"] else {
      throw ConstraintError.unsupportedSchema(
        keyword: "an array without items (free-form arrays are not regular)", path: path)
    }
    if case .array = items {
      throw ConstraintError.unsupportedSchema(keyword: "items as a list (tuple validation)", path: path)
    }
    let item = "(?:" + (try regex(for: items, path: "\(path).items")) + ")"
    let more = "{\(max(minimum, 1) - 1),\(maximum.map { String($0 - 1) } ?? "")}"
    let filled = "\\[" + space + item + "(?:," + space + item + ")" + more + space + "\\]"
    return minimum == 0 ? alternation([empty, filled]) : filled
  }

  static func stringRegex(_ schema: JSONValue, path: String) throws -> String {
    let minimum = try count("minLength", schema, path: path)
    let maximum = try count("maxLength", schema, path: path)
    if let pattern = schema["pattern"] {
      guard minimum == nil && maximum == nil else {
        throw ConstraintError.unsupportedSchema(keyword: "pattern with minLength or maxLength", path: path)
      }
      guard case .string(let text) = pattern else {
        throw ConstraintError.invalidSchema("pattern must be a string", path: path)
      }
      let dfa = try ByteDFA(regex: text)
      let escaped = (0..<0x20).map(UInt8.init) + [UInt8(ascii: "\""), UInt8(ascii: "\\")]
      for state in 0..<dfa.stateCount where escaped.contains(where: { dfa.next(state, $0) != nil }) {
        throw ConstraintError.unsupportedSchema(
          keyword: "a pattern that allows \", \\ or control characters (they need JSON escapes)", path: path)
      }
      var inner = Substring(text)
      if inner.hasPrefix("^") { inner = inner.dropFirst() }
      if inner.hasSuffix("$") && !inner.hasSuffix("\\$") { inner = inner.dropLast() }
      return "\"(?:" + inner + ")\""
    }
    if let minimum, let maximum, minimum > maximum {
      throw ConstraintError.invalidSchema("minLength above maxLength", path: path)
    }
    for bound in [minimum, maximum].compactMap({ $0 }) where bound > RegexParser.maximumRepetition {
      throw ConstraintError.tooLarge("\(path): string length bound \(bound) above \(RegexParser.maximumRepetition)")
    }
    if minimum == nil && maximum == nil { return "\"" + character + "*\"" }
    return "\"" + character + "{\(minimum ?? 0),\(maximum.map(String.init) ?? "")}\""
  }

  /// A non-negative integer keyword, `nil` when absent.
  static func count(_ keyword: String, _ schema: JSONValue, path: String) throws -> Int? {
    guard let value = schema[keyword] else { return nil }
    guard case .number(let number) = value, number >= 0, number == number.rounded(), number < 1e9 else {
      throw ConstraintError.invalidSchema("\(keyword) must be a non-negative integer", path: path)
    }
    return Int(number)
  }

  static func alternation(_ branches: [String]) -> String {
    branches.count == 1 ? branches[0] : "(?:" + branches.joined(separator: "|") + ")"
  }
}

extension JSONValue {
  /// Whether the value is an instance of the JSON Schema type `name` (integers: whole numbers).
  func hasType(_ name: String) -> Bool {
    switch (self, name) {
    case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"),
      (.number, "number"):
      return true
    case (.number(let value), "integer"): return value == value.rounded()
    default: return false
    }
  }
}
