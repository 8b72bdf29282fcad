import Models
import Training

/// The model families `ssm compare` trains side by side, each sized to a parameter budget.
public enum ComparisonModel: String, CaseIterable, Codable, Sendable {
  /// S4D: diagonal S4 layers (S4D-Lin, ZOH, Vandermonde kernel), state size 64.
  case s4d
  /// S4: DPLR layers from HiPPO-LegS (Cauchy + Woodbury kernel), state size 64.
  case s4
  /// GPT-style decoder: 4 heads, MLP 4×, rotary positions.
  case transformer
  /// Residual GRU layers (the gated-RNN baseline of the HiPPO paper's comparisons).
  case gru

  /// The configuration of this family at `width` channels.
  public func configuration(vocabulary: Int, width: Int, depth: Int, length: Int) -> ModelConfiguration {
    switch self {
    case .s4d:
      return .s4(.init(vocabulary: vocabulary, width: width, depth: depth, stateSize: 64, layer: .diagonal))
    case .s4:
      return .s4(
        .init(
          vocabulary: vocabulary, width: width, depth: depth, stateSize: 64, layer: .dplr, recurrentHorizon: length))
    case .transformer:
      return .transformer(
        .init(vocabulary: vocabulary, width: width, depth: depth, heads: 4, positions: .rotary, contextLength: length))
    case .gru:
      return .gru(.init(vocabulary: vocabulary, width: width, depth: depth))
    }
  }

  /// The width (a multiple of 8, 8 … 1024) whose parameter count is closest to `budget`, found
  /// by bisection (counts grow with the width), with its configuration and count.
  /// - Throws: ``ComparisonError/budgetImpossible(model:budget:smallest:largest:)`` when the budget
  ///   lies outside what widths 8 … 1024 give (more than 25 % off the nearest).
  public func matched(vocabulary: Int, parameterBudget budget: Int, depth: Int, length: Int) throws -> (
    configuration: ModelConfiguration, parameters: Int
  ) {
    let count = { (width: Int) throws -> Int in
      try self.configuration(vocabulary: vocabulary, width: width, depth: depth, length: length).build(seed: 0)
        .parameters.reduce(0) { $0 + $1.value.count }
    }
    var (low, high) = (1, 128)  // widths 8·low … 8·high
    let (smallest, largest) = (try count(8 * low), try count(8 * high))
    guard Double(budget) >= 0.75 * Double(smallest), Double(budget) <= 1.25 * Double(largest) else {
      throw ComparisonError.budgetImpossible(model: self, budget: budget, smallest: smallest, largest: largest)
    }
    while high - low > 1 {
      let middle = (low + high) / 2
      if try count(8 * middle) <= budget { low = middle } else { high = middle }
    }
    let (lowCount, highCount) = (try count(8 * low), try count(8 * high))
    let width = abs(lowCount - budget) <= abs(highCount - budget) ? 8 * low : 8 * high
    return (
      configuration(vocabulary: vocabulary, width: width, depth: depth, length: length),
      width == 8 * low ? lowCount : highCount
    )
  }
}
