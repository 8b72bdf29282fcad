/// Errors from reading or interpreting JSON input.
public enum JSONError: Error, Equatable, CustomStringConvertible, Sendable {
  /// The text is not JSON; `offset` is the byte position where parsing stopped.
  case syntax(String, offset: Int)
  /// A required member is absent.
  case missingKey(String)
  /// A value has the wrong kind or shape; `path` locates it (e.g. `A[2][3]`).
  case invalidValue(path: String, expected: String)
  /// A number is `NaN` or infinite.
  case nonFinite(path: String)

  public var description: String {
    switch self {
    case .syntax(let detail, let offset): return "invalid JSON at byte \(offset): \(detail)"
    case .missingKey(let key): return "missing key \"\(key)\""
    case .invalidValue(let path, let expected): return "\(path): expected \(expected)"
    case .nonFinite(let path): return "\(path): non-finite number (NaN or infinity)"
    }
  }
}
