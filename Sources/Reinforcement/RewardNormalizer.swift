/// Reward normalisation and clipping (PPO-max, Zheng et al. 2023): each reward is standardised by
/// the running mean and standard deviation of every reward seen so far and clipped,
///
///     r̂ = clip((r − μ_n) / (σ_n + 10⁻⁸), −c, c),
///
/// where `μ_n` and `σ_n` (population standard deviation) cover the `n` rewards observed so far,
/// this batch included; they are updated with Welford's algorithm (Chan et al.'s batch merge),
/// which stays accurate where `Σr²/n − μ²` cancels.
public struct RewardNormalizer: Sendable, Equatable {
  /// `c > 0`: normalised rewards are clipped to `[−c, c]`.
  public let clip: Double
  /// Rewards observed.
  public private(set) var count = 0
  /// Their mean `μ_n`.
  public private(set) var mean = 0.0
  /// `Σ(r − μ_n)²` over them.
  public private(set) var squaredDeviations = 0.0

  /// A normaliser that has seen nothing, clipping at `±clip`.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` unless `clip > 0`.
  public init(clip: Double = 5) throws {
    guard clip > 0 else { throw ReinforcementError.invalidParameter("reward clip must be > 0, got \(clip)") }
    self.clip = clip
  }

  /// A normaliser continuing from saved statistics (``count``, ``mean``, ``squaredDeviations`` of
  /// another one), so that a resumed run normalises as the uninterrupted one.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` unless `clip > 0`, `count ≥ 0` and
  ///   `squaredDeviations ≥ 0`, ``ReinforcementError/nonFinite(_:)`` for a non-finite statistic.
  public init(clip: Double, count: Int, mean: Double, squaredDeviations: Double) throws {
    try self.init(clip: clip)
    try requireFinite([mean, squaredDeviations], "reward statistic")
    guard count >= 0, squaredDeviations >= 0 else {
      throw ReinforcementError.invalidParameter(
        "reward statistics need count ≥ 0 and Σ(r − μ)² ≥ 0, got \(count), \(squaredDeviations)")
    }
    self.count = count
    self.mean = mean
    self.squaredDeviations = squaredDeviations
  }

  /// The population standard deviation `σ_n` of the rewards observed (0 before two).
  public var standardDeviation: Double { count > 0 ? (squaredDeviations / Double(count)).squareRoot() : 0 }

  /// Adds `rewards` to the running statistics, then returns them normalised and clipped.
  /// - Throws: ``ReinforcementError/nonFinite(_:)`` for a non-finite reward (nothing is updated).
  public mutating func normalize(_ rewards: [Double]) throws -> [Double] {
    try requireFinite(rewards, "reward")
    guard !rewards.isEmpty else { return [] }
    let batchCount = Double(rewards.count)
    let batchMean = rewards.reduce(0, +) / batchCount
    let batchDeviations = rewards.reduce(0) { $0 + ($1 - batchMean) * ($1 - batchMean) }
    let total = Double(count) + batchCount
    let delta = batchMean - mean
    mean += delta * batchCount / total
    squaredDeviations += batchDeviations + delta * delta * Double(count) * batchCount / total
    count += rewards.count
    let scale = standardDeviation + 1e-8
    return rewards.map { min(max(($0 - mean) / scale, -clip), clip) }
  }
}
