import Foundation

/// Medusa's typical acceptance (Cai et al. 2024): a candidate token `x` is accepted under the
/// backbone's distribution `p` when
///
///     p(x) > min(ε, δ · exp(−H(p))),    H(p) = −Σ_v p(v) log p(v)  (nats)
///
/// with the published defaults `ε = 0.09`, `δ = 0.3`. A confident `p` (small `H`) needs
/// `p(x) > ε`; a flat one accepts tokens down to `δ e^{−H}`. This rule changes the output law:
/// it is not lossless the way the exact speculative rule is.
public struct TypicalAcceptance: Sendable, Equatable {
  /// `ε`, the hard threshold.
  public let epsilon: Double
  /// `δ`, the entropy-scaled threshold's factor.
  public let delta: Double

  /// Throws ``MedusaError/invalidTypicalParameter(name:value:)`` unless both are finite and > 0.
  public init(epsilon: Double = 0.09, delta: Double = 0.3) throws {
    for (name, value) in [("epsilon", epsilon), ("delta", delta)] where !(value.isFinite && value > 0) {
      throw MedusaError.invalidTypicalParameter(name: name, value: value)
    }
    self.epsilon = epsilon
    self.delta = delta
  }

  /// The published defaults `ε = 0.09`, `δ = 0.3`.
  public static let published = try! TypicalAcceptance()

  /// `min(ε, δ · exp(−H(p)))` for probabilities `p` (terms with `p(v) = 0` add nothing to `H`).
  public func threshold(_ probabilities: [Double]) -> Double {
    let entropy = probabilities.reduce(0.0) { $1 > 0 ? $0 - $1 * log($1) : $0 }
    return min(epsilon, delta * exp(-entropy))
  }

  /// Whether `token` is accepted under `probabilities`; throws
  /// ``MedusaError/tokenOutOfRange(token:vocabulary:)`` for a token outside them.
  public func accepts(_ token: Int, probabilities: [Double]) throws -> Bool {
    guard probabilities.indices.contains(token) else {
      throw MedusaError.tokenOutOfRange(token: token, vocabulary: probabilities.count)
    }
    return probabilities[token] > threshold(probabilities)
  }
}
