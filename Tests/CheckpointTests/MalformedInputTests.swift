import Checkpoint
import Foundation
import SeededRandom
import Testing

/// A valid entry of a header, for building malformed files.
private func entry(_ name: String, _ dtype: String = "F32", _ shape: String = "[1]", offsets: String) -> String {
  "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
}

@Suite("Checkpoint malformed input")
struct MalformedInputTests {
  @Test("the length field: too short, too large, beyond the file")
  func lengthField() {
    #expect(decodeError(Data()) == .fileTooShort(byteCount: 0))
    #expect(decodeError(Data([1, 0, 0, 0, 0, 0, 0])) == .fileTooShort(byteCount: 7))
    let limit = SafeTensors.maximumHeaderLength
    var tooLarge = Data()
    withUnsafeBytes(of: UInt64(limit + 1).littleEndian) { tooLarge.append(contentsOf: $0) }
    #expect(decodeError(tooLarge + Data("{}".utf8)) == .headerTooLarge(length: UInt64(limit + 1), limit: limit))
    let huge = Data(repeating: 0xFF, count: 8)
    #expect(decodeError(huge) == .headerTooLarge(length: .max, limit: limit))
    var beyond = Data([100, 0, 0, 0, 0, 0, 0, 0])
    beyond.append(contentsOf: Array("{}        ".utf8))
    #expect(decodeError(beyond) == .headerExceedsFile(length: 100, available: 10))
  }

