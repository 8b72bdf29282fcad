/// Generalised advantage estimation (Schulman et al. 2016) over one trajectory of `T` steps:
///
///     δ_t = r_t + γ V_{t+1} − V_t,      A_t = δ_t + γλ A_{t+1},      R_t = A_t + V_t,
///
/// computed backwards from `A_T = 0` with `V_T` = `bootstrapValue` (`0` for a trajectory that ended,
/// as a completion does at its last token). `λ = 1` gives the Monte-Carlo advantage
/// `Σ_{s≥t} γ^{s−t} r_s + γ^{T−t} V_T − V_t`; `λ = 0` the one-step `δ_t`. The returns `R_t` are the
/// value head's regression targets.
public struct GeneralizedAdvantageEstimation: Sendable, Equatable {
  /// `A_t`, one per step.
  public let advantages: [Double]
  /// `R_t = A_t + V_t`, one per step.
  public let returns: [Double]

  /// The advantages and returns of rewards `r_t` and values `V_t` (`T` each).
  /// - Throws: ``ReinforcementError/shapeMismatch(_:)`` for different lengths,
  ///   ``ReinforcementError/invalidParameter(_:)`` unless `γ, λ ∈ [0, 1]`,
  ///   ``ReinforcementError/nonFinite(_:)`` for a non-finite input.
  public init(rewards: [Double], values: [Double], gamma: Double, lambda: Double, bootstrapValue: Double = 0) throws {
    guard rewards.count == values.count else {
      throw ReinforcementError.shapeMismatch("\(rewards.count) rewards for \(values.count) values")
    }
    guard (0...1).contains(gamma), (0...1).contains(lambda) else {
      throw ReinforcementError.invalidParameter("γ and λ must lie in [0, 1], got \(gamma), \(lambda)")
    }
    try requireFinite(rewards, "reward")
    try requireFinite(values, "value")
    try requireFinite([bootstrapValue], "bootstrap value")
    var advantages = [Double](repeating: 0, count: rewards.count)
    var next = 0.0
    var nextValue = bootstrapValue
    for t in stride(from: rewards.count - 1, through: 0, by: -1) {
      let delta = rewards[t] + gamma * nextValue - values[t]
      next = delta + gamma * lambda * next
      advantages[t] = next
      nextValue = values[t]
    }
    self.advantages = advantages
    self.returns = zip(advantages, values).map { $0 + $1 }
  }
}
