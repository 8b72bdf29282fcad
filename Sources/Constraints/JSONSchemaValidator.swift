import SSMJSON

/// Validation of JSON values against a JSON Schema, for the keywords of ``JSONSchemaRegex``
/// with their JSON Schema (draft 2020-12) meaning, so that Python's `jsonschema` is an
/// independent reference for it.
///
/// An instance is valid when every keyword of the schema holds: `type` (one name or a list;
/// `integer` is any whole number, `1.0` included), `enum`/`const` (JSON equality: numbers by
/// value, objects regardless of member order, `true ≠ 1`), `properties` (each present member is
/// valid under its schema), `required`, `additionalProperties` (`false`: no member outside
/// `properties`; `true` or absent: any), `items` (every element), `minItems`/`maxItems`,
/// `minLength`/`maxLength` (in Unicode scalars, as JSON Schema counts characters), `pattern` (a
/// *search*: some substring matches; a leading `^` and a trailing `$` anchor the match to the
/// start and end of the whole string) and `anyOf` (at least one branch). Keywords of one type
/// hold trivially for instances of another (`minLength` says nothing about a number).
///
/// Unlike ``JSONSchemaRegex``, the validator accepts free-form objects and arrays (no
/// `properties` or `items`) and the empty schema `{}`; other keywords are still
/// ``ConstraintError/unsupportedSchema(keyword:path:)``, never silently ignored.
public struct JSONSchemaValidator: Sendable {
  /// The schema being checked against.
  public let schema: JSONValue
  /// The search automaton of each `pattern` of the schema, keyed by the pattern's text.
  private let searches: [String: ByteDFA]

  /// A validator for `schema`.
  /// - Throws: ``ConstraintError/invalidSchema(_:path:)`` for a malformed schema,
  ///   ``ConstraintError/unsupportedSchema(keyword:path:)`` for keywords outside the subset, and the
  ///   regular-expression errors of ``ByteDFA/init(regex:minimize:)`` for a `pattern`.
  public init(schema: JSONValue) throws {
    try self.init(schema: schema, path: "$")
  }

  /// A validator for `schema`, whose errors locate problems from `path` (the schema's place in a
  /// larger document).
  init(schema: JSONValue, path: String) throws {
    guard schema.isFinite else {
      throw ConstraintError.invalidSchema("a non-finite number (NaN or Infinity)", path: path)
    }
    var searches: [String: ByteDFA] = [:]
    try Self.check(schema, path: path, searches: &searches)
    self.schema = schema
    self.searches = searches
  }

  /// The first violation of the schema by `instance` (depth first, in the schema's keyword
  /// order), `nil` when `instance` is valid.
  public func violation(of instance: JSONValue) -> SchemaViolation? {
    violation(of: instance, under: schema, at: "$")
  }

  /// Checks every subschema of `schema` and compiles its patterns into `searches`.
  private static func check(_ schema: JSONValue, path: String, searches: inout [String: ByteDFA]) throws {
    guard case .object(let members) = schema else {
      throw ConstraintError.invalidSchema("a schema must be an object, got \(schema.kindName)", path: path)
    }
    for member in members
    where !JSONSchemaRegex.annotations.contains(member.key) && !JSONSchemaRegex.structural.contains(member.key) {
      throw ConstraintError.unsupportedSchema(keyword: "keyword \"\(member.key)\"", path: path)
    }
    _ = try JSONSchemaRegex.declaredTypes(schema, path: path)
    for keyword in ["minItems", "maxItems", "minLength", "maxLength"] {
      _ = try JSONSchemaRegex.count(keyword, schema, path: path)
    }
    if let values = schema["enum"] {
      guard case .array(let elements) = values, !elements.isEmpty else {
        throw ConstraintError.invalidSchema("enum must be a non-empty array", path: path)
      }
    }
    if let additional = schema["additionalProperties"], additional != .bool(true), additional != .bool(false) {
      throw ConstraintError.unsupportedSchema(keyword: "additionalProperties other than true or false", path: path)
    }
    if let required = schema["required"] {
      guard case .array(let names) = required, names.allSatisfy({ if case .string = $0 { true } else { false } })
      else {
        throw ConstraintError.invalidSchema("required must be an array of names", path: path)
      }
    }
    if let pattern = schema["pattern"] {
      guard case .string(let text) = pattern else {
        throw ConstraintError.invalidSchema("pattern must be a string", path: path)
      }
      searches[text] = try ByteDFA(regex: searchPattern(text))
    }
    if let properties = schema["properties"] {
      guard case .object(let entries) = properties else {
        throw ConstraintError.invalidSchema("properties must be an object", path: path)
      }
      for entry in entries { try check(entry.value, path: "\(path).properties.\(entry.key)", searches: &searches) }
    }
    if let items = schema["items"] {
      if case .array = items {
        throw ConstraintError.unsupportedSchema(keyword: "items as a list (tuple validation)", path: path)
      }
      try check(items, path: "\(path).items", searches: &searches)
    }
    if let anyOf = schema["anyOf"] {
      guard case .array(let branches) = anyOf, !branches.isEmpty else {
        throw ConstraintError.invalidSchema("anyOf must be a non-empty array", path: path)
      }
      for (index, branch) in branches.enumerated() {
        try check(branch, path: "\(path).anyOf[\(index)]", searches: &searches)
      }
    }
  }

