import Foundation

/// PPO's clipped surrogate objective for one token (Schulman et al. 2017), as GRPO uses it:
///
///     J(ℓ) = min(ρA, clip(ρ, 1 − ε_low, 1 + ε_high) A),   ρ = exp(ℓ − ℓ_old),
///
/// with `ℓ = log π_θ(y_t | …)` the current log-probability of the sampled token, `ℓ_old` the
/// sampling policy's, and `A` the advantage. The loss is `−J`. Its derivative is
///
///     ∂J/∂ℓ = ρA  where the unclipped term is the minimum (ρA ≤ clip(ρ)A),   0 elsewhere,
///
/// so the gradient vanishes exactly when the ratio has left `[1 − ε_low, 1 + ε_high]` in the
/// direction the advantage rewards (`ρ > 1 + ε_high` with `A > 0`, `ρ < 1 − ε_low` with `A < 0`).
/// `ε_high > ε_low` is DAPO's "clip higher".
public struct ClippedSurrogate: Sendable, Equatable {
  /// `ε_low ∈ [0, 1)`: the ratio's lower bound is `1 − ε_low`.
  public let epsilonLow: Double
  /// `ε_high ≥ 0`: the ratio's upper bound is `1 + ε_high`.
  public let epsilonHigh: Double

  /// The surrogate with bounds `1 − epsilon` and `1 + (epsilonHigh ?? epsilon)` (TRL's `epsilon`,
  /// `epsilon_high`; default 0.2).
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` unless `0 ≤ ε_low < 1` and `ε_high ≥ 0`.
  public init(epsilon: Double = 0.2, epsilonHigh: Double? = nil) throws {
    let high = epsilonHigh ?? epsilon
    guard epsilon >= 0, epsilon < 1, high >= 0, high.isFinite else {
      throw ReinforcementError.invalidParameter(
        "clip ε must satisfy 0 ≤ ε_low < 1 and 0 ≤ ε_high, got \(epsilon), \(high)")
    }
    self.epsilonLow = epsilon
    self.epsilonHigh = high
  }

  /// `clip(ρ, 1 − ε_low, 1 + ε_high)`.
  public func clippedRatio(_ ratio: Double) -> Double { min(max(ratio, 1 - epsilonLow), 1 + epsilonHigh) }

  /// `J` and `∂J/∂ℓ` for log-ratio `ℓ − ℓ_old` and advantage `A`.
  public func evaluate(logRatio: Double, advantage: Double) -> (objective: Double, derivative: Double) {
    let ratio = exp(logRatio)
    let unclipped = ratio * advantage
    let clipped = clippedRatio(ratio) * advantage
    return unclipped <= clipped ? (unclipped, unclipped) : (clipped, 0)
  }

  /// Whether the clip is active: the gradient through this token is cut (``evaluate(logRatio:advantage:)``
  /// gives derivative 0 with `A ≠ 0`).
  public func isClipped(logRatio: Double, advantage: Double) -> Bool {
    let ratio = exp(logRatio)
    return ratio * advantage > clippedRatio(ratio) * advantage
  }
}
