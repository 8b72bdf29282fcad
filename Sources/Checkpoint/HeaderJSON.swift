/// A JSON value of a safetensors header, as read by ``HeaderJSON/parse(_:)``.
///
/// Numbers keep their source text, so integers of any size are read exactly (offsets and
/// dimensions are 64-bit); objects keep their members in document order and never hold
/// two equal keys.
indirect enum HeaderJSON {
  case null
  case bool(Bool)
  /// The number's text, valid RFC 8259 syntax (`-?int frac? exp?`).
  case number(String)
  case string(String)
  case array([HeaderJSON])
  case object([(key: String, value: HeaderJSON)])

  /// Nesting deeper than this is rejected (the reference implementation's JSON library stops at 128).
  static let maximumDepth = 128

  /// A short name of the value's kind, for error messages.
  var kindName: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }

  /// The value of an integer literal: `.tooLarge` beyond `Int.max` in magnitude, `nil` for a
  /// non-number or a number with a fraction or exponent. `-0` reads as `0`.
  var integer: IntegerLiteral? {
    guard case .number(let text) = self, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
      return nil
    }
    let negative = text.hasPrefix("-")
    guard let magnitude = Int(negative ? String(text.dropFirst()) : text) else { return .tooLarge(text) }
    return .value(negative ? -magnitude : magnitude)
  }

  /// An integer read from the header text.
  enum IntegerLiteral: Equatable {
    case value(Int)
    case tooLarge(String)
  }

  /// Parses a complete UTF-8 document (RFC 8259, strict: no `NaN`, no trailing commas, no
  /// comments; whitespace may surround the value).
  ///
  /// - Throws: ``CheckpointError/invalidHeader(_:)`` for invalid UTF-8 or JSON,
  ///   ``CheckpointError/duplicateKey(_:)`` for an object with two equal keys (compared as Swift
  ///   strings, i.e. up to Unicode canonical equivalence).
  static func parse(_ bytes: [UInt8]) throws -> HeaderJSON {
    // Validating the whole text once makes every substring between ASCII delimiters valid UTF-8.
    guard String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes) else {
      throw CheckpointError.invalidHeader("the header is not valid UTF-8")
    }
    var parser = Parser(bytes: bytes)
    let value = try parser.parseValue(depth: 0)
    parser.skipWhitespace()
    guard parser.index == bytes.count else { throw parser.error("unexpected characters after the JSON value") }
    return value
  }

  private struct Parser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> CheckpointError {
      .invalidHeader("invalid JSON at byte \(index) of the header: \(message)")
    }

    mutating func skipWhitespace() {
      while index < bytes.count,
        bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A
          || bytes[index] == 0x0D
      {
        index += 1
      }
    }

    mutating func consume(_ literal: StaticString) -> Bool {
      let count = literal.utf8CodeUnitCount
      guard bytes.count - index >= count else { return false }
      let matches = literal.withUTF8Buffer { $0.elementsEqual(bytes[index..<(index + count)]) }
      if matches { index += count }
      return matches
    }

    mutating func parseValue(depth: Int) throws -> HeaderJSON {
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input") }
      switch bytes[index] {
      case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
      case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
      case UInt8(ascii: "\""): return .string(try parseString())
      case UInt8(ascii: "t"): if consume("true") { return .bool(true) }
      case UInt8(ascii: "f"): if consume("false") { return .bool(false) }
      case UInt8(ascii: "n"): if consume("null") { return .null }
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
      default: break
      }
      throw error("unexpected character")
    }

    mutating func parseObject(depth: Int) throws -> HeaderJSON {
      guard depth <= HeaderJSON.maximumDepth else { throw error("nesting deeper than \(HeaderJSON.maximumDepth)") }
      index += 1
      var members: [(key: String, value: HeaderJSON)] = []
      var keys: Set<String> = []
      skipWhitespace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      }
      while true {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
        let key = try parseString()
        guard keys.insert(key).inserted else { throw CheckpointError.duplicateKey(key) }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
        index += 1
        members.append((key, try parseValue(depth: depth)))
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input in an object") }
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

    mutating func parseArray(depth: Int) throws -> HeaderJSON {
      guard depth <= HeaderJSON.maximumDepth else { throw error("nesting deeper than \(HeaderJSON.maximumDepth)") }
      index += 1
      var elements: [HeaderJSON] = []
      skipWhitespace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      }
      while true {
        elements.append(try parseValue(depth: depth))
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input in an array") }
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
      var result = ""
      var runStart = index
      func flushRun() { result += String(decoding: bytes[runStart..<index], as: UTF8.self) }
      while index < bytes.count {
        switch bytes[index] {
        case UInt8(ascii: "\""):
          flushRun()
          index += 1
          return result
        case UInt8(ascii: "\\"):
          flushRun()
          index += 1
          guard index < bytes.count else { throw error("unterminated escape") }
          let escape = bytes[index]
          index += 1
          switch escape {
          case UInt8(ascii: "\""): result += "\""
          case UInt8(ascii: "\\"): result += "\\"
          case UInt8(ascii: "/"): result += "/"
          case UInt8(ascii: "b"): result += "\u{08}"
          case UInt8(ascii: "f"): result += "\u{0C}"
          case UInt8(ascii: "n"): result += "\n"
          case UInt8(ascii: "r"): result += "\r"
          case UInt8(ascii: "t"): result += "\t"
          case UInt8(ascii: "u"):
            var code = try parseHex4()
            if (0xD800..<0xDC00).contains(code) {
              guard consume("\\u") else { throw error("unpaired surrogate") }
              let low = try parseHex4()
              guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw error("unpaired surrogate") }
            result.unicodeScalars.append(scalar)
          default:
            index -= 1
            throw error("invalid escape")
          }
          runStart = index
        case 0x00..<0x20:
          throw error("control character in a string")
        default:
          index += 1
        }
      }
      throw error("unterminated string")
    }

    mutating func parseHex4() throws -> UInt32 {
      guard bytes.count - index >= 4 else { throw error("truncated \\u escape") }
      var value: UInt32 = 0
      for byte in bytes[index..<(index + 4)] {
        let digit: UInt8
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
        default: throw error("invalid \\u escape")
        }
        value = value << 4 | UInt32(digit)
      }
      index += 4
      return value
    }

    mutating func parseNumber() throws -> HeaderJSON {
      let start = index
      func digits() -> Int {
        let first = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
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
        guard digits() > 0 else { throw error("digits expected in the exponent") }
      }
      return .number(String(decoding: bytes[start..<index], as: UTF8.self))
    }
  }
}
