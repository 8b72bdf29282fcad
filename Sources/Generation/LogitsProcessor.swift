/// The logit transformations of generation, in the order ``generate(_:prompt:options:)``
/// applies them (HuggingFace's order): repetition penalty → temperature → top-k → top-p.
///
/// Logits are float64; a removed token gets the logit `−∞` (probability 0).
public enum LogitsProcessor {
  /// The CTRL repetition penalty (Keskar et al. 2019, as in HuggingFace's
  /// `RepetitionPenaltyLogitsProcessor`): for every distinct token `v` in `history`,
  /// `z_v ← z_v / θ` if `z_v > 0`, else `z_v ← z_v · θ` (so `θ > 1` makes repeats less likely).
  /// Each token is penalised once however often it occurs; other logits are unchanged.
  public static func applyRepetitionPenalty(_ logits: inout [Double], history: [Int], penalty: Double) {
    guard penalty != 1 else { return }
    for token in Set(history) {
      logits[token] = logits[token] > 0 ? logits[token] / penalty : logits[token] * penalty
    }
  }

  /// Temperature scaling `z ← z / T` for `T > 0`.
  public static func applyTemperature(_ logits: inout [Double], temperature: Double) {
    guard temperature != 1 else { return }
    for index in logits.indices { logits[index] /= temperature }
  }

  /// Top-k filtering: keeps the `k` largest logits and sets the others to `−∞`.
  ///
  /// Ties are broken by token index: logits are ranked by (value descending, index ascending)
  /// and the first `k` survive, so exactly `min(k, V)` tokens remain and, among equal logits
  /// at the boundary, the lower indices are kept. (HuggingFace keeps every token whose logit
  /// equals the `k`-th largest, which can keep more than `k` on ties.) `k = 1` keeps the
  /// greedy ``Categorical/argmax(_:)``.
  public static func applyTopK(_ logits: inout [Double], k: Int) {
    guard k < logits.count else { return }
    for index in rankedDescending(logits)[k...] { logits[index] = -.infinity }
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

  /// Indices of `values` by value descending, ties by index ascending.
  static func rankedDescending(_ values: [Double]) -> [Int] {
    values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
  }
}
