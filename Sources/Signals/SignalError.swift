/// Why a signal generator could not be made.
public enum SignalError: Error, Equatable, CustomStringConvertible, Sendable {
  /// A parameter outside its documented range (the reason names the rule).
  case invalidParameter(name: String, value: Double, reason: String)
  /// A length below the smallest one that holds a frequency within the cutoff.
  case lengthTooSmall(length: Int, minimum: Int, reason: String)

  /// A one-line message naming the parameter and the violated rule.
  public var description: String {
    switch self {
    case .invalidParameter(let name, let value, let reason): return "invalid \(name) = \(value): \(reason)"
    case .lengthTooSmall(let length, let minimum, let reason):
      return "invalid length \(length): at least \(minimum) is needed (\(reason))"
    }
  }
}
