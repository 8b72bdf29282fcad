import Models
import Tasks
import Training

/// The model families `ssm compare` trains side by side, each sized to a parameter budget
/// (see ``matched(vocabulary:parameterBudget:depth:length:inputChannels:)``).
public enum ComparisonModel: String, CaseIterable, Codable, Sendable {
  /// S4D: diagonal S4 layers (S4D-Lin, ZOH, Vandermonde kernel), state size 64 unless the budget needs another.
  case s4d
  /// S4: DPLR layers from HiPPO-LegS (Cauchy + Woodbury kernel), state size 64 unless the budget needs another.
  case s4
  /// GPT-style decoder: 4 heads, rotary positions, MLP 4× unless the budget needs another hidden width.
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

  /// The configuration of this family at `size` (see ``Size``): a token model, or with
  /// `inputChannels` a feature model whose `vocabulary` outputs are values. A transformer of the
  /// default MLP width `4D` leaves `mlpHidden` absent (`mlpRatio` 4).
  public func configuration(vocabulary: Int, size: Size, depth: Int, length: Int, inputChannels: Int? = nil)
    -> ModelConfiguration
  {
    let inner = size.inner ?? 0
    switch self {
    case .s4d:
      return .s4(
        .init(
          vocabulary: vocabulary, width: size.width, depth: depth, stateSize: inner, layer: .diagonal,
          inputChannels: inputChannels))
    case .s4:
      return .s4(
        .init(
          vocabulary: vocabulary, width: size.width, depth: depth, stateSize: inner, layer: .dplr,
          kernelHorizon: length, inputChannels: inputChannels))
    case .transformer:
      return .transformer(
        .init(
          vocabulary: vocabulary, width: size.width, depth: depth, heads: 4,
          mlpHidden: size == defaultSize(width: size.width) ? nil : inner, positions: .rotary, contextLength: length,
          inputChannels: inputChannels))
    case .gru:
      return .gru(.init(vocabulary: vocabulary, width: size.width, depth: depth, inputChannels: inputChannels))
    }
  }
}
