/// Why a comparison cannot run.
public enum ComparisonError: Error, Equatable, CustomStringConvertible {
  /// An option or plan field is invalid.
  case invalidPlan(String)
  /// No width of the family comes near the parameter budget.
  case budgetImpossible(model: ComparisonModel, budget: Int, smallest: Int, largest: Int)
  /// The output folder holds results of a different plan.
  case differentPlan(path: String)

  public var description: String {
    switch self {
    case .invalidPlan(let detail): return "invalid comparison: \(detail)"
    case .budgetImpossible(let model, let budget, let smallest, let largest):
      return
        "a \(model.rawValue) model cannot have ≈ \(budget) parameters: widths 8 … 1024 give \(smallest) … \(largest)"
    case .differentPlan(let path):
      return "\(path) holds the results of another comparison plan: choose another --out"
    }
  }
}
