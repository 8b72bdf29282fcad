import SSMJSON

/// Extracted records scored against the expected ones: how many are valid, how many of each
/// field are right, how many records are right as a whole.
///
/// A field of an expected record (one of its members) is *right* when the extracted record is
/// valid (``ExtractedRecord/isValid``) and holds a member of that name equal to it as JSON
/// (numbers by value, objects regardless of member order). An invalid answer gets no field
/// right, even when it parses: an application that validates its records would drop it. A
/// record is *exact* when it is valid and equal as JSON to the expected record (the same
/// members, every one right).
public struct ExtractionScore: Sendable, Equatable {
  /// The right answers of one field.
  public struct Field: Sendable, Equatable {
    /// The member name.
    public let name: String
    /// Expected records that hold the field.
    public let expected: Int
    /// Those whose extracted record has it right.
    public let right: Int

    /// The counts of field `name`: `right` of the `expected` records that hold it.
    public init(name: String, expected: Int, right: Int) {
      self.name = name
      self.expected = expected
      self.right = right
    }

    /// `right / expected` (0 when no record holds the field).
    public var accuracy: Double { expected == 0 ? 0 : Double(right) / Double(expected) }
  }

  /// Whether one field of an expected record is right in an extracted one.
  public struct FieldMatch: Sendable, Equatable {
    /// The member name.
    public let name: String
    /// Whether the extracted record is valid and has an equal member.
    public let isRight: Bool
  }

  /// Records scored.
  public let records: Int
  /// Extracted records that are valid.
  public let valid: Int
  /// Extracted records equal as JSON to the expected ones.
  public let exact: Int
  /// The fields of the expected records, in the order they first appear.
  public let fields: [Field]

  /// `valid / records` (0 for no records).
  public var validRate: Double { records == 0 ? 0 : Double(valid) / Double(records) }
  /// `exact / records` (0 for no records).
  public var exactRate: Double { records == 0 ? 0 : Double(exact) / Double(records) }

  /// The score of `extracted[i]` against `expected[i]` for every `i`.
  /// - Throws: ``ExtractionDataError/countMismatch(expected:extracted:)`` when the counts differ,
  ///   ``ExtractionDataError/expectedNotAnObject(index:kind:)`` for an expected record that is not
  ///   an object.
  public init(expected: [JSONValue], extracted: [ExtractedRecord]) throws {
    guard expected.count == extracted.count else {
      throw ExtractionDataError.countMismatch(expected: expected.count, extracted: extracted.count)
    }
    var names: [String] = []
    var counts: [String: (expected: Int, right: Int)] = [:]
    var valid = 0
    var exact = 0
    for (index, (record, answer)) in zip(expected, extracted).enumerated() {
      for match in try Self.fieldMatches(expected: record, extracted: answer, index: index) {
        let name = match.name
        if counts[name] == nil {
          names.append(name)
          counts[name] = (0, 0)
        }
        counts[name]!.expected += 1
        if match.isRight { counts[name]!.right += 1 }
      }
      if answer.isValid { valid += 1 }
      if Self.isExact(expected: record, extracted: answer) { exact += 1 }
    }
    records = expected.count
    self.valid = valid
    self.exact = exact
    fields = names.map { Field(name: $0, expected: counts[$0]!.expected, right: counts[$0]!.right) }
  }

  /// Whether each field of `expected` (in its member order) is right in `extracted`.
  /// - Throws: ``ExtractionDataError/expectedNotAnObject(index:kind:)`` (index 0) when `expected`
  ///   is not an object.
  public static func fieldMatches(expected: JSONValue, extracted: ExtractedRecord) throws -> [FieldMatch] {
    try fieldMatches(expected: expected, extracted: extracted, index: 0)
  }

  /// Whether `extracted` is valid and equal as JSON to `expected`.
  public static func isExact(expected: JSONValue, extracted: ExtractedRecord) -> Bool {
    guard extracted.isValid, let value = extracted.value else { return false }
    return value.equalsAsJSON(expected)
  }

  /// ``fieldMatches(expected:extracted:)`` with the index its error reports.
  private static func fieldMatches(
    expected: JSONValue, extracted: ExtractedRecord, index: Int
  ) throws -> [FieldMatch] {
    guard case .object(let members) = expected else {
      throw ExtractionDataError.expectedNotAnObject(index: index, kind: expected.kindName)
    }
    return members.map { member in
      guard extracted.isValid, let found = extracted.value?[member.key] else {
        return FieldMatch(name: member.key, isRight: false)
      }
      return FieldMatch(name: member.key, isRight: found.equalsAsJSON(member.value))
    }
  }

  /// The score as JSON: `{"records", "valid", "validRate", "fieldAccuracy": {name: accuracy, …},
  /// "exact", "exactRate"}`.
  public var json: JSONValue {
    .object([
      ("records", .number(Double(records))), ("valid", .number(Double(valid))), ("validRate", .number(validRate)),
      ("fieldAccuracy", .object(fields.map { ($0.name, .number($0.accuracy)) })),
      ("exact", .number(Double(exact))), ("exactRate", .number(exactRate)),
    ])
  }
}
