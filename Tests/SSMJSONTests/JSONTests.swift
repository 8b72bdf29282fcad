import Numerics
import SSMJSON
import SeededRandom
import Testing

extension SeededGenerator {
  /// A uniform integer in `0..<bound` (bound > 0; the modulo bias is irrelevant here).
  fileprivate mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}

/// Finite doubles that stress the shortest round-trip printing and the
/// correctly rounded parsing: every binade (uniform bit patterns), subnormals,
/// the extremes, signed zeros, integers and short decimals.
private func roundTripSamples(count: Int, seed: UInt64) -> [Double] {
  var samples: [Double] = [
    0, -0.0, 1, -1, 0.1, 0.2, 0.3, 1.0 / 3, -2.0 / 3, .pi, -.pi, 1e22, 1e23, 1e-300, -1e300,
    .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude,
    Double.leastNormalMagnitude.nextDown, (-Double.leastNormalMagnitude).nextUp,
    .greatestFiniteMagnitude, -.greatestFiniteMagnitude, Double.greatestFiniteMagnitude.nextDown,
    9_007_199_254_740_992, 9_007_199_254_740_994, -9_007_199_254_740_994, 1.0.nextUp, 1.0.nextDown,
    1.2345678901234568e20, 2.2250738585072014e-308, Double.leastNonzeroMagnitude * 3,
  ]
  var generator = SeededGenerator(seed: seed)
  while samples.count < count {
    switch generator.next(below: 5) {
    case 0, 1:
      // Any bit pattern: uniform over sign and exponent, so huge, tiny and subnormal values appear.
      let value = Double(bitPattern: generator.next())
      if value.isFinite { samples.append(value) }
    case 2:
      // Subnormals: exponent field zero, random nonzero significand.
      let significand = generator.next() & ((1 << 52) - 1)
      let sign: UInt64 = generator.next() & 1 == 0 ? 0 : 1 << 63
      samples.append(Double(bitPattern: sign | significand))
    case 3:
      // Integers up to ±2^63 (exact for |n| ≤ 2^53, rounded beyond).
      let magnitude = generator.next() >> generator.next(below: 64)
      let value = Double(magnitude)
      samples.append(generator.next() & 1 == 0 ? value : -value)
    default:
      // Short decimals m·10^e, the kind people type.
      let mantissa = Int(generator.next(below: 1_000_000)) - 500_000
      let exponent = Int(generator.next(below: 61)) - 30
      samples.append(Double("\(mantissa)e\(exponent)")!)
    }
  }
  return samples
}

@Suite("SSMJSON")
struct JSONTests {
  // MARK: Round trip

