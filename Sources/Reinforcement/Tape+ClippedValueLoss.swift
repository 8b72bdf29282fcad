import Autodiff

extension Tape {
  /// PPO's clipped value loss (``ClippedValueLoss``) on the value head's predictions `V_k`,
  /// weighted per token:
  ///
  ///     ℒ_V = Σ_k w_k ½ max((V_k − R_k)², (clip(V_k, V_old,k − ε, V_old,k + ε) − R_k)²),
  ///     ∂ℒ_V/∂V_k = w_k (V_k − R_k) where the unclipped error is at least the clipped one, else 0.
  ///
  /// With `w_k = 1/K` it is ``ClippedValueLoss/loss(values:oldValues:returns:epsilon:)``.
  ///
  /// - Parameters:
  ///   - values: `V`, shape `K`.
  ///   - oldValues: `V_old`, the predictions at sampling time, `K` values.
  ///   - returns: `R`, the regression targets (``GeneralizedAdvantageEstimation/returns``), `K` values.
  ///   - weights: `w_k`, `K` values.
  ///   - epsilon: the value clip `ε ≥ 0`.
  /// - Throws: ``ReinforcementError`` for arrays of another length, a negative `ε` or non-finite inputs.
  public func clippedValueLoss(
    _ values: Variable, oldValues: [Double], returns: [Double], weights: [Double], epsilon: Double
  ) throws -> Variable {
    let current = value(values)
    let count = current.count
    guard current.rank == 1 else {
      throw ReinforcementError.shapeMismatch("values must be a vector, got \(current.shape)")
    }
    guard epsilon >= 0, epsilon.isFinite else {
      throw ReinforcementError.invalidParameter("value clip ε must be ≥ 0, got \(epsilon)")
    }
    for (name, array) in [("old values", oldValues), ("returns", returns), ("weights", weights)] {
      guard array.count == count else {
        throw ReinforcementError.shapeMismatch("\(array.count) \(name) for \(count) values")
      }
      try requireFinite(array, name)
    }
    let predictions = current.values.map(Double.init)
    try requireFinite(predictions, "value")
    var loss = 0.0
    var derivatives = [Float](repeating: 0, count: count)
    for k in 0..<count {
      let term = ClippedValueLoss.evaluate(
        value: predictions[k], oldValue: oldValues[k], target: returns[k], epsilon: epsilon)
      loss += weights[k] * term.loss
      derivatives[k] = Float(weights[k] * term.derivative)
    }
    return record(value: Tensor(scalar: Float(loss)), inputs: [values]) { g in
      [try Tensor(shape: [count], values: derivatives.map { $0 * g.scalar })]
    }
  }
}
