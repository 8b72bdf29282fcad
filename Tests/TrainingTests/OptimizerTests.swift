import Autodiff
import Foundation
import Testing
import Training

private func parameter(_ name: String, _ values: [Float], role: ParameterRole = .standard, gradient: [Float])
  -> Parameter
{
  let p = Parameter(name: name, value: try! Tensor(shape: [values.count], values: values), role: role)
  p.gradient = try! Tensor(shape: [gradient.count], values: gradient)
  return p
}

@Suite("Optimisers, schedules and clipping")
struct OptimizerTests {
  // AdamW against its update rule evaluated independently in float64 for three steps
  // with changing gradients; float32 arithmetic agrees to ~1e-6 relative.
  @Test func adamWMatchesTheUpdateRule() throws {
    let groups = ParameterGroups(standard: GroupSettings(learningRate: 0.01, weightDecay: 0.1))
    let optimizer = AdamW(groups: groups)
    let p = parameter("w", [1, -2], gradient: [0, 0])
    var (theta, m, v) = ([1.0, -2.0], [0.0, 0.0], [0.0, 0.0])
    let gradients: [[Double]] = [[0.5, -1], [0.25, 3], [-1, 0.5]]
    for (t, g) in gradients.enumerated() {
      p.gradient = try Tensor(shape: [2], values: g.map(Float.init))
      try optimizer.update([p], learningRateFactor: 0.5)
      let rate = 0.01 * 0.5
      for i in 0..<2 {
        m[i] = 0.9 * m[i] + 0.1 * g[i]
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
        let mHat = m[i] / (1 - pow(0.9, Double(t + 1)))
        let vHat = v[i] / (1 - pow(0.999, Double(t + 1)))
        theta[i] -= rate * (0.1 * theta[i] + mHat / (vHat.squareRoot() + 1e-8))
      }
      for i in 0..<2 { #expect(abs(Double(p.value.values[i]) - theta[i]) <= 1e-6 * abs(theta[i])) }
    }
  }

  // With a zero gradient only the decoupled decay acts: θ ← θ(1 − ηλ); state space
  // parameters default to learning rate 1e-3 and no decay at all.
  @Test func weightDecayIsDecoupledAndGrouped() throws {
    let optimizer = AdamW(groups: ParameterGroups(standard: GroupSettings(learningRate: 0.1, weightDecay: 0.5)))
    let weight = parameter("w", [2], gradient: [0])
    let ssm = parameter("logDt", [2], role: .stateSpace, gradient: [0])
    try optimizer.update([weight, ssm])
    #expect(weight.value.values == [2 * (1 - 0.1 * 0.5)])
    #expect(ssm.value.values == [2])
    #expect(
      ParameterGroups(standard: GroupSettings(learningRate: 1, weightDecay: 1)).stateSpace
        == GroupSettings(learningRate: 1e-3, weightDecay: 0))
  }

  @Test func sgdWithMomentum() throws {
    let optimizer = SGD(
      groups: ParameterGroups(standard: GroupSettings(learningRate: 0.1, weightDecay: 0.01)), momentum: 0.9)
    let p = parameter("w", [1], gradient: [2])
    try optimizer.update([p])
    // b₁ = g + λθ = 2.01, θ = 1 − 0.1·2.01
    #expect(abs(p.value.values[0] - Float(1 - 0.201)) <= 1e-7)
    p.gradient = try Tensor(shape: [1], values: [-1])
    try optimizer.update([p])
    let b2 = 0.9 * 2.01 + (-1 + 0.01 * 0.799)
    #expect(abs(Double(p.value.values[0]) - (0.799 - 0.1 * b2)) <= 1e-6)
  }

  @Test func warmupCosineSchedule() {
    let schedule = LearningRateSchedule.warmupCosine(warmupSteps: 10, totalSteps: 110, minimumFactor: 0.1)
    #expect(schedule.factor(at: 0) == 0.1)
    #expect(schedule.factor(at: 9) == 1)
    #expect(abs(schedule.factor(at: 10) - 1) <= 1e-6)
    #expect(abs(schedule.factor(at: 60) - 0.55) <= 1e-6)  // halfway: m + (1 − m)/2
    #expect(schedule.factor(at: 110) == 0.1)
    #expect(schedule.factor(at: 5000) == 0.1)
    #expect(LearningRateSchedule.constant.factor(at: 77) == 1)
  }

  @Test func clippingByGlobalNorm() {
    let a = parameter("a", [0, 0], gradient: [3, 0])
    let b = parameter("b", [0], gradient: [4])
    #expect(clipGradients([a, b], maximumNorm: 1) == 5)
    #expect(a.gradient.values == [0.6, 0] && b.gradient.values == [0.8])
    #expect(clipGradients([a, b], maximumNorm: 10) == 1)
    #expect(a.gradient.values == [0.6, 0])
  }

  // Saving and restoring the state continues exactly like the uninterrupted optimiser.
  @Test func adamWStateRoundTrip() throws {
    let groups = ParameterGroups(standard: GroupSettings(learningRate: 0.05, weightDecay: 0.01))
    let original = AdamW(groups: groups)
    let p = parameter("w", [0.5, 1.5, -1], gradient: [0.1, -0.2, 0.3])
    for _ in 0..<3 { try original.update([p]) }
    let copy = parameter("w", p.value.values, gradient: p.gradient.values)
    let restored = AdamW(groups: groups)
    try restored.restore(original.state(for: [p]), for: [copy])
    try original.update([p])
    try restored.update([copy])
    #expect(p.value.values == copy.value.values)
    #expect(restored.step == 4)
    #expect(throws: TrainingError.self) { try restored.restore([:], for: [copy]) }
  }

  @Test func nonFiniteGradientChangesNothing() throws {
    let optimizer = AdamW(groups: ParameterGroups(standard: GroupSettings(learningRate: 0.1, weightDecay: 0)))
    let good = parameter("good", [1], gradient: [1])
    let bad = parameter("bad", [1], gradient: [.nan])
    #expect(throws: TrainingError.nonFiniteGradient(parameter: "bad")) { try optimizer.update([good, bad]) }
    #expect(good.value.values == [1] && optimizer.step == 0)
  }

  // Training a least-squares model on the tape with AdamW reaches the solution.
  @Test func adamWMinimisesAQuadratic() throws {
    let w = Parameter(name: "w", value: Tensor(shape: [2, 1]))
    let x = try Tensor(shape: [4, 2], values: [1, 0, 0, 1, 1, 1, 2, -1])
    let target = try Tensor(shape: [4, 1], values: [3, -1, 2, 7])  // w = (3, −1)
    let optimizer = AdamW(groups: ParameterGroups(standard: GroupSettings(learningRate: 0.05, weightDecay: 0)))
    for _ in 0..<2000 {
      w.zeroGradient()
      let tape = Tape()
      let prediction = try tape.matmul(tape.constant(x), tape.parameter(w))
      try tape.backward(try tape.meanSquaredError(prediction, target: target))
      try optimizer.update([w])
    }
    #expect(abs(w.value.values[0] - 3) <= 1e-3 && abs(w.value.values[1] + 1) <= 1e-3)
  }
}
