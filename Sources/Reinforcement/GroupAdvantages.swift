/// How group-relative advantages are scaled after the group mean is subtracted.
public enum AdvantageScaling: String, Sendable, CaseIterable {
  /// Divide by the group's Bessel-corrected standard deviation plus `10⁻⁴` (GRPO, TRL's
  /// `scale_rewards="group"`).
  case groupStandardDeviation
  /// No division: `A = r − mean` (Dr. GRPO, Liu et al. 2025, TRL's `scale_rewards="none"`), which
  /// removes the bias towards groups of nearly equal rewards.
  case none
}

/// GRPO's advantages: every completion compared with the other completions of its prompt.
///
/// Rewards come in consecutive groups of `G` completions of one prompt. For group `g` with rewards
/// `r_1 … r_G`, mean `r̄` and Bessel-corrected standard deviation `s = √(Σ(r_i − r̄)²/(G − 1))`,
///
///     A_i = (r_i − r̄) / (s + 10⁻⁴)      (AdvantageScaling.groupStandardDeviation)
///     A_i = r_i − r̄                      (AdvantageScaling.none)
///
/// (TRL `GRPOTrainer`: `std(ddof = 1)` and `+ 1e-4`). A group whose rewards are all equal carries
/// no signal: its advantages are exactly `0` (never `0/0`), and it is counted in
/// ``zeroStandardDeviationFraction``.
public struct GroupAdvantages: Sendable, Equatable {
  /// The `10⁻⁴` added to the standard deviation.
  public static let standardDeviationOffset = 1e-4

  /// One advantage per completion, in the order of the rewards.
  public let values: [Double]
  /// The fraction of groups whose rewards are all equal (zero standard deviation).
  public let zeroStandardDeviationFraction: Double

  /// The advantages of `rewards` in groups of `groupSize`.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for `groupSize < 2` (no standard
  ///   deviation) or a reward count that is not a positive multiple of it,
  ///   ``ReinforcementError/nonFinite(_:)`` for a NaN or infinite reward.
  public init(rewards: [Double], groupSize: Int, scaling: AdvantageScaling = .groupStandardDeviation) throws {
    guard groupSize >= 2 else { throw ReinforcementError.invalidParameter("group size must be ≥ 2, got \(groupSize)") }
    guard !rewards.isEmpty, rewards.count.isMultiple(of: groupSize) else {
      throw ReinforcementError.invalidParameter(
        "\(rewards.count) rewards do not form whole groups of \(groupSize)")
    }
    try requireFinite(rewards, "reward")
    var values: [Double] = []
    values.reserveCapacity(rewards.count)
    var flatGroups = 0
    for start in stride(from: 0, to: rewards.count, by: groupSize) {
      let group = rewards[start..<(start + groupSize)]
      if group.allSatisfy({ $0 == group.first }) {
        flatGroups += 1
        values += [Double](repeating: 0, count: groupSize)
        continue
      }
      let mean = group.reduce(0, +) / Double(groupSize)
      switch scaling {
      case .none:
        values += group.map { $0 - mean }
      case .groupStandardDeviation:
        let variance = group.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(groupSize - 1)
        let scale = variance.squareRoot() + Self.standardDeviationOffset
        values += group.map { ($0 - mean) / scale }
      }
    }
    self.values = values
    self.zeroStandardDeviationFraction = Double(flatGroups) / Double(rewards.count / groupSize)
  }
}
