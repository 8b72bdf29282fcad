import Models

/// Why a comparison cannot run.
public enum ComparisonError: Error, Equatable, CustomStringConvertible {
  /// An option or plan field is invalid.
  case invalidPlan(String)
  /// No model of the family lies within ``ModelFamily/parameterTolerance`` of the budget;
  /// `closest` is the nearest count the search reached.
  case budgetImpossible(model: ModelFamily, budget: Int, closest: Int)
  /// The output folder holds results of a different plan.
  case differentPlan(path: String)

  public var description: String {
    switch self {
    case .invalidPlan(let detail): return "invalid comparison: \(detail)"
    case .budgetImpossible(let model, let budget, let closest):
      let tolerance = Int((ModelFamily.parameterTolerance * 100).rounded())
      let deviation = ParameterMatch.percentage(ParameterMatch.deviation(parameters: closest, budget: budget))
      return
        "a \(model.name) model cannot be sized to \(budget) parameters within ±\(tolerance) %: the closest it "
        + "reaches is \(closest) (\(deviation)); choose another parameter budget"
    case .differentPlan(let path):
      return "\(path) holds the results of another comparison plan: choose another --out"
    }
  }
}
