import Autodiff
import Foundation
import ModelTestSupport
import Reinforcement
import Testing

@Suite struct SurrogateTests {
  let surrogate = try! ClippedSurrogate(epsilon: 0.2)

  @Test func clipZeroesGradientsOutsideTheTrustRegion() {
    // (ratio, advantage, expected ∂J/∂ℓ): clipped where the advantage would push the ratio further out.
    let cases: [(Double, Double, Double)] = [
      (1.5, 1, 0), (0.5, -1, 0),  // beyond 1 ± ε in the rewarded direction: cut
      (1.5, -1, -1.5), (0.5, 1, 0.5),  // beyond, but the unclipped term is the minimum: ρA flows
      (1.1, 1, 1.1), (0.9, -2, -1.8),  // inside: ρA
    ]
    for (ratio, advantage, expected) in cases {
      let (objective, derivative) = surrogate.evaluate(logRatio: log(ratio), advantage: advantage)
      #expect(abs(derivative - expected) < 1e-12, "ρ = \(ratio), A = \(advantage)")
      #expect(abs(objective - min(ratio * advantage, min(max(ratio, 0.8), 1.2) * advantage)) < 1e-12)
      #expect(surrogate.isClipped(logRatio: log(ratio), advantage: advantage) == (expected == 0))
    }
    let higher = try! ClippedSurrogate(epsilon: 0.2, epsilonHigh: 0.28)
    #expect(higher.evaluate(logRatio: log(1.25), advantage: 1).derivative > 0)
    #expect(throws: ReinforcementError.self) { try ClippedSurrogate(epsilon: 1) }
  }

  @Test func k3IsNonNegativeZeroAtEqualityAndUnbiased() {
    let policyLogits = [0.3, -1.2, 2.0, 0.1, -0.5]
    let referenceLogits = [1.0, 0.4, -0.3, 0.2, -2.0]
    func logSoftmax(_ z: [Double]) -> [Double] {
      let total = log(z.map { exp($0) }.reduce(0, +))
      return z.map { $0 - total }
    }
    let (policy, reference) = (logSoftmax(policyLogits), logSoftmax(referenceLogits))
    var expectation = 0.0
    var divergence = 0.0
    for (l, r) in zip(policy, reference) {
      let k3 = K3Divergence.evaluate(logProbability: l, referenceLogProbability: r).value
      #expect(k3 >= 0)
      #expect(K3Divergence.evaluate(logProbability: l, referenceLogProbability: l).value == 0)
      expectation += exp(l) * k3
      divergence += exp(l) * (l - r)
    }
    // E_π[k3] = KL(π‖π_ref) exactly; float64 sums of 5 terms.
    #expect(abs(expectation - divergence) < 1e-12)
    #expect(divergence > 0.1)
  }