  @Test("random finite doubles survive serialized → parse bit for bit")
  func doubleRoundTrip() throws {
    let samples = roundTripSamples(count: 20_000, seed: 0x5353_4D4A_534F_4E00)
    #expect(samples.contains { $0.isSubnormal })
    #expect(samples.contains { $0 == 0 && $0.sign == .minus })
    var mismatches: [String] = []
    for value in samples {
      let text = JSONValue.number(value).serialized
      guard case .number(let parsed) = try JSONParser.parse(text) else {
        mismatches.append("\(text): not a number")
        continue
      }
      if parsed.bitPattern != value.bitPattern { mismatches.append("\(text) → \(parsed)") }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")

    // The same numbers inside one array document.
    let document = JSONValue.realVector(samples)
    guard case .array(let elements) = try JSONParser.parse(document.serialized) else {
      Issue.record("the array did not parse as an array")
      return
    }
    try #require(elements.count == samples.count)
    for (element, value) in zip(elements, samples) {
      guard case .number(let parsed) = element, parsed.bitPattern == value.bitPattern else {
        Issue.record("\(value) became \(element)")
        return
      }
    }
  }

  @Test("whole numbers are written as integers, −0 and large values keep Double's spelling")
  func wholeNumbers() throws {
    #expect(JSONValue.array([.number(3), .number(-12), .number(0), .number(256)]).serialized == "[3,-12,0,256]")
    #expect(JSONValue.number(-0.0).serialized == "-0.0")
    #expect(JSONValue.number(1e300).serialized == "1e+300")
    #expect(JSONValue.number(0.5).serialized == "0.5")
    let parsed = try JSONParser.parse(JSONValue.number(-0.0).serialized)
    guard case .number(let value) = parsed else { Issue.record("not a number"); return }
    #expect(value == 0 && value.sign == .minus)
  }

  @Test("nested documents and awkward strings round-trip through the writer")
  func documentRoundTrip() throws {
    let document: JSONValue = .object([
      ("A", .realRows([[1, -0.0], [.leastNonzeroMagnitude, -.greatestFiniteMagnitude]])),
      ("lambda", .complexVector([Complex(-0.5, 3.141592653589793), Complex(0, -1e-300)])),
      ("text", .string("quote \" backslash \\ slash / newline \n tab \t cr \r bell \u{07} nul \u{00} é 😀")),
      ("flags", .array([.bool(true), .bool(false), .null])),
      ("empty", .object([])),
      ("nested", .array([.array([]), .object([("k", .array([.number(1)]))])])),
    ])
    let text = document.serialized
    #expect(!text.contains("\n"), "the writer escapes newlines inside strings")
    let parsed = try JSONParser.parse(text)
    #expect(parsed == document)
    #expect(parsed.serialized == text)
  }

  // MARK: Parsing

  @Test("objects, arrays, nesting and insignificant whitespace")
  func structures() throws {
    let text = " \n\t{ \"a\" : [ 1 , -2.5e3 , [ ] , { } ] ,\r\n \"b\":{\"c\":[true,false,null]}, \"d\" : \"x\" } \n"
    let value = try JSONParser.parse(text)
    let expected: JSONValue = .object([
      ("a", .array([.number(1), .number(-2500), .array([]), .object([])])),
      ("b", .object([("c", .array([.bool(true), .bool(false), .null]))])),
      ("d", .string("x")),
    ])
    #expect(value == expected)
    #expect(value["b"]?["c"] == .array([.bool(true), .bool(false), .null]))
    #expect(value["missing"] == nil)
    #expect(try JSONParser.parse("[]") == .array([]))
    #expect(try JSONParser.parse("{}") == .object([]))
    #expect(try JSONParser.parse("-0") == .number(-0.0))
    #expect(try JSONParser.parse("1E+2") == .number(100))
    #expect(try JSONParser.parse("1e-2") == .number(0.01))
    // Member order is kept as written.
    guard case .object(let members) = try JSONParser.parse("{\"z\":1,\"a\":2,\"m\":3}") else {
      Issue.record("not an object")
      return
    }
    #expect(members.map(\.key) == ["z", "a", "m"])
  }

  @Test("string escapes, including \\u and surrogate pairs")
  func stringEscapes() throws {
    let text = #""line\nbreak \u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\r\t \u0041\u00E9""#
    #expect(try JSONParser.parse(text) == .string("line\nbreak é 😀 \"q\" \\ / \u{08}\u{0C}\r\t Aé"))
    // Raw (unescaped) non-ASCII UTF-8 passes through.
    #expect(try JSONParser.parse("\"é😀\"") == .string("é😀"))
    #expect(try JSONParser.parse(#"{"k\u00e9y": "\ud83d\ude00"}"#) == .object([("kéy", .string("😀"))]))
  }

  @Test("NaN, Infinity and -Infinity parse as non-finite numbers")
  func nonFiniteLiterals() throws {
    guard case .number(let nan) = try JSONParser.parse("NaN") else {
      Issue.record("NaN is not a number")
      return
    }
    #expect(nan.isNaN)
    #expect(try JSONParser.parse("Infinity") == .number(.infinity))
    #expect(try JSONParser.parse("-Infinity") == .number(-.infinity))
    #expect(
      try JSONParser.parse("[NaN, Infinity, -Infinity]")
        == .array([.number(.nan), .number(.infinity), .number(-.infinity)]))
    // Out-of-range decimals overflow to infinity: readable, but rejected as non-finite later.
    #expect(try JSONParser.parse("1e400") == .number(.infinity))
    #expect(throws: JSONError.nonFinite(path: "x")) { try JSONParser.parse("-1e400").scalar(path: "x") }
  }

