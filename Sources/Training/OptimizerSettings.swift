import Autodiff

/// Learning rate and weight decay of one parameter group.
public struct GroupSettings: Sendable, Equatable {
  /// The peak learning rate (a schedule multiplies it).
  public var learningRate: Float
  /// Decoupled weight decay `λ` (AdamW: `θ ← θ − η λ θ`; SGD: added to the gradient).
  public var weightDecay: Float

  /// Settings for one group.
  public init(learningRate: Float, weightDecay: Float) {
    self.learningRate = learningRate
    self.weightDecay = weightDecay
  }
}

/// Per-role settings. The state space parameters (Λ, P, B, dt) default to their own
/// learning rate `1e-3` and no weight decay, as the S4 authors found essential.
public struct ParameterGroups: Sendable, Equatable {
  /// Weights, biases, embeddings, normalisation.
  public var standard: GroupSettings
  /// `ParameterRole.stateSpace` parameters.
  public var stateSpace: GroupSettings

  /// Groups with the given standard settings and the S4 default for state space parameters.
  public init(standard: GroupSettings, stateSpace: GroupSettings = GroupSettings(learningRate: 1e-3, weightDecay: 0)) {
    self.standard = standard
    self.stateSpace = stateSpace
  }

  /// Groups with `learningRate` and `weightDecay` for the standard parameters and
  /// `stateSpaceLearningRate` without weight decay for the state space parameters: the groups of
  /// every training run.
  public init(learningRate: Float, weightDecay: Float, stateSpaceLearningRate: Float) {
    self.init(
      standard: GroupSettings(learningRate: learningRate, weightDecay: weightDecay),
      stateSpace: GroupSettings(learningRate: stateSpaceLearningRate, weightDecay: 0))
  }

  /// The settings of `role`.
  public subscript(role: ParameterRole) -> GroupSettings {
    role == .stateSpace ? stateSpace : standard
  }
}

/// Checks the optimiser numbers every training configuration shares: positive, finite learning
/// rates and clipping bound, a finite non-negative weight decay.
/// - Throws: ``TrainingError/invalidState(_:)`` naming the first bad value.
func validateOptimizerSettings(
  learningRate: Float, stateSpaceLearningRate: Float, gradientClip: Float, weightDecay: Float
) throws {
  for (name, value) in [
    ("learning rate", learningRate), ("state space learning rate", stateSpaceLearningRate),
    ("gradient clip", gradientClip),
  ] where !(value > 0 && value.isFinite) {
    throw TrainingError.invalidState("\(name) must be positive and finite, got \(value)")
  }
  guard weightDecay >= 0, weightDecay.isFinite else {
    throw TrainingError.invalidState("weight decay must be ≥ 0, got \(weightDecay)")
  }
}
