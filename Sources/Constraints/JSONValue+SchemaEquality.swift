import SSMJSON

extension JSONValue {
  /// Equality as JSON Schema's `enum` and `const` see it: numbers by value, objects as unordered
  /// sets of members, arrays element by element; a boolean never equals a number.
  func equalsAsJSON(_ other: JSONValue) -> Bool {
    switch (self, other) {
    case (.array(let left), .array(let right)):
      return left.count == right.count && zip(left, right).allSatisfy { $0.equalsAsJSON($1) }
    case (.object(let left), .object(let right)):
      return left.count == right.count
        && left.allSatisfy { member in
          right.contains { $0.key == member.key && $0.value.equalsAsJSON(member.value) }
        }
    default: return self == other
    }
  }
}
