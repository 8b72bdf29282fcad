import SSMJSON

/// A safetensors header, read with SSMJSON's `JSONParser` and held to the stricter rules of the
/// format.
///
/// The header is a UTF-8 JSON document (RFC 8259, strict). On top of what `JSONParser` checks,
/// a header is rejected for
/// - invalid UTF-8 (checked before parsing),
/// - the literals `NaN`, `Infinity` and `-Infinity`, which `JSONParser` accepts for the command
///   line (an out-of-range number such as `1e400` is valid JSON and stays accepted),
/// - containers nested deeper than ``maximumDepth``,
/// - an object, at any depth, with two equal keys (compared as Swift strings, i.e. up to Unicode
///   canonical equivalence).
///
/// `JSONValue` keeps numbers as `Double`s, which are exact integers only up to 2^53. Offsets
/// and dimensions are 64-bit, so the header also keeps the source text of its numbers
/// (``numberLiterals``) and reads integers from it exactly, up to `Int.max` (2^63 − 1) in
/// magnitude (``integer(_:)``).
struct Header {
  /// The header's JSON value.
  let value: JSONValue
  /// The source text of every number of ``value``, in document order: the text of the `k`-th
  /// number met in a depth-first, member-order walk of ``value``.
  let numberLiterals: [String]

  /// Nesting deeper than this is rejected (the reference implementation's JSON library stops at 128).
  static let maximumDepth = 128

  /// Parses and checks a header (see ``Header``).
  ///
  /// - Throws: ``CheckpointError/invalidHeader(_:)`` for invalid UTF-8 or JSON (with the byte
  ///   offset where reading stopped), ``CheckpointError/duplicateKey(_:)`` for the first
  ///   repeated key in document order.
  init(bytes: [UInt8]) throws {
    let text = String(decoding: bytes, as: UTF8.self)
    guard text.utf8.elementsEqual(bytes) else { throw CheckpointError.invalidHeader("the header is not valid UTF-8") }
    // Scanned first, so that `JSONParser` never recurses deeper than `maximumDepth` here and the
    // error names this limit rather than the parser's own.
    numberLiterals = try Header.scan(bytes)
    do {
      value = try JSONParser.parse(text)
    } catch JSONError.syntax(let message, let offset) {
      throw Header.syntaxError(message, at: offset)
    } catch {
      throw CheckpointError.invalidHeader("\(error)")
    }
    // Both come from the same valid text, so they agree; checked so that slicing never traps.
    guard numberLiterals.count == value.numberCount else {
      throw CheckpointError.invalidHeader("the header's numbers could not be matched to their text")
    }
    try Header.rejectDuplicateKeys(in: value)
  }

  /// An ``CheckpointError/invalidHeader(_:)`` error for invalid JSON at `offset`.
  private static func syntaxError(_ message: String, at offset: Int) -> CheckpointError {
    .invalidHeader("invalid JSON at byte \(offset) of the header: \(message)")
  }

  /// The source text of the numbers of `bytes`, in document order; rejects the non-finite
  /// literals and nesting deeper than ``maximumDepth``.
  ///
  /// Outside strings, a document that `JSONParser` accepts holds only whitespace, punctuation, the
  /// words `true`, `false`, `null`, `NaN`, `Infinity` and numbers; a number starts with `-` or a
  /// digit and runs over `-+.0-9eE`. Any other bytes are scanned without trapping, and the parser
  /// then rejects them.
  private static func scan(_ bytes: [UInt8]) throws -> [String] {
    var literals: [String] = []
    var depth = 0
    var index = 0
    func isNumberByte(_ byte: UInt8) -> Bool {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
        UInt8(ascii: "e"), UInt8(ascii: "E"):
        return true
      default: return false
      }
    }
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: "\""):
        // Skip to the closing quote; an escape's second byte never closes the string.
        index += 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
          index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        index += 1
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        depth += 1
        guard depth <= maximumDepth else { throw syntaxError("nesting deeper than \(maximumDepth)", at: index) }
        index += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        depth -= 1
        index += 1
      case UInt8(ascii: "N"), UInt8(ascii: "I"):
        throw syntaxError("NaN and Infinity are not JSON numbers", at: index)
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        let start = index
        while index < bytes.count, isNumberByte(bytes[index]) { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "I") {
          throw syntaxError("NaN and Infinity are not JSON numbers", at: start)
        }
        literals.append(String(decoding: bytes[start..<index], as: UTF8.self))
      default:
        // Whitespace, `,`, `:` and the letters of `true`, `false`, `null`.
        index += 1
      }
    }
    return literals
  }

  /// Throws ``CheckpointError/duplicateKey(_:)`` for the first key, in document order, that an
  /// object of `value` repeats.
  private static func rejectDuplicateKeys(in value: JSONValue) throws {
    switch value {
    case .array(let elements):
      for element in elements { try rejectDuplicateKeys(in: element) }
    case .object(let members):
      var keys: Set<String> = []
      for (key, member) in members {
        guard keys.insert(key).inserted else { throw CheckpointError.duplicateKey(key) }
        try rejectDuplicateKeys(in: member)
      }
    case .null, .bool, .number, .string: break
    }
  }

  /// The members of an object, each with the source text of the numbers it contains.
  ///
  /// - Parameters:
  ///   - members: the object's members.
  ///   - numbers: the source text of the object's numbers, in document order (a slice of
  ///     ``numberLiterals``).
  static func members(
    _ members: [(key: String, value: JSONValue)], numbers: ArraySlice<String>
  ) -> [(key: String, value: JSONValue, numbers: ArraySlice<String>)] {
    var start = numbers.startIndex
    return members.map { key, value in
      let end = start + value.numberCount
      defer { start = end }
      return (key, value, numbers[start..<end])
    }
  }

  /// The value of an integer literal: `.tooLarge` beyond `Int.max` in magnitude, `nil` for a
  /// number with a fraction or exponent (`1.0`, `4e0`). `-0` reads as `0`.
  static func integer(_ literal: String) -> IntegerLiteral? {
    guard !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
    let negative = literal.hasPrefix("-")
    guard let magnitude = Int(literal.dropFirst(negative ? 1 : 0)) else { return .tooLarge(literal) }
    return .value(negative ? -magnitude : magnitude)
  }

  /// The integers of an array's elements, read from `literals`, the source text of the array's
  /// numbers in document order: each as by ``integer(_:)``, ending with `nil` at the first element
  /// that is not a number.
  static func integers(_ elements: [JSONValue], literals: ArraySlice<String>) -> [IntegerLiteral?] {
    var texts = literals.makeIterator()
    var result: [IntegerLiteral?] = []
    for element in elements {
      guard case .number = element, let text = texts.next() else { return result + [nil] }
      result.append(integer(text))
    }
    return result
  }

  /// An integer read from the header text.
  enum IntegerLiteral: Equatable {
    case value(Int)
    case tooLarge(String)
  }
}

extension JSONValue {
  /// How many numbers the value holds, at any depth.
  var numberCount: Int {
    switch self {
    case .number: return 1
    case .array(let elements): return elements.reduce(0) { $0 + $1.numberCount }
    case .object(let members): return members.reduce(0) { $0 + $1.value.numberCount }
    case .null, .bool, .string: return 0
    }
  }
}
