import Autodiff
import Foundation
import ModelTestSupport
import Models
import Reinforcement
import Testing

@Suite("PPO loss: the policy and value terms on the tape")
struct PPOLossTests {
  /// ℒ = ℒ_π + c_V ℒ_V on two tokens, every term by hand (ε = ε_V = 0.2, w = ½ each, c_V = 0.1):
  /// - token 0: ρ = 1.1, A = 1: unclipped (1.1 < 1.2), J = 1.1, ∂J/∂ℓ = ρA = 1.1;
  /// - token 1: ρ = 0.7, A = 1: min(0.7, 0.8) = 0.7 unclipped, ∂J/∂ℓ = 0.7;
  ///   ℒ_π = −½(1.1 + 0.7) = −0.9, ∂ℒ_π/∂ℓ = (−0.55, −0.35);
  /// - value 0: V = 0.5, V_old = 0.4, R = 1: clip(0.5) = 0.5 (inside), ½(0.5)² = 0.125, ∂ = V − R = −0.5;
  /// - value 1: V = −0.5, V_old = 1, R = 0: clip = 0.8, (0.8)² = 0.64 > (−0.5)² = 0.25, so the
  ///   clipped error counts: ½·0.64 = 0.32, ∂ = 0;
  ///   ℒ_V = ½(0.125 + 0.32) = 0.2225, ∂ℒ_V/∂V = (−0.25, 0);
  /// - ℒ = −0.9 + 0.1·0.2225 = −0.87775.
  /// Tolerance 1e-6: the terms are summed in float64 and rounded to float32 once (≈ 6e-8 here).
  @Test func policyAndValueTermsOnAHandExample() throws {
    let sampling = [-1.2, -0.4]
    let ratios = [1.1, 0.7]
    let tape = Tape()
    let logProbabilities = tape.constant(
      try Tensor(shape: [2], values: zip(sampling, ratios).map { Float($0 + log($1)) }))
    let values = tape.constant(try Tensor(shape: [2], values: [0.5, -0.5]))
    let surrogate = try ClippedSurrogate(epsilon: 0.2)
    let policy = try tape.grpoLoss(
      logProbabilities: logProbabilities, samplingLogProbabilities: sampling, referenceLogProbabilities: nil,
      advantages: [1, 1], weights: [0.5, 0.5], surrogate: surrogate, beta: 0)
    let value = try tape.clippedValueLoss(
      values, oldValues: [0.4, 1], returns: [1, 0], weights: [0.5, 0.5], epsilon: 0.2)
    let loss = try tape.add(policy, tape.scale(value, by: 0.1))
    let gradients = try tape.backward(loss)
    #expect(abs(tape.value(policy).scalar - -0.9) <= 1e-6)
    #expect(abs(tape.value(value).scalar - 0.2225) <= 1e-6)
    #expect(abs(tape.value(loss).scalar - -0.87775) <= 1e-6)
    let policyGradient = try #require(gradients[logProbabilities]).values
    let valueGradient = try #require(gradients[values]).values
    for (computed, expected) in zip(policyGradient, [Float(-0.55), -0.35]) { #expect(abs(computed - expected) <= 1e-6) }
    // c_V · ∂ℒ_V/∂V = 0.1 · (−0.25, 0); the clipped value's gradient is exactly 0.
    #expect(abs(valueGradient[0] - -0.025) <= 1e-6 && valueGradient[1] == 0)
    // Weights 1/K give the reference mean of ClippedValueLoss.
    #expect(
      abs(
        try ClippedValueLoss.loss(values: [0.5, -0.5], oldValues: [0.4, 1], returns: [1, 0], epsilon: 0.2) - 0.2225)
        <= 1e-12)
  }

  /// With ratio 1 and advantage 0 the policy term is 0 and so is its gradient (exactly): nothing
  /// for the policy to follow.
  @Test func ratioOneAndAdvantageZeroGiveNoPolicySignal() throws {
    let tape = Tape()
    let logProbabilities = tape.constant(try Tensor(shape: [3], values: [-0.3, -2, -1.1]))
    let loss = try tape.grpoLoss(
      logProbabilities: logProbabilities, samplingLogProbabilities: [-0.3, -2, -1.1].map { Double(Float($0)) },
      referenceLogProbabilities: nil, advantages: [0, 0, 0], weights: [1.0 / 3, 1.0 / 3, 1.0 / 3],
      surrogate: try ClippedSurrogate(), beta: 0)
    let gradients = try tape.backward(loss)
    #expect(tape.value(loss).scalar == 0)
    #expect(try #require(gradients[logProbabilities]).values == [0, 0, 0])
  }

  @Test func clippedValueLossGradientMatchesFiniteDifferences() throws {
    // Values at least 0.1 from every kink (V_old ± ε and the point where the two errors cross),
    // so the step h = 1e-2 of checkGradients never crosses a branch; tolerance as there.
    let oldValues = [0.0, 1.0, -0.5, 0.3]
    let returns = [1.0, -1.0, -2.0, 0.3]
    // V = 0.1 (inside), 1.6 (above the range, unclipped error larger), −1.5 (below it, clipped error
    // larger: gradient 0), 0.6 (above it, unclipped error larger).
    try checkGradients([try Tensor(shape: [4], values: [0.1, 1.6, -1.5, 0.6])]) { tape, inputs in
      try tape.clippedValueLoss(
        inputs[0], oldValues: oldValues, returns: returns, weights: [0.25, 0.5, 1, 2], epsilon: 0.2)
    }
  }

  @Test func clippedValueLossRefusesBadInput() throws {
    let tape = Tape()
    let values = tape.constant(try Tensor(shape: [2], values: [0, 1]))
    #expect(throws: ReinforcementError.self) {
      try tape.clippedValueLoss(values, oldValues: [0], returns: [0, 0], weights: [1, 1], epsilon: 0.2)
    }
    #expect(throws: ReinforcementError.self) {
      try tape.clippedValueLoss(values, oldValues: [0, 0], returns: [0, 0], weights: [1, 1], epsilon: -1)
    }
    #expect(throws: ReinforcementError.nonFinite("returns[1] = nan")) {
      try tape.clippedValueLoss(values, oldValues: [0, 0], returns: [0, .nan], weights: [1, 1], epsilon: 0.2)
    }
  }
}
