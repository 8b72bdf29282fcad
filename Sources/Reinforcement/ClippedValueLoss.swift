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
    var total = 0.0
    for i in values.indices {
      let clipped = min(max(values[i], oldValues[i] - epsilon), oldValues[i] + epsilon)
      let unclippedError = (values[i] - returns[i]) * (values[i] - returns[i])
      let clippedError = (clipped - returns[i]) * (clipped - returns[i])
      total += 0.5 * max(unclippedError, clippedError)
    }
    return total / Double(values.count)
  }
}
