import Foundation

/// The sampling warpers, in the order ``SamplingParameters`` applies them: temperature →
/// top-k → top-p → min-p → typical (HuggingFace's `TemperatureLogitsWarper`, `TopKLogitsWarper`,
/// `TopPLogitsWarper`, `MinPLogitsWarper`, `TypicalLogitsWarper` with `min_tokens_to_keep = 1`).
/// Each truncation keeps at least one token.
extension LogitsProcessor {
  /// Temperature scaling `z ← z / T` for `T > 0`.
  public static func applyTemperature(_ logits: inout [Double], temperature: Double) {
    guard temperature != 1 else { return }
    for index in logits.indices { logits[index] /= temperature }
  }

  /// Top-k filtering: with `z_(k)` the `k`-th largest logit, every `z_v < z_(k)` becomes `−∞`.
  /// Every logit tied with the `k`-th is kept, so more than `k` tokens remain on ties (as in
  /// HuggingFace); `k ≥ V` keeps all.
  public static func applyTopK(_ logits: inout [Double], k: Int) {
    guard k < logits.count else { return }
    let kth = logits.sorted(by: >)[k - 1]
    for index in logits.indices where logits[index] < kth { logits[index] = -.infinity }
  }

  /// Top-p (nucleus) filtering, HuggingFace semantics: with `π = softmax(z)`, sort the tokens by
  /// `π` descending (ties: lower index first) and keep the smallest prefix `S` whose mass
  /// `Σ_{v∈S} π_v ≥ p`; the others get `−∞`. The most likely token is always kept, and
  /// `p = 1` keeps every token of non-zero probability.
  public static func applyTopP(_ logits: inout [Double], p: Double) {
    let probabilities = Categorical.softmax(logits)
    var mass = 0.0
    var kept = 0
    let order = rankedDescending(probabilities)
    while kept < order.count && (kept == 0 || mass < p) {
      mass += probabilities[order[kept]]
      kept += 1
    }
    for index in order[kept...] { logits[index] = -.infinity }
  }

  /// Min-p filtering (Nguyen et al. 2024): with `π = softmax(z)`, every token with
  /// `π_v < p · max_u π_u` gets `−∞` (`p ∈ [0, 1]`; `p = 0` keeps all, `p = 1` keeps the
  /// tokens tied with the most likely).
  public static func applyMinP(_ logits: inout [Double], p: Double) {
    let probabilities = Categorical.softmax(logits)
    let threshold = p * (probabilities.max() ?? 0)
    for index in logits.indices where probabilities[index] < threshold { logits[index] = -.infinity }
  }

  /// Locally typical filtering (Meister et al. 2022), HuggingFace semantics, for mass
  /// `τ ∈ (0, 1)`: with `π = softmax(z)` and entropy `H = −Σ_v π_v log π_v`, each token deviates
  /// by `d_v = |−log π_v − H|`. Sort the tokens by `d` ascending, let `c_j` be the cumulative
  /// `π` of the first `j + 1` of them (`j = 0, 1, …`) and `J = min(#{j : c_j < τ}, V − 1)`; every
  /// token whose deviation exceeds that of the token at sorted position `J` gets `−∞` (ties with
  /// it are kept, so the kept mass reaches `τ`). Removed tokens (`π_v = 0`, `d_v = ∞`) stay
  /// removed.
  public static func applyTypical(_ logits: inout [Double], mass: Double) {
    let logProbabilities = Categorical.logSoftmax(logits)
    let probabilities = logProbabilities.map { exp($0) }
    let entropy = -logits.indices.reduce(0.0) { sum, v in
      probabilities[v] > 0 ? sum + probabilities[v] * logProbabilities[v] : sum
    }
    let deviations = logProbabilities.map { abs(-$0 - entropy) }
    let order = logits.indices.sorted {
      deviations[$0] < deviations[$1] || (deviations[$0] == deviations[$1] && $0 < $1)
    }
    var cumulative = 0.0
    var below = 0
    for index in order {
      cumulative += probabilities[index]
      guard cumulative < mass else { break }
      below += 1
    }
    let threshold = deviations[order[min(below, order.count - 1)]]
    for index in logits.indices where deviations[index] > threshold { logits[index] = -.infinity }
  }

  /// The truncation warpers of `sampling` that are on, in order: top-k, top-p, min-p, typical
  /// (temperature, the first warper, is applied by the caller before its overflow check).
  static func applyTruncation(_ logits: inout [Double], sampling: SamplingParameters) {
    if let k = sampling.topK { applyTopK(&logits, k: k) }
    if sampling.topP < 1 { applyTopP(&logits, p: sampling.topP) }
    if sampling.minP > 0 { applyMinP(&logits, p: sampling.minP) }
    if sampling.typicalP < 1 { applyTypical(&logits, mass: sampling.typicalP) }
  }

  /// Indices of `values` by value descending, ties by index ascending.
  static func rankedDescending(_ values: [Double]) -> [Int] {
    values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
  }
}
