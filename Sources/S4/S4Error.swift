/// Invalid state space parameters or inputs for kernels and recurrences.
public enum S4Error: Error, Equatable, CustomStringConvertible {
  /// A size is out of range (length below 1, no modes, …).
  case invalidSize(String)
  /// Array lengths disagree.
  case shapeMismatch(String)
  /// A value is NaN or infinite.
  case nonFinite(String)
  /// A step size is not positive and finite.
  case invalidTimeStep(channel: Int, value: Double)
  /// An eigenvalue with `Re λ ≥ 0`: the kernels need a stable continuous system.
  case unstableMode(channel: Int, mode: Int, real: Double)
  /// A matrix that must be inverted is singular.
  case singular(String)

  public var description: String {
    switch self {
    case .invalidSize(let detail): return "invalid size: \(detail)"
    case .shapeMismatch(let detail): return "shape mismatch: \(detail)"
    case .nonFinite(let what): return "\(what) contains NaN or infinite values"
    case .invalidTimeStep(let channel, let value):
      return "dt must be positive and finite, got \(value) (channel \(channel))"
    case .unstableMode(let channel, let mode, let real):
      return "Re λ must be negative for a stable system, got \(real) (channel \(channel), mode \(mode))"
    case .singular(let what): return "\(what) is singular"
    }
  }
}
