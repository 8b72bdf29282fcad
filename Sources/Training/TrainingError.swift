/// Failures of optimisation and training.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
  /// A gradient with NaN or infinity: nothing was updated.
  case nonFiniteGradient(parameter: String)
  /// An optimiser or training state that cannot be restored.
  case invalidState(String)
  /// The loss (or a gradient, named in `detail`) became NaN or infinite at `step`;
  /// the run stopped before saving anything from that step.
  case nonFiniteLoss(step: Int, detail: String = "loss")

  public var description: String {
    switch self {
    case .nonFiniteGradient(let name): return "gradient of \(name) contains NaN or infinite values; no update applied"
    case .invalidState(let detail): return "invalid training state: \(detail)"
    case .nonFiniteLoss(let step, let detail):
      return "\(detail) became NaN or infinite at step \(step); stopped without saving that step"
    }
  }
}
