import Foundation

/// Schulman's "k3" estimator of `KL(π_θ ‖ π_ref)` from one token sampled from `π_θ`, the KL term
/// of GRPO (DeepSeekMath eq. 4, TRL's `per_token_kl`):
///
///     k3 = exp(ℓ_ref − ℓ) − (ℓ_ref − ℓ) − 1,     ∂k3/∂ℓ = 1 − exp(ℓ_ref − ℓ),
///
/// with `ℓ = log π_θ(y)` and `ℓ_ref = log π_ref(y)`. It is `≥ 0` (since `eˣ ≥ 1 + x`), `0` when the
/// two log-probabilities agree, and unbiased: `E_{y∼π_θ}[k3] = Σ_y π_ref(y) + KL(π_θ‖π_ref) − 1 =
/// KL(π_θ ‖ π_ref)`.
public enum K3Divergence {
  /// `k3` and `∂k3/∂ℓ` for the token's log-probability `ℓ` under the policy and `ℓ_ref` under the
  /// reference.
  public static func evaluate(logProbability: Double, referenceLogProbability: Double) -> (
    value: Double, derivative: Double
  ) {
    let difference = referenceLogProbability - logProbability
    let ratio = exp(difference)
    return (ratio - difference - 1, 1 - ratio)
  }
}
