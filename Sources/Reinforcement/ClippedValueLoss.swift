/// PPO's clipped value loss (PPO2, and PPO-max's "value clipping"):
///
///     ℒ_V = (1/n) Σ_i ½ max((V_i − R_i)², (clip(V_i, V_old,i − ε, V_old,i + ε) − R_i)²),
///
/// with `V` the value head's new predictions, `V_old` those at sampling time, `R` the returns
/// (``GeneralizedAdvantageEstimation/returns``) and `ε ≥ 0` the value clip. Taking the larger error
/// keeps the new values from profiting by moving more than `ε` from the old ones.
public enum ClippedValueLoss {
  /// `ℒ_V` for `n ≥ 1` predictions.
  /// - Throws: ``ReinforcementError/shapeMismatch(_:)`` for arrays of different lengths or none,
  ///   ``ReinforcementError/invalidParameter(_:)`` for a negative `ε`,
  ///   ``ReinforcementError/nonFinite(_:)`` for a non-finite input.
  public static func loss(values: [Double], oldValues: [Double], returns: [Double], epsilon: Double) throws -> Double {
    guard !values.isEmpty, values.count == oldValues.count, values.count == returns.count else {
      throw ReinforcementError.shapeMismatch(
        "\(values.count) values, \(oldValues.count) old values, \(returns.count) returns")
    }
    guard epsilon >= 0 else { throw ReinforcementError.invalidParameter("value clip ε must be ≥ 0, got \(epsilon)") }
    try requireFinite(values, "value")
    try requireFinite(oldValues, "old value")
    try requireFinite(returns, "return")
    let total = values.indices.reduce(0.0) {
      $0 + evaluate(value: values[$1], oldValue: oldValues[$1], target: returns[$1], epsilon: epsilon).loss
    }
    return total / Double(values.count)
  }

  /// One prediction's term `½ max((V − R)², (clip(V, V_old − ε, V_old + ε) − R)²)` and its
  /// derivative in `V`:
  ///
  ///     ∂/∂V = V − R   where the unclipped error is at least the clipped one (always so inside the range),
  ///            0       where the clipped error is larger (V outside the range, where clip(V) is constant).
  public static func evaluate(value: Double, oldValue: Double, target: Double, epsilon: Double) -> (
    loss: Double, derivative: Double
  ) {
    let clipped = min(max(value, oldValue - epsilon), oldValue + epsilon)
    let unclippedError = (value - target) * (value - target)
    let clippedError = (clipped - target) * (clipped - target)
    return unclippedError >= clippedError ? (0.5 * unclippedError, value - target) : (0.5 * clippedError, 0)
  }
}
