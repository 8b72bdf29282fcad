import Models
import Tasks
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

  /// What a model of any family needs to read and write `task`: a token model with
  /// `vocabulary` = `tokenVocabulary(of:)` and `inputChannels` `nil`, or, for a task
  /// with real-valued inputs and outputs, a feature model with `inputChannels` and `vocabulary`
  /// (output values) from `featureChannels(of:)`.
  public static func shape(for task: any SequenceTask) throws -> (vocabulary: Int, inputChannels: Int?) {
    if case .features = task.input {
      let (inputs, outputs) = try featureChannels(of: task)
      return (outputs, inputs)
    }
    return (try tokenVocabulary(of: task), nil)
  }

  /// The configuration of this family at `width` channels: a token model, or with
  /// `inputChannels` a feature model whose `vocabulary` outputs are values.
  public func configuration(vocabulary: Int, width: Int, depth: Int, length: Int, inputChannels: Int? = nil)
    -> ModelConfiguration
  {
    switch self {
    case .s4d:
      return .s4(
        .init(
          vocabulary: vocabulary, width: width, depth: depth, stateSize: 64, layer: .diagonal,
          inputChannels: inputChannels))
    case .s4:
      return .s4(
        .init(
          vocabulary: vocabulary, width: width, depth: depth, stateSize: 64, layer: .dplr, kernelHorizon: length,
          inputChannels: inputChannels))
    case .transformer:
      return .transformer(
        .init(
          vocabulary: vocabulary, width: width, depth: depth, heads: 4, positions: .rotary, contextLength: length,
          inputChannels: inputChannels))
    case .gru:
      return .gru(.init(vocabulary: vocabulary, width: width, depth: depth, inputChannels: inputChannels))
    }
  }

  /// The width (a multiple of 8, 8 … 1024) whose parameter count is closest to `budget`, found
  /// by bisection (counts grow with the width), with its configuration and count; `inputChannels`
  /// as in ``configuration(vocabulary:width:depth:length:inputChannels:)``.
  /// - Throws: ``ComparisonError/budgetImpossible(model:budget:smallest:largest:)`` when the budget
  ///   lies outside what widths 8 … 1024 give (more than 25 % off the nearest).
  public func matched(
    vocabulary: Int, parameterBudget budget: Int, depth: Int, length: Int, inputChannels: Int? = nil
  ) throws -> (configuration: ModelConfiguration, parameters: Int) {
    let count = { (width: Int) throws -> Int in
      try self.configuration(
        vocabulary: vocabulary, width: width, depth: depth, length: length, inputChannels: inputChannels
      ).build(seed: 0)
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
      configuration(vocabulary: vocabulary, width: width, depth: depth, length: length, inputChannels: inputChannels),
      width == 8 * low ? lowCount : highCount
    )
  }
}
