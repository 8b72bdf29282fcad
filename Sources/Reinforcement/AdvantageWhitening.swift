/// Whitening of advantages across a batch, as PPO-RLHF implementations do (TRL's `masked_whiten`):
///
///     x̂_i = (x_i − μ) / √(σ² + 10⁻⁸)          (shiftMean = true)
///     x̂_i = (x_i − μ) / √(σ² + 10⁻⁸) + μ      (shiftMean = false: the scale changes, the mean stays)
///
/// with `μ` the mean and `σ²` the Bessel-corrected variance `Σ(x_i − μ)²/(n − 1)` of the `n ≥ 2` values.
public enum AdvantageWhitening {
  /// The `10⁻⁸` under the square root, so that a constant batch gives finite values.
  public static let varianceOffset = 1e-8

  /// The whitened `values`.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for fewer than two values,
  ///   ``ReinforcementError/nonFinite(_:)`` for a non-finite one.
  public static func whiten(_ values: [Double], shiftMean: Bool = true) throws -> [Double] {
    guard values.count >= 2 else {
      throw ReinforcementError.invalidParameter("whitening needs at least 2 values, got \(values.count)")
    }
    try requireFinite(values, "advantage")
    let n = Double(values.count)
    let mean = values.reduce(0, +) / n
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    let scale = 1 / (variance + varianceOffset).squareRoot()
    return values.map { ($0 - mean) * scale + (shiftMean ? 0 : mean) }
  }
}
