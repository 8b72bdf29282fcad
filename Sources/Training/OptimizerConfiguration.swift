/// The optimiser of a training run, recorded in its ``RunConfiguration``.
public enum OptimizerConfiguration: Codable, Sendable, Equatable {
  /// ``AdamW`` with `β = (0.9, 0.999)`, `ε = 1e-8` and decoupled weight decay.
  case adamW
  /// ``SGD`` with heavy-ball momentum `μ` and L2 weight decay.
  case sgd(momentum: Float)

  /// A fresh optimiser (no updates applied) of this kind over `groups`.
  public func makeOptimizer(groups: ParameterGroups) -> any Optimizer {
    switch self {
    case .adamW: AdamW(groups: groups)
    case .sgd(let momentum): SGD(groups: groups, momentum: momentum)
    }
  }

  /// Checks the settings: an SGD momentum in `[0, 1)` (`μ ≥ 1` lets the buffer grow without bound).
  /// - Throws: ``TrainingError/invalidState(_:)`` naming the bad value.
  public func validate() throws {
    if case .sgd(let momentum) = self, !(0..<1).contains(momentum) {
      throw TrainingError.invalidState("SGD momentum must lie in [0, 1), got \(momentum)")
    }
  }
}
