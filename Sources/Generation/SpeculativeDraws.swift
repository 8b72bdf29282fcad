import SeededRandom

/// The random choices of speculative decoding (``speculativeGenerate(target:draft:prompt:options:speculation:)``):
/// categorical draws (draft tokens, residual and bonus tokens) and accept/reject coin flips.
///
/// Every random decision of the algorithm goes through these two calls with the exact
/// probabilities it uses, so a conformer that follows each branch in turn can compute the
/// law of the output exactly (the tests enumerate it to 1e-12).
public protocol SpeculativeDraws {
  /// A token `v` drawn with probability `probabilities[v]` (non-negative, summing to 1 up to
  /// rounding); a token of probability 0 is never drawn.
  mutating func draw(from probabilities: [Double]) -> Int
  /// `true` with probability `probability` (clamped to `[0, 1]`).
  mutating func accept(withProbability probability: Double) -> Bool
}

extension SeededGenerator: SpeculativeDraws {
  /// The only token of non-zero probability without consuming a draw (so greedy decoding uses no
  /// randomness); otherwise inversion with one `nextUnitInterval()` `u`: the smallest `v` with
  /// `Σ_{w≤v} π_w > u · Σ_w π_w`.
  public mutating func draw(from probabilities: [Double]) -> Int {
    let support = probabilities.indices.filter { probabilities[$0] > 0 }
    if support.count == 1 { return support[0] }
    let threshold = nextUnitInterval() * probabilities.reduce(0, +)
    var cumulative = 0.0
    for index in support {
      cumulative += probabilities[index]
      if cumulative > threshold { return index }
    }
    // Rounding left the threshold at the total: the last token of non-zero probability.
    return support.last!
  }

  /// `u < probability` for one `nextUnitInterval()` `u` ∈ `[0, 1)`, which holds with probability
  /// exactly `probability`; certain outcomes (`≤ 0`, `≥ 1`) consume no draw.
  public mutating func accept(withProbability probability: Double) -> Bool {
    if probability >= 1 { return true }
    if probability <= 0 { return false }
    return nextUnitInterval() < probability
  }
}
