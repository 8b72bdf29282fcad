/// Why an extraction corpus cannot be drawn or extracted records cannot be scored.
public enum ExtractionDataError: Error, Equatable, CustomStringConvertible, Sendable {
  /// A negative number of examples was asked for.
  case negativeCount(Int)
  /// The expected and the extracted records are not aligned one to one.
  case countMismatch(expected: Int, extracted: Int)
  /// Expected record `index` (from 0) is not a JSON object.
  case expectedNotAnObject(index: Int, kind: String)

  public var description: String {
    switch self {
    case .negativeCount(let count): "the number of examples must be at least 0, got \(count)"
    case .countMismatch(let expected, let extracted):
      "\(expected) expected records for \(extracted) extracted ones: they must be aligned one to one"
    case .expectedNotAnObject(let index, let kind): "expected record \(index + 1) must be an object, got \(kind)"
    }
  }
}
