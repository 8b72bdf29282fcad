/// Invalid input to an FFT operation.
public enum FFTError: Error, Equatable, CustomStringConvertible {
  /// A size is out of range (zero or negative length, too large for FFTW's `int`).
  case invalidSize(String)
  /// Array lengths disagree with the declared shape.
  case shapeMismatch(String)
  /// An input contains NaN or an infinity.
  case nonFinite(String)
  /// FFTW returned no plan.
  case planningFailed(length: Int)

  public var description: String {
    switch self {
    case .invalidSize(let detail): return "invalid size: \(detail)"
    case .shapeMismatch(let detail): return "shape mismatch: \(detail)"
    case .nonFinite(let what): return "\(what) contains NaN or infinite values"
    case .planningFailed(let length): return "FFTW could not plan a real transform of length \(length)"
    }
  }
}
