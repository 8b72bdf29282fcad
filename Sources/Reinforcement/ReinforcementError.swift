/// Why a reinforcement-learning computation could not be made.
///
/// Every validation of the Reinforcement module throws one of these, with a message naming the
/// violated rule, so that bad input never traps or turns into NaN.
public enum ReinforcementError: Error, Equatable, CustomStringConvertible {
  /// A parameter outside its documented range (the detail names the rule).
  case invalidParameter(String)
  /// Arrays whose lengths or shapes do not agree (the detail names them).
  case shapeMismatch(String)
  /// A reward, value or log-probability that is NaN or infinite (the detail names it).
  case nonFinite(String)

  /// A one-line message naming the violated rule.
  public var description: String {
    switch self {
    case .invalidParameter(let detail): return "invalid parameter: \(detail)"
    case .shapeMismatch(let detail): return "shape mismatch: \(detail)"
    case .nonFinite(let detail): return "non-finite value: \(detail)"
    }
  }
}

/// Throws ``ReinforcementError/nonFinite(_:)`` naming `what` unless every value is finite.
func requireFinite(_ values: [Double], _ what: String) throws {
  if let index = values.firstIndex(where: { !$0.isFinite }) {
    throw ReinforcementError.nonFinite("\(what)[\(index)] = \(values[index])")
  }
}
