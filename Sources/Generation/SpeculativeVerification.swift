/// The acceptance rule of speculative sampling (Leviathan et al. 2023, Chen et al. 2023), for
/// one draft of `k` tokens `d_1 … d_k` drawn from the draft distributions `q_1 … q_k` and scored
/// by the target distributions `p_1 … p_{k+1}` (all over the same `V` tokens).
///
/// Token `d_i` is accepted with probability `min(1, p_i(d_i) / q_i(d_i))`. At the first
/// rejection `i`, the next token is drawn from the residual `norm(max(0, p_i − q_i))` and the
/// rest of the draft is dropped; if all `k` are accepted, a bonus token is drawn from
/// `p_{k+1}`. Whatever `q`, each emitted token then has the law `p_i` given the tokens before
/// it, *provided `q_i` is the distribution `d_i` was actually drawn from* (a greedy draft has a
/// one-hot `q_i`).
public enum SpeculativeVerification {
  /// `min(1, p(x) / q(x))`; `0` when `q(x) = 0` (a token the draft could not have proposed).
  public static func acceptanceProbability(target p: [Double], draft q: [Double], token x: Int) -> Double {
    q[x] > 0 ? min(1, p[x] / q[x]) : 0
  }

  /// `r = max(0, p − q) / Σ_v max(0, p_v − q_v)`. When the sum is 0 (`p = q`, so a rejection
  /// has probability 0) the result is `p`, a valid distribution that is never drawn from.
  public static func residual(target p: [Double], draft q: [Double]) -> [Double] {
    let excess = zip(p, q).map { max(0, $0 - $1) }
    let total = excess.reduce(0, +)
    return total > 0 ? excess.map { $0 / total } : p
  }

  /// Verifies `draftTokens` (`k ≥ 0`) against `targetDistributions` (`k + 1` rows):
  /// the number of leading draft tokens accepted, `0 … k`, and the token that follows them (the
  /// residual draw after a rejection, or the bonus draw from `p_{k+1}`).
  public static func verify<Draws: SpeculativeDraws>(
    draftTokens: [Int], draftDistributions: [[Double]], targetDistributions: [[Double]], draws: inout Draws
  ) -> (accepted: Int, next: Int) {
    for (index, token) in draftTokens.enumerated() {
      let (p, q) = (targetDistributions[index], draftDistributions[index])
      if !draws.accept(withProbability: acceptanceProbability(target: p, draft: q, token: token)) {
        return (index, draws.draw(from: residual(target: p, draft: q)))
      }
    }
    return (draftTokens.count, draws.draw(from: targetDistributions[draftTokens.count]))
  }
}
