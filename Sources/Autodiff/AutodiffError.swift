/// Invalid tensors or operations on the tape.
public enum AutodiffError: Error, Equatable, CustomStringConvertible {
  /// Shapes that an operation cannot combine.
  case shapeMismatch(String)
  /// An argument out of range (an axis, a probability, a class index).
  case invalidArgument(String)
  /// NaN or infinity where finite values are required.
  case nonFinite(String)
  /// `backward` was called on a value that is not a scalar.
  case notScalar(shape: [Int])
  /// An operation's backward rule (``Tape/record(value:inputs:backward:)``) returned a number of
  /// gradients other than its number of inputs, or a gradient whose shape is not its input's.
  case invalidBackward(String)

  public var description: String {
    switch self {
    case .shapeMismatch(let detail): return "shape mismatch: \(detail)"
    case .invalidArgument(let detail): return "invalid argument: \(detail)"
    case .nonFinite(let what): return "\(what) contains NaN or infinite values"
    case .notScalar(let shape): return "backward needs a scalar loss, got shape \(shape)"
    case .invalidBackward(let detail): return "invalid backward rule: \(detail)"
    }
  }
}
