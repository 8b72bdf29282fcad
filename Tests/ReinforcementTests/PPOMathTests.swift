import Foundation
import Reinforcement
import Testing

@Suite struct PPOMathTests {
  @Test func gaeOnThreeStepsByHand() throws {
    // γ = 0.9, λ = 0.8, r = [1, 0, 2], V = [0.5, 0.4, 0.3], terminal:
    // δ₂ = 2 − 0.3 = 1.7, A₂ = 1.7; δ₁ = 0.9·0.3 − 0.4 = −0.13, A₁ = −0.13 + 0.72·1.7 = 1.094;
    // δ₀ = 1 + 0.9·0.4 − 0.5 = 0.86, A₀ = 0.86 + 0.72·1.094 = 1.64768.
    let gae = try GeneralizedAdvantageEstimation(rewards: [1, 0, 2], values: [0.5, 0.4, 0.3], gamma: 0.9, lambda: 0.8)
    for (value, expected) in zip(gae.advantages, [1.64768, 1.094, 1.7]) { #expect(abs(value - expected) < 1e-12) }
    for (value, expected) in zip(gae.returns, [2.14768, 1.494, 2.0]) { #expect(abs(value - expected) < 1e-12) }
  }

  @Test func gaeLimitsAreMonteCarloAndOneStep() throws {
    let rewards = [0.3, -1, 2, 0.5]
    let values = [0.1, 0.7, -0.2, 0.4]
    let (gamma, bootstrap) = (0.95, 0.6)
    let monteCarlo = try GeneralizedAdvantageEstimation(
      rewards: rewards, values: values, gamma: gamma, lambda: 1, bootstrapValue: bootstrap)
    let oneStep = try GeneralizedAdvantageEstimation(
      rewards: rewards, values: values, gamma: gamma, lambda: 0, bootstrapValue: bootstrap)
    for t in 0..<4 {
      var discounted = pow(gamma, Double(4 - t)) * bootstrap
      for s in t..<4 { discounted += pow(gamma, Double(s - t)) * rewards[s] }
      #expect(abs(monteCarlo.advantages[t] - (discounted - values[t])) < 1e-12)
      let next = t < 3 ? values[t + 1] : bootstrap
      #expect(abs(oneStep.advantages[t] - (rewards[t] + gamma * next - values[t])) < 1e-12)
    }
  }

  @Test func whiteningStandardises() throws {
    let values = [1.0, 2, 3, 4, 10]
    let whitened = try AdvantageWhitening.whiten(values)
    let mean = whitened.reduce(0, +) / 5
    let variance = whitened.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 4
    // Bessel variance 50/4 of the inputs (mean 4): the output's is σ²/(σ² + 10⁻⁸); float64 rounding only.
    #expect(abs(mean) < 1e-12)
    #expect(abs(variance - 12.5 / (12.5 + 1e-8)) < 1e-12)
    let kept = try AdvantageWhitening.whiten(values, shiftMean: false)
    #expect(abs(kept.reduce(0, +) / 5 - 4) < 1e-12)
    #expect(throws: ReinforcementError.self) { try AdvantageWhitening.whiten([1]) }
  }

  @Test func clippedValueLossByHand() throws {
    // ε = 0.2. (1) V = 1, V_old = 0.5, R = 0.8: (0.2)² vs clip → 0.7: (0.1)², max 0.04.
    // (2) V = 0, V_old = 0.1, R = 1: 1 vs clip → 0: 1, max 1.
    // (3) V = 0.2, V_old = 0.5, R = 0.1: (0.1)² vs clip → 0.3: (0.2)², max 0.04 (the clipped term wins).
    // ℒ = ½ (0.04 + 1 + 0.04)/3 = 0.18.
    let loss = try ClippedValueLoss.loss(
      values: [1, 0, 0.2], oldValues: [0.5, 0.1, 0.5], returns: [0.8, 1, 0.1], epsilon: 0.2)
    #expect(abs(loss - 0.18) < 1e-12)
    #expect(throws: ReinforcementError.self) {
      try ClippedValueLoss.loss(values: [1], oldValues: [1, 2], returns: [1], epsilon: 0.2)
    }
  }

  @Test func klShapedRewardsByHand() throws {
    // β = 0.1: r₀ = −0.1·(−1 + 1.5) = −0.05, r₁ = −0.1·(−2 + 1) + 1 = 1.1.
    let rewards = try KLShapedRewards.rewards(
      logProbabilities: [-1, -2], referenceLogProbabilities: [-1.5, -1], reward: 1, beta: 0.1)
    #expect(abs(rewards[0] + 0.05) < 1e-12 && abs(rewards[1] - 1.1) < 1e-12)
    #expect(throws: ReinforcementError.self) {
      try KLShapedRewards.rewards(logProbabilities: [], referenceLogProbabilities: [], reward: 1, beta: 0.1)
    }
  }

  @Test func rewardNormalizerMatchesTwoPassStatistics() throws {
    var normalizer = try RewardNormalizer(clip: 1.5)
    _ = try normalizer.normalize([1, 2, 3])
    let normalized = try normalizer.normalize([10, -4])
    // Two-pass population statistics of all five rewards.
    let all = [1.0, 2, 3, 10, -4]
    let mean = all.reduce(0, +) / 5
    let deviation = (all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 5).squareRoot()
    #expect(normalizer.count == 5)
    #expect(abs(normalizer.mean - mean) < 1e-12 && abs(normalizer.standardDeviation - deviation) < 1e-12)
    let expected = [10.0, -4].map { min(max(($0 - mean) / (deviation + 1e-8), -1.5), 1.5) }
    for (value, target) in zip(normalized, expected) { #expect(abs(value - target) < 1e-12) }
    #expect(normalized[0] == 1.5)  // (10 − 2.4)/4.499 > 1.5: clipped
    #expect(throws: ReinforcementError.self) { try normalizer.normalize([.infinity]) }
    #expect(throws: ReinforcementError.self) { try RewardNormalizer(clip: 0) }
  }
}