  @Test("non-finite numbers are rejected with their path")
  func nonFinitePaths() throws {
    let document = try JSONParser.parse(#"{"A": [[1, 2], [NaN, 3]], "B": [1, [0, Infinity]], "c": -Infinity}"#)
    let a = try document.member("A")
    #expect(throws: JSONError.nonFinite(path: "A[1][0]")) { try a.complexRows(path: "A") }
    guard case .array(let rows) = a else {
      Issue.record("A is not an array")
      return
    }
    #expect(throws: JSONError.nonFinite(path: "A[1][0]")) { try rows[1].complexVector(path: "A[1]") }
    #expect(throws: JSONError.nonFinite(path: "A[1][0]")) { try rows[1].realVector(path: "A[1]") }
    #expect(try rows[0].complexVector(path: "A[0]") == [Complex(1, 0), Complex(2, 0)])
    #expect(throws: JSONError.nonFinite(path: "B[1]")) { try document.member("B").complexVector(path: "B") }
    #expect(throws: JSONError.nonFinite(path: "c")) { try document.member("c").scalar(path: "c") }
    #expect(throws: JSONError.nonFinite(path: "c")) { try document.member("c").realScalar(path: "c") }
    // The error message names the path.
    #expect(JSONError.nonFinite(path: "A[1][0]").description.hasPrefix("A[1][0]:"))
  }

  // MARK: Syntax errors

  @Test(
    "malformed documents throw JSONError.syntax",
    arguments: [
      "", "   \n ", "[1,2,]", "{\"a\":1,}", "[,1]", "[1 2]", "[1,2", "{\"a\":[1,2}", "{\"a\":1", "[[1]",
      "01", "-01", "[01]", "00", "007", "hello", "nan", "inf", "infinity", "True", "NULL", "undefined", "'a'",
      "-NaN", "+1", ".5", "-", "1.", "1e", "1e+", "1E-", "1.e5", "[1.]", "0x10", "1 2", "{} x", "[1]]",
      "nullx", "NaNa", "Infinityy", "\"abc", "[\"abc]", "\"abc\\", "\"\\x\"", "\"\\ud83d\"", "\"\\ud83dx\"",
      "\"\\ud83d\\u0041\"", "\"\\udc00\"", "\"\\u12\"", "\"\\u12G4\"", "\"a\tb\"", "\"a\nb\"", "{1:2}",
      "{\"a\" 1}", "{\"a\":}", "{a:1}", "[", "{", "]", "}", ",", ":",
    ])
  func syntaxErrors(text: String) {
    let error = #expect(throws: JSONError.self) { try JSONParser.parse(text) }
    guard case .syntax(_, let offset)? = error else {
      Issue.record("\(String(reflecting: text)) gave \(String(describing: error)), not a syntax error")
      return
    }
    #expect((0...text.utf8.count).contains(offset))
  }

  @Test("syntax errors report the byte offset where parsing stopped")
  func syntaxErrorOffsets() {
    #expect(throws: JSONError.syntax("unexpected trailing characters", offset: 1)) { try JSONParser.parse("01") }
    #expect(throws: JSONError.syntax("unexpected character", offset: 4)) { try JSONParser.parse("[1, x]") }
    #expect(throws: JSONError.syntax("unexpected end of input", offset: 0)) { try JSONParser.parse("") }
  }

  @Test("nesting is limited instead of overflowing the stack")
  func deepNesting() throws {
    let shallow = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    _ = try JSONParser.parse(shallow)
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    let error = #expect(throws: JSONError.self) { try JSONParser.parse(deep) }
    guard case .syntax? = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
  }

  @Test("a \\u escape takes exactly four hex digits, no sign")
  func unicodeEscapeDigitsOnly() {
    // UInt32(_:radix:) alone would accept a leading '+' or '-' ("\u+041" → "A").
    for text in [#""\u+041""#, #""\u-000""#] {
      let error = #expect(throws: JSONError.self) { try JSONParser.parse(text) }
      guard case .syntax? = error else {
        Issue.record("\(text) gave \(String(describing: error))")
        continue
      }
    }
  }

  // MARK: Number encoding

  @Test("scalars: a real number or an [re, im] pair")
  func scalarEncoding() throws {
    #expect(try JSONParser.parse("2.5").scalar(path: "x") == Complex(2.5, 0))
    #expect(try JSONParser.parse("[2.5, -1]").scalar(path: "x") == Complex(2.5, -1))
    #expect(try JSONParser.parse("[0, 0]").scalar(path: "x") == Complex(0, 0))
    #expect(try JSONParser.parse("[2.5, 0]").realScalar(path: "x") == 2.5)
    #expect(try JSONParser.parse("-7").realScalar(path: "x") == -7)
    #expect(
      try JSONParser.parse("[1, [2, 3], [4, 0]]").complexVector(path: "v") == [
        Complex(1, 0), Complex(2, 3), Complex(4, 0),
      ])
    #expect(try JSONParser.parse("[1, [2, 0]]").realVector(path: "v") == [1, 2])
    #expect(try JSONParser.parse("[[1, [0, 1]], []]").complexRows(path: "M") == [[Complex(1, 0), Complex(0, 1)], []])

    // Writer and reader agree on the encoding.
    let values = [Complex(1.5, -2.0), Complex(0, 0), Complex(-0.0, .leastNonzeroMagnitude)]
    let written = try JSONParser.parse(JSONValue.complexVector(values).serialized)
    #expect(try written.complexVector(path: "v") == values)
    #expect(JSONValue.complex(Complex(1, 2)) == .array([.number(1), .number(2)]))
  }