  /// The full-match pattern equivalent to a search for `pattern`: `[\s\S]*` on each side that
  /// is not anchored by a leading `^` or trailing `$`.
  static func searchPattern(_ pattern: String) -> String {
    var inner = Substring(pattern)
    let anchoredStart = inner.hasPrefix("^")
    if anchoredStart { inner = inner.dropFirst() }
    let anchoredEnd = inner.hasSuffix("$") && !inner.hasSuffix("\\$")
    if anchoredEnd { inner = inner.dropLast() }
    let anything = "[\\s\\S]*"
    return (anchoredStart ? "" : anything) + "(?:" + inner + ")" + (anchoredEnd ? "" : anything)
  }

  private func violation(of instance: JSONValue, under schema: JSONValue, at path: String) -> SchemaViolation? {
    let fail = { (reason: String) in SchemaViolation(path: path, reason: reason) }
    if case .array(let branches) = schema["anyOf"] ?? .null,
      branches.allSatisfy({ violation(of: instance, under: $0, at: path) != nil })
    {
      return fail("matches none of the \(branches.count) anyOf branches")
    }
    if case .string(let name) = schema["type"] ?? .null, !instance.hasType(name) {
      return fail("expected \(name), got \(instance.kindName)")
    }
    if case .array(let names) = schema["type"] ?? .null,
      !names.contains(where: { if case .string(let name) = $0 { instance.hasType(name) } else { false } })
    {
      return fail("expected one of the types \(JSONValue.array(names).serialized), got \(instance.kindName)")
    }
    if let constant = schema["const"], !instance.equalsAsJSON(constant) {
      return fail("expected the constant \(constant.serialized)")
    }
    if case .array(let values) = schema["enum"] ?? .null, !values.contains(where: instance.equalsAsJSON) {
      return fail("expected one of \(JSONValue.array(values).serialized)")
    }
    switch instance {
    case .string(let text): return stringViolation(text, under: schema, at: path)
    case .array(let elements): return arrayViolation(elements, under: schema, at: path)
    case .object(let members): return objectViolation(members, under: schema, at: path)
    case .null, .bool, .number: return nil
    }
  }

  private func stringViolation(_ text: String, under schema: JSONValue, at path: String) -> SchemaViolation? {
    let length = text.unicodeScalars.count
    if case .number(let minimum) = schema["minLength"] ?? .null, Double(length) < minimum {
      return SchemaViolation(path: path, reason: "\(length) characters, fewer than minLength \(Int(minimum))")
    }
    if case .number(let maximum) = schema["maxLength"] ?? .null, Double(length) > maximum {
      return SchemaViolation(path: path, reason: "\(length) characters, more than maxLength \(Int(maximum))")
    }
    if case .string(let pattern) = schema["pattern"] ?? .null, let search = searches[pattern],
      !search.accepts(text.utf8)
    {
      return SchemaViolation(path: path, reason: "does not match the pattern \(pattern)")
    }
    return nil
  }

  private func arrayViolation(_ elements: [JSONValue], under schema: JSONValue, at path: String) -> SchemaViolation? {
    if case .number(let minimum) = schema["minItems"] ?? .null, Double(elements.count) < minimum {
      return SchemaViolation(path: path, reason: "\(elements.count) items, fewer than minItems \(Int(minimum))")
    }
    if case .number(let maximum) = schema["maxItems"] ?? .null, Double(elements.count) > maximum {
      return SchemaViolation(path: path, reason: "\(elements.count) items, more than maxItems \(Int(maximum))")
    }
    guard let items = schema["items"] else { return nil }
    for (index, element) in elements.enumerated() {
      if let found = violation(of: element, under: items, at: "\(path)[\(index)]") { return found }
    }
    return nil
  }

  private func objectViolation(_ members: [(key: String, value: JSONValue)], under schema: JSONValue, at path: String)
    -> SchemaViolation?
  {
    let properties: [(key: String, value: JSONValue)]
    if case .object(let entries) = schema["properties"] ?? .null { properties = entries } else { properties = [] }
    if case .array(let names) = schema["required"] ?? .null {
      for case .string(let name) in names where !members.contains(where: { $0.key == name }) {
        return SchemaViolation(path: path, reason: "missing the required member \"\(name)\"")
      }
    }
    for member in members {
      if let property = properties.first(where: { $0.key == member.key }) {
        let memberPath = "\(path).\(member.key)"
        if let found = violation(of: member.value, under: property.value, at: memberPath) { return found }
      } else if schema["additionalProperties"] == .bool(false) {
        return SchemaViolation(path: path, reason: "member \"\(member.key)\" is not among the properties")
      }
    }
    return nil
  }
}
