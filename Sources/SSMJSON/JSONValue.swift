/// A JSON document: the value type of the `ssm` command line's machine
/// interface.
///
/// Numbers keep their full float64 value. The parser also accepts the
/// non-standard literals `NaN`, `Infinity` and `-Infinity` (which Python's
/// `json.dumps` writes), so that such inputs are reported as non-finite numbers
/// rather than as unreadable text.
public indirect enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.number(let a), .number(let b)): return a == b || (a.isNaN && b.isNaN)
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }

  /// The member named `key` of an object, `nil` otherwise.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// `false` if any number in the document is `NaN` or infinite.
  public var isFinite: Bool {
    switch self {
    case .number(let value): return value.isFinite
    case .array(let elements): return elements.allSatisfy(\.isFinite)
    case .object(let members): return members.allSatisfy { $0.value.isFinite }
    case .null, .bool, .string: return true
    }
  }

  /// A short name of the value's kind, for error messages.
  public var kindName: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }
}
