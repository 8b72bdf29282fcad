import Constraints
import SSMJSON
import Testing

@Suite struct ExtractionScoreTests {
  static let expected = JSONValue.object([("name", .string("Ada")), ("age", .number(36)), ("city", .string("Lyon"))])

  /// An answer whose fields are right where `rightFields` has a bit set (field `i`: bit `i`) and
  /// wrong elsewhere, valid or not.
  static func answer(rightFields: Int, valid: Bool) -> ExtractedRecord {
    guard case .object(let members) = expected else { return ExtractedRecord(output: "", value: nil, problem: "") }
    let value = JSONValue.object(
      members.enumerated().map { index, member in
        (member.key, rightFields & (1 << index) != 0 ? member.value : .string("wrong"))
      })
    return ExtractedRecord(output: value.serialized, value: value, problem: valid ? nil : "invalid")
  }

  /// By enumeration of every pattern of right and wrong fields, valid and invalid: a field is
  /// right only in a valid answer with an equal member, a record exact only when valid with every
  /// field right; the totals and rates are the hand counts (8 valid of 16, each field right in 4,
  /// one exact).
  @Test func enumerationOfRightAndWrongFields() throws {
    var answers: [ExtractedRecord] = []
    for valid in [true, false] {
      for mask in 0..<8 {
        let answer = Self.answer(rightFields: mask, valid: valid)
        answers.append(answer)
        let matches = try ExtractionScore.fieldMatches(expected: Self.expected, extracted: answer)
        #expect(matches.map(\.name) == ["name", "age", "city"])
        #expect(matches.map(\.isRight) == (0..<3).map { valid && mask & (1 << $0) != 0 }, "mask \(mask), \(valid)")
        #expect(ExtractionScore.isExact(expected: Self.expected, extracted: answer) == (valid && mask == 7))
      }
    }
    let score = try ExtractionScore(expected: Array(repeating: Self.expected, count: 16), extracted: answers)
    #expect(score.records == 16 && score.valid == 8 && score.exact == 1)
    #expect(score.validRate == 0.5 && score.exactRate == 1.0 / 16)
    #expect(
      score.fields == ["name", "age", "city"].map { ExtractionScore.Field(name: $0, expected: 16, right: 4) })
    #expect(score.fields.map(\.accuracy) == [0.25, 0.25, 0.25])
    #expect(
      score.json.serialized
        == #"{"records":16,"valid":8,"validRate":0.5,"fieldAccuracy":{"name":0.25,"age":0.25,"city":0.25},"#
        + #""exact":1,"exactRate":0.0625}"#)
  }

  /// Equality is JSON equality: member order does not matter, `36.0` is `36`, `"36"` is not; an
  /// extra member keeps the fields right but the record not exact; a missing member, a non-object
  /// or an unparsed answer gets nothing right. Fields count over the expected records that hold
  /// them.
  @Test func jsonEqualityAndPartialRecords() throws {
    func answer(_ value: JSONValue?) -> ExtractedRecord {
      ExtractedRecord(output: value?.serialized ?? "x", value: value, problem: nil)
    }
    let reordered = answer(.object([("city", .string("Lyon")), ("age", .number(36.0)), ("name", .string("Ada"))]))
    #expect(ExtractionScore.isExact(expected: Self.expected, extracted: reordered))
    let text = answer(.object([("name", .string("Ada")), ("age", .string("36")), ("city", .string("Lyon"))]))
    #expect(
      try ExtractionScore.fieldMatches(expected: Self.expected, extracted: text).map(\.isRight) == [true, false, true])
    let extra = answer(
      .object([("name", .string("Ada")), ("age", .number(36)), ("city", .string("Lyon")), ("job", .string("x"))]))
    #expect(try ExtractionScore.fieldMatches(expected: Self.expected, extracted: extra).allSatisfy(\.isRight))
    #expect(!ExtractionScore.isExact(expected: Self.expected, extracted: extra))
    let missing = answer(.object([("name", .string("Ada"))]))
    #expect(
      try ExtractionScore.fieldMatches(expected: Self.expected, extracted: missing).map(\.isRight) == [
        true, false, false,
      ])
    for nothing in [answer(.array([.string("Ada")])), answer(nil)] {
      #expect(try ExtractionScore.fieldMatches(expected: Self.expected, extracted: nothing).allSatisfy { !$0.isRight })
      #expect(!ExtractionScore.isExact(expected: Self.expected, extracted: nothing))
    }

    let short = JSONValue.object([("name", .string("Ada"))])
    let score = try ExtractionScore(expected: [Self.expected, short, short], extracted: [reordered, missing, text])
    #expect(score.valid == 3 && score.exact == 2)
    #expect(
      score.fields == [
        ExtractionScore.Field(name: "name", expected: 3, right: 3),
        ExtractionScore.Field(name: "age", expected: 1, right: 1),
        ExtractionScore.Field(name: "city", expected: 1, right: 1),
      ])
    let empty = try ExtractionScore(expected: [], extracted: [])
    #expect(empty.records == 0 && empty.validRate == 0 && empty.exactRate == 0 && empty.fields.isEmpty)
  }

  /// Misaligned lists and expected records that are not objects are errors.
  @Test func misalignedOrMalformedExpectationsAreErrors() throws {
    let answer = Self.answer(rightFields: 7, valid: true)
    #expect(throws: ExtractionDataError.countMismatch(expected: 2, extracted: 1)) {
      try ExtractionScore(expected: [Self.expected, Self.expected], extracted: [answer])
    }
    #expect(throws: ExtractionDataError.expectedNotAnObject(index: 1, kind: JSONValue.number(3).kindName)) {
      try ExtractionScore(expected: [Self.expected, .number(3)], extracted: [answer, answer])
    }
  }
}
