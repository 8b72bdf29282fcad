import Foundation
import SeededRandom

/// The categorical distribution `π = softmax(z)` defined by float64 logits `z` (entries `−∞`
/// have probability 0; at least one logit must be finite and none `+∞` or NaN).
public enum Categorical {
  /// `log π_v = z_v − m − log Σ_u exp(z_u − m)` with `m = max_u z_u` (stable for large logits).
  public static func logSoftmax(_ logits: [Double]) -> [Double] {
    let maximum = logits.max() ?? 0
    let logNormalizer = maximum + log(logits.reduce(0) { $0 + exp($1 - maximum) })
    return logits.map { $0 - logNormalizer }
  }

  /// `π_v = exp(z_v − m) / Σ_u exp(z_u − m)` with `m = max_u z_u`.
  public static func softmax(_ logits: [Double]) -> [Double] {
    let maximum = logits.max() ?? 0
    let unnormalized = logits.map { exp($0 - maximum) }
    let total = unnormalized.reduce(0, +)
    return unnormalized.map { $0 / total }
  }

  /// `argmax_v z_v`; ties go to the lowest index.
  public static func argmax(_ logits: [Double]) -> Int {
    var best = 0
    for index in logits.indices where logits[index] > logits[best] { best = index }
    return best
  }

  /// One draw from `π` by inversion: with `u` uniform in `[0, 1)` from
  /// `SeededGenerator.nextUnitInterval()` (one call per draw), the smallest `v`
  /// with `Σ_{u≤v} π_u > u · Σ_u π_u`. A token of probability 0 is never drawn.
  public static func sample(_ logits: [Double], using generator: inout SeededGenerator) -> Int {
    let probabilities = softmax(logits)
    let threshold = generator.nextUnitInterval() * probabilities.reduce(0, +)
    var cumulative = 0.0
    for index in probabilities.indices {
      cumulative += probabilities[index]
      if cumulative > threshold { return index }
    }
    // Rounding left the threshold at the total: the last token of non-zero probability.
    return probabilities.lastIndex { $0 > 0 }!
  }
}
