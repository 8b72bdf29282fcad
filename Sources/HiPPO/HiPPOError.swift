/// Errors raised when building, decomposing or discretising HiPPO operators.
public enum HiPPOError: Error, Equatable, CustomStringConvertible, Sendable {
  /// A state size that the operation cannot use (non-positive, or odd where
  /// conjugate pairs need `N/2`).
  case invalidStateSize(Int, reason: String)
  /// A measure or method parameter outside its domain (θ ≤ 0, β not finite, …).
  case invalidParameter(name: String, value: Double, reason: String)
  /// The time step is not a positive finite number.
  case invalidTimeStep(Double)
  /// A requested rank below the measure's natural rank (the correction would
  /// not make `A + PᵀP` normal).
  case rankTooSmall(measure: String, requested: Int, natural: Int)
  /// The measure has no normal-plus-low-rank form.
  case noRankCorrection(measure: String)
  /// `A + PᵀP − cI` was not skew-symmetric to working precision.
  case notNormalPlusLowRank(deviation: Double)
  /// Operand sizes disagree.
  case shapeMismatch(String)
  /// An input contained `NaN` or `±∞`.
  case nonFinite(String)
  /// A signal that is empty or too short for the request.
  case invalidSignal(String)

  public var description: String {
    switch self {
    case .invalidStateSize(let n, let reason):
      return "invalid state size \(n): \(reason)"
    case .invalidParameter(let name, let value, let reason):
      return "invalid \(name) = \(value): \(reason)"
    case .invalidTimeStep(let dt):
      return "invalid time step dt = \(dt): it must be positive and finite"
    case .rankTooSmall(let measure, let requested, let natural):
      return "rank \(requested) is below the natural rank \(natural) of \(measure)"
    case .noRankCorrection(let measure):
      return "\(measure) has no normal-plus-low-rank form (no rank correction P makes A + PᵀP normal)"
    case .notNormalPlusLowRank(let deviation):
      return "A + PᵀP − cI is not skew-symmetric (max deviation \(deviation))"
    case .shapeMismatch(let detail):
      return "shape mismatch: \(detail)"
    case .nonFinite(let detail):
      return "non-finite value (NaN or infinity) in \(detail)"
    case .invalidSignal(let detail):
      return "invalid signal: \(detail)"
    }
  }
}

/// Throws unless `dt` is positive and finite.
func requireValidTimeStep(_ dt: Double) throws {
  guard dt.isFinite, dt > 0 else { throw HiPPOError.invalidTimeStep(dt) }
}