  @Test func ratioOneAndNoKLGiveZeroLossButAGradient() throws {
    // Advantages of one group (±0.866), equal weights: ℒ = −Σ w A = 0, ∂ℒ/∂ℓ_k = −w A_k ≠ 0.
    let advantages = try GroupAdvantages(rewards: [1, 0, 0, 1], groupSize: 4).values
    let logProbabilities: [Float] = [-0.5, -1.25, -2, -0.75]
    let tape = Tape()
    let input = tape.constant(try Tensor(shape: [4], values: logProbabilities))
    let loss = try tape.grpoLoss(
      logProbabilities: input, samplingLogProbabilities: logProbabilities.map(Double.init),
      referenceLogProbabilities: nil, advantages: advantages, weights: [0.25, 0.25, 0.25, 0.25],
      surrogate: surrogate, beta: 0)
    #expect(abs(tape.value(loss).scalar) < 1e-7)  // float32 rounding of a sum of four ±0.2165
    let gradient = try tape.backward(loss)[input]!
    for (g, a) in zip(gradient.values, advantages) { #expect(abs(Double(g) + 0.25 * a) < 1e-6) }
  }

  @Test func clippedTokensGetNoGradientOnTheTape() throws {
    let logProbabilities: [Float] = [-1, -1, -1, -1]
    let ratios = [1.5, 0.5, 1.5, 1.1]
    let advantages = [1.0, -1, -1, 1]
    let tape = Tape()
    let input = tape.constant(try Tensor(shape: [4], values: logProbabilities))
    let loss = try tape.grpoLoss(
      logProbabilities: input, samplingLogProbabilities: ratios.map { -1 - log($0) },
      referenceLogProbabilities: nil, advantages: advantages, weights: [1, 1, 1, 1], surrogate: surrogate, beta: 0)
    let gradient = try tape.backward(loss)[input]!.values
    // −∂J/∂ℓ: 0, 0, −ρA = 1.5, −ρA = −1.1 (float32 tolerance).
    for (g, expected) in zip(gradient, [0.0, 0, 1.5, -1.1]) { #expect(abs(Double(g) - expected) < 1e-5) }
  }

  @Test func lossMatchesTheAggregatedPerTokenLosses() throws {
    // Two completions (3 and 2 tokens), β = 0.04, grpo aggregation: the tape's value equals the
    // pure functions combined by LossAggregation.aggregate.
    let current: [Double] = [-0.3, -1.1, -2.2, -0.7, -1.6]
    let old: [Double] = [-0.4, -0.9, -2.0, -0.7, -1.2]
    let reference: [Double] = [-0.2, -1.5, -1.9, -0.9, -1.0]
    let tokenAdvantages = [0.9, 0.9, 0.9, -0.6, -0.6]
    let beta = 0.04
    let perToken = (0..<5).map { k in
      -surrogate.evaluate(logRatio: current[k] - old[k], advantage: tokenAdvantages[k]).objective + beta
        * K3Divergence.evaluate(logProbability: current[k], referenceLogProbability: reference[k]).value
    }
    let expected = try LossAggregation.grpo.aggregate(
      [Array(perToken[0..<3]), Array(perToken[3...])], maxCompletionLength: 4)
    let weights = try LossAggregation.grpo.weights(completionLengths: [3, 2], maxCompletionLength: 4)
    let tape = Tape()
    let input = tape.constant(try Tensor(shape: [5], values: current.map(Float.init)))
    let loss = try tape.grpoLoss(
      logProbabilities: input, samplingLogProbabilities: old, referenceLogProbabilities: reference,
      advantages: tokenAdvantages, weights: [weights[0], weights[0], weights[0], weights[1], weights[1]],
      surrogate: surrogate, beta: beta)
    #expect(abs(Double(tape.value(loss).scalar) - expected) < 1e-6)  // float32 inputs and result
  }

  @Test func surrogateGradientWithRespectToLogitsMatchesFiniteDifferences() throws {
    // 4 logit rows of 5 tokens; 6 completion tokens, ratios kept ≥ 0.1 away from the clip bounds so
    // that the ±1e-2 steps of the check do not cross a kink; β > 0 so the KL term is checked too.
    let logits = randomTensor([4, 5], seed: 11)
    let rows = [0, 1, 1, 2, 3, 3]
    let tokens = [2, 0, 4, 1, 3, 3]
    let base = Tape(recordsGradients: false)
    let current = base.value(try base.tokenLogProbabilities(base.constant(logits), rows: rows, tokens: tokens))
    let ratios = [0.6, 1.0, 1.05, 1.5, 0.9, 1.4]
    let advantages = [1.0, -0.5, 0.8, -1.2, 0.3, 0.7]
    let old = zip(current.values, ratios).map { Double($0) - log($1) }
    let reference = current.values.map { Double($0) - 0.3 }
    try checkGradients([logits]) { tape, inputs in
      let logProbabilities = try tape.tokenLogProbabilities(inputs[0], rows: rows, tokens: tokens)
      return try tape.grpoLoss(
        logProbabilities: logProbabilities, samplingLogProbabilities: old, referenceLogProbabilities: reference,
        advantages: advantages, weights: [Double](repeating: 1.0 / 6, count: 6), surrogate: surrogate, beta: 0.1)
    }
  }

  @Test func tokenLogProbabilitiesMatchLogSoftmax() throws {
    let logits = randomTensor([3, 4], seed: 2, scale: 3)
    let tape = Tape()
    let values = tape.value(try tape.tokenLogProbabilities(tape.constant(logits), rows: [2, 0, 2], tokens: [1, 3, 0]))
    for (k, (row, token)) in zip([2, 0, 2], [1, 3, 0]).enumerated() {
      let z = logits.values[(row * 4)..<(row * 4 + 4)].map(Double.init)
      let expected = z[token] - log(z.map { exp($0) }.reduce(0, +))
      #expect(abs(Double(values.values[k]) - expected) < 1e-5)  // float32 result
    }
    #expect(throws: AutodiffError.self) {
      try tape.tokenLogProbabilities(tape.constant(logits), rows: [3], tokens: [0])
    }
  }

  @Test func badInputThrows() throws {
    let tape = Tape()
    let input = tape.constant(try Tensor(shape: [2], values: [-1, -1]))
    #expect(throws: ReinforcementError.self) {
      try tape.grpoLoss(
        logProbabilities: input, samplingLogProbabilities: [-1], referenceLogProbabilities: nil, advantages: [1, 1],
        weights: [1, 1], surrogate: surrogate, beta: 0)
    }
    #expect(throws: ReinforcementError.self) {
      try tape.grpoLoss(
        logProbabilities: input, samplingLogProbabilities: [-1, -1], referenceLogProbabilities: nil,
        advantages: [1, 1], weights: [1, 1], surrogate: surrogate, beta: 0.1)
    }
    #expect(throws: ReinforcementError.self) {
      try tape.grpoLoss(
        logProbabilities: input, samplingLogProbabilities: [-1, .nan], referenceLogProbabilities: nil,
        advantages: [1, 1], weights: [1, 1], surrogate: surrogate, beta: 0)
    }
  }
}
