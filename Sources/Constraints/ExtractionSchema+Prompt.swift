import SSMJSON

extension ExtractionSchema {
  /// The prompt that asks for the record of `text`, Kor-style: an instruction naming the record
  /// and its description, the fields (for an object schema with properties: one line each with
  /// the type, whether it is required, the description and the `examples` annotation; otherwise
  /// the form of the whole record), the worked examples as `Text:`/`JSON:` pairs, and finally
  /// `text` and an open `JSON: ` line for the model to complete. Texts are put on one line (line
  /// breaks become spaces), so a line break can end the answer.
  ///
  /// ```
  /// Extract one person record from the text as JSON on one line. Someone the text mentions.
  /// Fields:
  /// - name: string, required. first name. Examples: "Ada"
  /// - age: integer. age in years.
  ///
  /// Text: Ada is 36.
  /// JSON: {"name":"Ada","age":36}
  ///
  /// Text: <text>
  /// JSON:
  /// ```
  /// (the last line ends with a space after the colon). Without ``instructions`` the prompt is
  /// the worked examples and the text alone, blocks still separated by a blank line; with no
  /// examples either, it is `Text: <text>\nJSON: `.
  public func prompt(for text: String) -> String {
    var blocks: [[String]] = []
    if instructions { blocks.append(instructionLines()) }
    for example in examples {
      blocks.append(["Text: " + Self.oneLine(example.text), "JSON: " + example.record.serialized])
    }
    blocks.append(["Text: " + Self.oneLine(text), "JSON: "])
    return blocks.map { $0.joined(separator: "\n") }.joined(separator: "\n\n")
  }

  /// The instruction naming the record and its description, then the fields (one line each) or
  /// the form of the whole record.
  private func instructionLines() -> [String] {
    var lines = ["Extract one \(name) record from the text as JSON on one line." + (description.map { " " + $0 } ?? "")]
    if case .object(let properties) = record["properties"] ?? .null, !properties.isEmpty {
      lines.append("Fields:")
      let required = Set(Self.requiredNames(record))
      for property in properties {
        var line = "- \(property.key): \(Self.form(of: property.value))"
        if required.contains(property.key) { line += ", required" }
        line += "."
        if case .string(let description) = property.value["description"] ?? .null {
          line += " " + Self.oneLine(description)
          if !description.hasSuffix(".") { line += "." }
        }
        if case .array(let values) = property.value["examples"] ?? .null, !values.isEmpty {
          line += " Examples: " + values.map(\.serialized).joined(separator: ", ")
        }
        lines.append(line)
      }
    } else {
      lines.append("Form: \(Self.form(of: record)).")
    }
    return lines
  }

  /// `text` with every line break replaced by a space.
  static func oneLine(_ text: String) -> String {
    String(text.map { $0.isNewline ? " " : $0 })
  }

  /// The names in `required`.
  static func requiredNames(_ schema: JSONValue) -> [String] {
    guard case .array(let names) = schema["required"] ?? .null else { return [] }
    return names.compactMap { if case .string(let name) = $0 { name } else { nil } }
  }

  /// A short description of the values `schema` allows: `string`, `integer or null`,
  /// `one of "a", "b"`, `array of string (at most 3)`, `object with name, age`, ….
  static func form(of schema: JSONValue) -> String {
    if case .array(let branches) = schema["anyOf"] ?? .null {
      return branches.map(form(of:)).joined(separator: " or ")
    }
    if let constant = schema["const"] { return "exactly \(constant.serialized)" }
    if case .array(let values) = schema["enum"] ?? .null {
      return "one of " + values.map(\.serialized).joined(separator: ", ")
    }
    let names: [String]
    switch schema["type"] {
    case .string(let name): names = [name]
    case .array(let entries): names = entries.compactMap { if case .string(let name) = $0 { name } else { nil } }
    default: names = []
    }
    return names.map { form(ofType: $0, schema: schema) }.joined(separator: " or ")
  }

  /// The description of `schema`'s values of type `name`.
  private static func form(ofType name: String, schema: JSONValue) -> String {
    switch name {
    case "array":
      let items = schema["items"].map { " of " + form(of: $0) } ?? ""
      return "array" + items + bounds(schema, "minItems", "maxItems", unit: "items")
    case "object":
      guard case .object(let properties) = schema["properties"] ?? .null, !properties.isEmpty else { return "object" }
      return "object with " + properties.map(\.key).joined(separator: ", ")
    case "string":
      if case .string(let pattern) = schema["pattern"] ?? .null { return "string matching \(pattern)" }
      return "string" + bounds(schema, "minLength", "maxLength", unit: "characters")
    default: return name
    }
  }

  /// ` (m to n unit)`, ` (at least m unit)` or ` (at most n unit)` from two count keywords, empty
  /// when neither is given.
  private static func bounds(_ schema: JSONValue, _ lower: String, _ upper: String, unit: String) -> String {
    let count = { (keyword: String) -> Int? in
      if case .number(let value) = schema[keyword] ?? .null { Int(value) } else { nil }
    }
    switch (count(lower), count(upper)) {
    case (let minimum?, let maximum?): return " (\(minimum) to \(maximum) \(unit))"
    case (let minimum?, nil): return " (at least \(minimum) \(unit))"
    case (nil, let maximum?): return " (at most \(maximum) \(unit))"
    case (nil, nil): return ""
    }
  }
}
