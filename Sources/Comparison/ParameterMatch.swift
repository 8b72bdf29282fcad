import Models

/// A model sized to a parameter budget by
/// ``ModelFamily/matched(vocabulary:parameterBudget:depth:length:inputChannels:)``.
public struct ParameterMatch: Sendable, Equatable {
  /// The family.
  public var model: ModelFamily
  /// Its width and inner size.
  public var size: ModelFamily.Size
  /// The configuration to build.
  public var configuration: ModelConfiguration
  /// The model's trainable parameters (what the built model holds).
  public var parameters: Int
  /// The budget it was sized to.
  public var budget: Int

  /// The relative deviation from the budget, `(parameters − budget) / budget`.
  public var deviation: Double { Self.deviation(parameters: parameters, budget: budget) }

  /// `(parameters − budget) / budget`.
  public static func deviation(parameters: Int, budget: Int) -> Double {
    Double(parameters - budget) / Double(budget)
  }

  /// A relative deviation as a signed percentage with one decimal, as the report prints it:
  /// `"+0.8 %"`, `"-1.2 %"`, `"0.0 %"` (below 0.05 % either way).
  public static func percentage(_ deviation: Double) -> String {
    let tenths = (deviation * 1000).rounded()
    let sign = tenths > 0 ? "+" : tenths < 0 ? "-" : ""
    return "\(sign)\(Int(abs(tenths)) / 10).\(Int(abs(tenths)) % 10) %"
  }
}