  @Test("the header must be UTF-8 JSON holding an object")
  func headerSyntax() {
    let badKey: [UInt8] = [0x7B, 0x22, 0x61, 0xFF, 0x22, 0x3A, 0x31, 0x7D]  // {"a\xFF":1}
    #expect(decodeError(fileBytes(headerBytes: badKey)) == .invalidHeader("the header is not valid UTF-8"))
    #expect(
      decodeError(fileBytes(headerBytes: [0x7B, 0x7D, 0x20, 0xC0])) == .invalidHeader("the header is not valid UTF-8"))
    #expect(
      decodeError(fileBytes(header: "[1, 2]")) == .invalidHeader("the header must be a JSON object, got an array"))
    #expect(decodeError(fileBytes(header: "\"x\"")) == .invalidHeader("the header must be a JSON object, got a string"))
    let syntaxErrors = [
      "", "   ", "{", "{\"a\":", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "{}x", "{} {}", "{\"a\":NaN}", "{\"a\":01}",
      "{\"a\":1.}", "{\"a\":-}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"\\udc00\":1}",
      "{\"a\":\"\u{1}\"}", "{\"a\":[1 2]}", "{\"a\":\"unterminated}", "{}\u{0}",
      "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":[1,NaN]}", "{\"a\":{\"b\":NaN}", "[-Infinity]", "{\"a\":1e5I}",
      String(repeating: "[", count: 200) + String(repeating: "]", count: 200),
      "{\"a\":" + String(repeating: "{\"b\":", count: 130) + "1" + String(repeating: "}", count: 131),
    ]
    for text in syntaxErrors {
      let error = decodeError(fileBytes(header: text))
      guard case .invalidHeader(let reason)? = error else {
        Issue.record("\(text.prefix(40)): expected invalidHeader, got \(String(describing: error))")
        continue
      }
      #expect(reason.hasPrefix("invalid JSON at byte "), "\(text.prefix(40)): \(reason)")
    }
  }

  @Test("nesting: 128 levels are accepted, deeper is rejected at the first byte beyond")
  func nestingDepth() throws {
    // The header object and the entry are two levels; `x` adds `arrays` more.
    func header(arrays: Int) -> String {
      "{\"a\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1],\"x\":"
        + String(repeating: "[", count: arrays) + "1" + String(repeating: "]", count: arrays) + "}}"
    }
    let decoded = try SafeTensors.decode(fileBytes(header: header(arrays: 126), data: [9]))
    #expect(decoded.tensors["a"]?.bytes == Data([9]))
    let tooDeep = header(arrays: 127)
    let offset = tooDeep.utf8.count - 127 - 1 - 127 - 2 + 126
    #expect(
      decodeError(fileBytes(header: tooDeep, data: [9]))
        == .invalidHeader("invalid JSON at byte \(offset) of the header: nesting deeper than 128"))
    // Far beyond the limit (and beyond `JSONParser`'s own), the header's limit is still named.
    #expect(
      decodeError(fileBytes(header: String(repeating: "[", count: 100_000)))
        == .invalidHeader("invalid JSON at byte 128 of the header: nesting deeper than 128"))
  }

  @Test("duplicate keys anywhere in the header are rejected")
  func duplicateKeys() {
    let tensor = entry("a", offsets: "[0,4]")
    #expect(decodeError(fileBytes(header: "{\(tensor),\(tensor)}", data: [0, 0, 0, 0])) == .duplicateKey("a"))
    let escaped = "{\(tensor),\"\\u0061\":{}}"
    #expect(decodeError(fileBytes(header: escaped, data: [0, 0, 0, 0])) == .duplicateKey("a"))
    let twoMetadata = "{\"__metadata__\":{},\"__metadata__\":null}"
    #expect(decodeError(fileBytes(header: twoMetadata)) == .duplicateKey("__metadata__"))
    let field = "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,4]}}"
    #expect(decodeError(fileBytes(header: field, data: [0, 0, 0, 0])) == .duplicateKey("dtype"))
    let metadataKey = "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"
    #expect(decodeError(fileBytes(header: metadataKey)) == .duplicateKey("k"))
    // In an ignored extra field, inside an array; the first repeat in document order is named.
    let nested =
      "{\"a\":{\"dtype\":\"F32\",\"x\":[1,{\"k\":{\"j\":0,\"j\":1},\"k\":2}],\"shape\":[1],\"data_offsets\":[0,4]}}"
    #expect(decodeError(fileBytes(header: nested, data: [0, 0, 0, 0])) == .duplicateKey("j"))
  }

  @Test("metadata must be null or an object of strings")
  func invalidMetadata() {
    #expect(
      decodeError(fileBytes(header: "{\"__metadata__\":[]}"))
        == .invalidMetadata("expected an object of strings, got an array"))
    #expect(
      decodeError(fileBytes(header: "{\"__metadata__\":{\"k\":1}}"))
        == .invalidMetadata("the value of \"k\" must be a string, got a number"))
  }

  @Test("tensor entries: missing and ill-typed fields, unknown dtypes")
  func invalidEntries() {
    let four: [UInt8] = [0, 0, 0, 0]
    let cases: [(String, CheckpointError)] = [
      ("{\"a\":3}", .invalidField(tensor: "a", field: nil, expected: "an object, got a number")),
      ("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", .missingField(tensor: "a", field: "dtype")),
      ("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", .missingField(tensor: "a", field: "shape")),
      ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", .missingField(tensor: "a", field: "data_offsets")),
      (
        "{\"a\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}",
        .invalidField(tensor: "a", field: "dtype", expected: "a string")
      ),
      ("{\(entry("a", "f32", offsets: "[0,4]"))}", .unknownDType(tensor: "a", dtype: "f32")),
      ("{\(entry("a", "F8_E4M3", offsets: "[0,4]"))}", .unknownDType(tensor: "a", dtype: "F8_E4M3")),
      (
        "{\(entry("a", "F32", "{}", offsets: "[0,4]"))}",
        .invalidField(tensor: "a", field: "shape", expected: "an array of non-negative integers")
      ),
      (
        "{\(entry("a", "F32", "[1.0]", offsets: "[0,4]"))}",
        .invalidField(tensor: "a", field: "shape", expected: "an array of non-negative integers")
      ),
      (
        "{\(entry("a", "F32", "[\"1\"]", offsets: "[0,4]"))}",
        .invalidField(tensor: "a", field: "shape", expected: "an array of non-negative integers")
      ),
      (
        "{\(entry("a", offsets: "[0]"))}",
        .invalidField(tensor: "a", field: "data_offsets", expected: "[begin, end], two non-negative integers")
      ),
      (
        "{\(entry("a", offsets: "[0,4,8]"))}",
        .invalidField(tensor: "a", field: "data_offsets", expected: "[begin, end], two non-negative integers")
      ),
      (
        "{\(entry("a", offsets: "[0,4e0]"))}",
        .invalidField(tensor: "a", field: "data_offsets", expected: "[begin, end], two non-negative integers")
      ),
      (
        "{\(entry("a", offsets: "{\"0\":4}"))}",
        .invalidField(tensor: "a", field: "data_offsets", expected: "[begin, end], two non-negative integers")
      ),
    ]
    for (header, expected) in cases {
      #expect(decodeError(fileBytes(header: header, data: four)) == expected, "\(header)")
    }
  }

  @Test("shapes: negative dimensions and overflowing counts")
  func invalidShapes() {
    let negative = "{\(entry("a", "F32", "[2,-1]", offsets: "[0,0]"))}"
    #expect(
      decodeError(fileBytes(header: negative)) == .invalidShape(tensor: "a", reason: "dimension 1 is -1, not ≥ 0"))
    let hugeDimension = "{\(entry("a", "U8", "[99999999999999999999]", offsets: "[0,0]"))}"
    #expect(
      decodeError(fileBytes(header: hugeDimension))
        == .invalidShape(tensor: "a", reason: "dimension 99999999999999999999 is too large"))
    let elementOverflow = "{\(entry("a", "U8", "[4294967296,4294967296]", offsets: "[0,0]"))}"
    #expect(
      decodeError(fileBytes(header: elementOverflow))
        == .invalidShape(tensor: "a", reason: "the element count of [4294967296, 4294967296] overflows"))
    let byteOverflow = "{\(entry("a", "F64", "[2305843009213693952]", offsets: "[0,0]"))}"
    #expect(
      decodeError(fileBytes(header: byteOverflow))
        == .invalidShape(tensor: "a", reason: "the byte count of [2305843009213693952] overflows"))
  }

  @Test("offsets: out of range, reversed, overlapping, holes, wrong sizes, uncovered bytes")
  func invalidOffsets() {
    let eight = [UInt8](repeating: 0, count: 8)
    let twelve = [UInt8](repeating: 0, count: 12)
    let cases: [(String, [UInt8], CheckpointError)] = [
      ("{\(entry("a", offsets: "[-4,0]"))}", [], .invalidOffsets(tensor: "a", reason: "offset -4 is negative")),
      (
        "{\(entry("a", offsets: "[0,18446744073709551616]"))}", [],
        .invalidOffsets(tensor: "a", reason: "offset 18446744073709551616 is out of range")
      ),
      (
        "{\(entry("a", offsets: "[0,9223372036854775808]"))}", [],
        .invalidOffsets(tensor: "a", reason: "offset 9223372036854775808 is out of range")
      ),
      // Integers beyond 2^53 are read exactly from the header text, up to Int.max.
      (
        "{\(entry("a", "F32", "[0]", offsets: "[0,9007199254740993]"))}", [],
        .byteCountMismatch(tensor: "a", expected: 0, actual: 9_007_199_254_740_993)
      ),
      (
        "{\(entry("a", "U8", "[9223372036854775807]", offsets: "[0,9223372036854775806]"))}", [],
        .byteCountMismatch(tensor: "a", expected: Int.max, actual: Int.max - 1)
      ),
      (
        "{\(entry("a", "F32", "[0]", offsets: "[4,0]"))}", [0, 0, 0, 0],
        .invalidOffsets(tensor: "a", reason: "end 0 < begin 4")
      ),
      (
        "{\(entry("a", "F32", "[2]", offsets: "[0,8]")),\(entry("b", offsets: "[4,8]"))}", eight,
        .invalidOffsets(tensor: "b", reason: "begin 4 overlaps another tensor's data, which ends at 8")
      ),
      (
        "{\(entry("a", offsets: "[0,4]")),\(entry("b", offsets: "[0,4]"))}", four(),
        .invalidOffsets(tensor: "b", reason: "begin 0 overlaps another tensor's data, which ends at 4")
      ),
      (
        "{\(entry("a", offsets: "[0,4]")),\(entry("b", offsets: "[8,12]"))}", twelve,
        .invalidOffsets(tensor: "b", reason: "begin 8 leaves a hole after byte 4")
      ),
      (
        "{\(entry("a", offsets: "[4,8]"))}", eight,
        .invalidOffsets(tensor: "a", reason: "begin 4 leaves a hole after byte 0")
      ),
      (
        "{\(entry("a", "F32", "[2]", offsets: "[0,4]"))}", four(),
        .byteCountMismatch(tensor: "a", expected: 8, actual: 4)
      ),
      (
        "{\(entry("a", "F64", "[]", offsets: "[0,4]"))}", four(),
        .byteCountMismatch(tensor: "a", expected: 8, actual: 4)
      ),
      ("{\(entry("a", offsets: "[0,4]"))}", eight, .dataSizeMismatch(covered: 4, available: 8)),
      ("{\(entry("a", "F32", "[2]", offsets: "[0,8]"))}", four(), .dataSizeMismatch(covered: 8, available: 4)),
      ("{}", [1], .dataSizeMismatch(covered: 0, available: 1)),
      ("{\"__metadata__\":{\"k\":\"v\"}}", [0, 0], .dataSizeMismatch(covered: 0, available: 2)),
    ]
    for (header, data, expected) in cases {
      #expect(decodeError(fileBytes(header: header, data: data)) == expected, "\(header)")
    }
  }

  @Test("every error has a one-line description")
  func descriptions() {
    let errors: [CheckpointError] = [
      .unreadableFile(path: "/x", reason: "open: No such file or directory"),
      .unwritableFile(path: "/x", reason: "rename: Is a directory"), .fileTooShort(byteCount: 3),
      .headerTooLarge(length: 1 << 40, limit: 100), .headerExceedsFile(length: 9, available: 2),
      .invalidHeader("x"), .duplicateKey("a"), .invalidMetadata("x"), .missingField(tensor: "a", field: "shape"),
      .invalidField(tensor: "a", field: nil, expected: "an object"), .unknownDType(tensor: "a", dtype: "Q"),
      .invalidShape(tensor: nil, reason: "x"), .byteCountMismatch(tensor: "a", expected: 8, actual: 4),
      .invalidOffsets(tensor: "a", reason: "x"), .dataSizeMismatch(covered: 1, available: 2), .reservedName("x"),
      .valueCountMismatch(shape: [2], expected: 2, actual: 1), .wrongDType(expected: [.f32, .f64], actual: .u8),
    ]
    for error in errors {
      #expect(!error.description.isEmpty && !error.description.contains("\n"), "\(error)")
    }
    #expect(
      CheckpointError.missingField(tensor: "w", field: "shape").description == "tensor \"w\": missing field \"shape\"")
    #expect(
      CheckpointError.byteCountMismatch(tensor: nil, expected: 8, actual: 4).description
        == "shape and dtype need 8 data bytes, got 4")
  }

  @Test("every truncation of a valid file throws a CheckpointError")
  func truncation() throws {
    let bytes = try sampleCheckpoint().encoded()
    #expect(bytes.count > 200)
    for length in 0..<bytes.count {
      #expect(decodeError(bytes.prefix(length)) != nil, "prefix of \(length) bytes")
    }
  }

  @Test("random single-byte corruptions throw a CheckpointError or decode to a valid checkpoint")
  func corruption() throws {
    let original = try sampleCheckpoint().encoded()
    var generator = SeededGenerator(seed: 0xC4EC_4B01_A7ED)
    var rejected = 0
    var accepted = 0
    for _ in 0..<500 {
      var bytes = original
      let position = Int(generator.next() % UInt64(bytes.count))
      bytes[position] ^= UInt8(1 + generator.next() % 255)
      do {
        let decoded = try SafeTensors.decode(bytes)
        accepted += 1
        for (name, tensor) in decoded.tensors {
          #expect(tensor.bytes.count == tensor.shape.reduce(1, *) * tensor.dtype.byteSize, "\(name)")
        }
        #expect(try SafeTensors.decode(decoded.encoded()) == decoded)
      } catch is CheckpointError {
        rejected += 1
      } catch {
        Issue.record("byte \(position): unexpected error type \(error)")
      }
    }
    // Both outcomes occur: corrupted data bytes still decode, corrupted header bytes mostly do not.
    #expect(rejected > 0 && accepted > 0, "rejected \(rejected), accepted \(accepted)")
  }
}

private func four() -> [UInt8] { [0, 0, 0, 0] }
