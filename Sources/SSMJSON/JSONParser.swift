/// A strict recursive-descent JSON parser (RFC 8259) over UTF-8 bytes, plus the
/// literals `NaN`, `Infinity`, `-Infinity`.
public enum JSONParser {
  /// Parses a complete document; trailing non-whitespace is an error.
  public static func parse(_ text: String) throws -> JSONValue {
    var reader = Reader(bytes: Array(text.utf8))
    let value = try reader.parseValue(depth: 0)
    reader.skipWhitespace()
    guard reader.index == reader.bytes.count else { throw reader.error("unexpected trailing characters") }
    return value
  }

  private struct Reader {
    let bytes: [UInt8]
    var index = 0
    static let maximumDepth = 512

    func error(_ message: String) -> JSONError { .syntax(message, offset: index) }

    mutating func skipWhitespace() {
      while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func consume(_ literal: String) -> Bool {
      let utf8 = Array(literal.utf8)
      guard index + utf8.count <= bytes.count, Array(bytes[index..<(index + utf8.count)]) == utf8 else { return false }
      index += utf8.count
      return true
    }

    mutating func parseValue(depth: Int) throws -> JSONValue {
      guard depth < Reader.maximumDepth else { throw error("nesting deeper than \(Reader.maximumDepth)") }
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input") }
      switch bytes[index] {
      case UInt8(ascii: "{"): return try parseObject(depth: depth)
      case UInt8(ascii: "["): return try parseArray(depth: depth)
      case UInt8(ascii: "\""): return .string(try parseString())
      case UInt8(ascii: "t"): if consume("true") { return .bool(true) }
      case UInt8(ascii: "f"): if consume("false") { return .bool(false) }
      case UInt8(ascii: "n"): if consume("null") { return .null }
      case UInt8(ascii: "N"): if consume("NaN") { return .number(.nan) }
      case UInt8(ascii: "I"): if consume("Infinity") { return .number(.infinity) }
      case UInt8(ascii: "-"):
        if consume("-Infinity") { return .number(-.infinity) }
        return try parseNumber()
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
      default: break
      }
      throw error("unexpected character")
    }

    mutating func parseObject(depth: Int) throws -> JSONValue {
      index += 1
      var members: [(key: String, value: JSONValue)] = []
      skipWhitespace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      }
      while true {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
        let key = try parseString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
        index += 1
        members.append((key, try parseValue(depth: depth + 1)))
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input in object") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
        } else if bytes[index] == UInt8(ascii: "}") {
          index += 1
          return .object(members)
        } else {
          throw error("expected ',' or '}'")
        }
      }
    }

    mutating func parseArray(depth: Int) throws -> JSONValue {
      index += 1
      var elements: [JSONValue] = []
      skipWhitespace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      }
      while true {
        elements.append(try parseValue(depth: depth + 1))
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input in array") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
        } else if bytes[index] == UInt8(ascii: "]") {
          index += 1
          return .array(elements)
        } else {
          throw error("expected ',' or ']'")
        }
      }
    }

    mutating func parseString() throws -> String {
      index += 1
      var scalars = String.UnicodeScalarView()
      var raw: [UInt8] = []
      func flush() throws {
        guard !raw.isEmpty else { return }
        guard let text = String(validating: raw, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
        scalars.append(contentsOf: text.unicodeScalars)
        raw.removeAll()
      }
      while index < bytes.count {
        let byte = bytes[index]
        switch byte {
        case UInt8(ascii: "\""):
          index += 1
          try flush()
          return String(scalars)
        case UInt8(ascii: "\\"):
          try flush()
          index += 1
          guard index < bytes.count else { throw error("unterminated escape") }
          let escape = bytes[index]
          index += 1
          switch escape {
          case UInt8(ascii: "\""): scalars.append("\"")
          case UInt8(ascii: "\\"): scalars.append("\\")
          case UInt8(ascii: "/"): scalars.append("/")
          case UInt8(ascii: "b"): scalars.append("\u{08}")
          case UInt8(ascii: "f"): scalars.append("\u{0C}")
          case UInt8(ascii: "n"): scalars.append("\n")
          case UInt8(ascii: "r"): scalars.append("\r")
          case UInt8(ascii: "t"): scalars.append("\t")
          case UInt8(ascii: "u"):
            var code = try parseHex4()
            if (0xD800..<0xDC00).contains(code) {
              guard consume("\\u") else { throw error("unpaired surrogate") }
              let low = try parseHex4()
              guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
            scalars.append(scalar)
          default: throw error("invalid escape")
          }
        case 0x00..<0x20:
          throw error("control character in string")
        default:
          raw.append(byte)
          index += 1
        }
      }
      throw error("unterminated string")
    }

    mutating func parseHex4() throws -> UInt32 {
      guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
      let digits = bytes[index..<(index + 4)]
      guard digits.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }),
        let text = String(validating: digits, as: UTF8.self), let value = UInt32(text, radix: 16)
      else { throw error("invalid \\u escape") }
      index += 4
      return value
    }

    mutating func parseNumber() throws -> JSONValue {
      let start = index
      func digits() -> Int {
        let first = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - first
      }
      if bytes[index] == UInt8(ascii: "-") { index += 1 }
      guard index < bytes.count else { throw error("truncated number") }
      if bytes[index] == UInt8(ascii: "0") {
        index += 1
      } else if digits() == 0 {
        throw error("invalid number")
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        guard digits() > 0 else { throw error("digits expected after '.'") }
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digits() > 0 else { throw error("digits expected in exponent") }
      }
      // Swift's Double(String) rounds correctly (round-half-even), so every
      // number written with 17 significant digits round-trips exactly.
      guard let text = String(validating: bytes[start..<index], as: UTF8.self), let value = Double(text) else {
        throw error("invalid number")
      }
      return .number(value)
    }
  }
}