  @Test(
    "malformed scalars are rejected with invalidValue at their path",
    arguments: ["[1, 2, 3]", "[1]", "[]", "\"1\"", "true", "null", "{}", "[[1], 2]", "[1, \"2\"]", "[1, null]"])
  func invalidScalars(text: String) throws {
    let value = try JSONParser.parse(text)
    let error = #expect(throws: JSONError.self) { try value.scalar(path: "M[0][1]") }
    guard case .invalidValue(let path, _)? = error else {
      Issue.record("\(text) gave \(String(describing: error))")
      return
    }
    #expect(path == "M[0][1]")
  }

  @Test("a three-element array inside a vector is rejected at its index")
  func threeElementEntry() throws {
    let vector = try JSONParser.parse("[1, [1, 2, 3]]")
    let error = #expect(throws: JSONError.self) { try vector.complexVector(path: "B") }
    guard case .invalidValue(let path, _)? = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(path == "B[1]")
  }

  @Test("realScalar rejects a nonzero imaginary part")
  func realScalarRejectsComplex() throws {
    #expect(throws: JSONError.invalidValue(path: "x", expected: "a real number")) {
      try JSONParser.parse("[1, 1e-300]").realScalar(path: "x")
    }
    #expect(throws: JSONError.invalidValue(path: "v[1]", expected: "a real number")) {
      try JSONParser.parse("[0, [2, -1]]").realVector(path: "v")
    }
  }

  @Test("vectors and rows must be arrays")
  func containersMustBeArrays() throws {
    for text in ["1", "\"a\"", "{}", "null"] {
      let value = try JSONParser.parse(text)
      #expect(throws: JSONError.self) { try value.complexVector(path: "v") }
      #expect(throws: JSONError.self) { try value.realVector(path: "v") }
      #expect(throws: JSONError.self) { try value.complexRows(path: "M") }
    }
    let error = #expect(throws: JSONError.self) { try JSONParser.parse("[[1], 2]").complexRows(path: "M") }
    guard case .invalidValue(let path, _)? = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(path == "M[1]")
  }

  // MARK: Members

  @Test("member(_:) returns present keys and throws missingKey for absent ones")
  func members() throws {
    let document = try JSONParser.parse(#"{"A": [[1]], "B": [2]}"#)
    #expect(try document.member("A") == .array([.array([.number(1)])]))
    #expect(throws: JSONError.missingKey("C")) { try document.member("C") }
    #expect(throws: JSONError.missingKey("b")) { try document.member("b") }
    #expect(JSONError.missingKey("C").description.contains("\"C\""))
    // Not an object at all.
    let error = #expect(throws: JSONError.self) { try JSONParser.parse("[1]").member("A") }
    guard case .invalidValue? = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
  }
}
