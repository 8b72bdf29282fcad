extension JSONValue {
  /// The document as compact JSON text.
  ///
  /// Numbers use Swift's shortest representation that round-trips to the same
  /// float64 (`Double.description`), so no precision is lost; whole numbers below 2⁵³
  /// are written as integers (`3`, not `3.0`). Non-finite numbers
  /// have no JSON spelling and must not reach the writer (a precondition).
  public var serialized: String {
    var output = ""
    write(to: &output)
    return output
  }

  private func write(to output: inout String) {
    switch self {
    case .null: output += "null"
    case .bool(let value): output += value ? "true" : "false"
    case .number(let value):
      precondition(value.isFinite, "non-finite number cannot be written as JSON")
      // Whole numbers (counts, token ids) without a trailing ".0"; they still read back
      // bit-exactly. −0 keeps its sign through Double's own spelling.
      let whole =
        value == value.rounded() && abs(value) < 9_007_199_254_740_992 && !(value == 0 && value.sign == .minus)
      output += whole ? Int64(value).description : value.description
    case .string(let value): output += JSONValue.quoted(value)
    case .array(let elements):
      output += "["
      for (index, element) in elements.enumerated() {
        if index > 0 { output += "," }
        element.write(to: &output)
      }
      output += "]"
    case .object(let members):
      output += "{"
      for (index, member) in members.enumerated() {
        if index > 0 { output += "," }
        output += JSONValue.quoted(member.key)
        output += ":"
        member.value.write(to: &output)
      }
      output += "}"
    }
  }

  private static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case let control where control.value < 0x20:
        let hex = String(control.value, radix: 16)
        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}
