/// PPO-RLHF's per-token rewards of one completion of `T` tokens (Ziegler et al. 2019; TRL's
/// `PPOTrainer`): a KL penalty at every token and the task reward at the last,
///
///     r_t = −β (ℓ_t − ℓ_ref,t) + 𝟙[t = T − 1] · R,
///
/// with `ℓ_t`, `ℓ_ref,t` the token's log-probabilities under the sampling policy and the reference,
/// and `R` the completion's scalar reward. `Σ_t −β(ℓ_t − ℓ_ref,t)` is `−β` times the sampled
/// estimate of `KL(π ‖ π_ref)` of the completion.
public enum KLShapedRewards {
  /// The `T ≥ 1` per-token rewards.
  /// - Throws: ``ReinforcementError/shapeMismatch(_:)`` for arrays of different lengths or none,
  ///   ``ReinforcementError/invalidParameter(_:)`` for a negative `β`,
  ///   ``ReinforcementError/nonFinite(_:)`` for a non-finite input.
  public static func rewards(
    logProbabilities: [Double], referenceLogProbabilities: [Double], reward: Double, beta: Double
  ) throws -> [Double] {
    guard !logProbabilities.isEmpty, logProbabilities.count == referenceLogProbabilities.count else {
      throw ReinforcementError.shapeMismatch(
        "\(logProbabilities.count) log-probabilities for \(referenceLogProbabilities.count) reference ones")
    }
    guard beta >= 0, beta.isFinite else { throw ReinforcementError.invalidParameter("β must be ≥ 0, got \(beta)") }
    try requireFinite(logProbabilities, "log-probability")
    try requireFinite(referenceLogProbabilities, "reference log-probability")
    try requireFinite([reward], "reward")
    var shaped = zip(logProbabilities, referenceLogProbabilities).map { -beta * ($0 - $1) }
    shaped[shaped.count - 1] += reward
    return shaped
  }
}
