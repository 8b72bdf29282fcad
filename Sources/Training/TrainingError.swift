/// Failures of optimisation and training.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
  /// A gradient with NaN or infinity: nothing was updated.
  case nonFiniteGradient(parameter: String)
  /// An optimiser or training state that cannot be restored.
  case invalidState(String)

  public var description: String {
    switch self {
    case .nonFiniteGradient(let name): return "gradient of \(name) contains NaN or infinite values; no update applied"
    case .invalidState(let detail): return "invalid training state: \(detail)"
    }
  }
}
