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
  // AdamW (bias correction, decoupled decay) and SGD (momentum, L2 decay) through the
  // `Optimizer` protocol against their update rules evaluated independently in float64, for four
  // steps with changing gradients and schedule factors, on a standard parameter (learning rate
  // 0.02, decay 0.1) and a state space one (its own rate 0.005, no decay). Tolerance: float32
  // rounding of the ~10 operations per element and step, accumulated over four steps, stays
  // below 1e-6 of the parameters' scale (≥ 0.5 here); a wrong rule (coupled decay, no bias
  // correction, decay on the state space group) moves them by more than 1e-3.
  @Test(arguments: [OptimizerConfiguration.adamW, .sgd(momentum: 0.9), .sgd(momentum: 0)])
  func updatesFollowTheRulePerGroup(_ kind: OptimizerConfiguration) throws {
    let optimizer = kind.makeOptimizer(
      groups: ParameterGroups(learningRate: 0.02, weightDecay: 0.1, stateSpaceLearningRate: 0.005))
    let parameters = [
      parameter("w", [0.5, -1.5, 2], gradient: [0, 0, 0]),
      parameter("logDt", [-3, -1], role: .stateSpace, gradient: [0, 0]),
    ]
    let (rates, decays) = ([0.02, 0.005], [0.1, 0.0])
    var theta: [[Double]] = [[0.5, -1.5, 2], [-3, -1]]
    var first = theta.map { $0.map { _ in 0.0 } }
    var second = first
    let gradients: [[[Double]]] = [
      [[0.5, -1, 0.25], [2, -0.5]], [[0.25, 3, -0.75], [-1, 0.125]], [[-1, 0.5, 1.5], [0.5, 0.5]],
      [[2, -0.25, 0], [-0.25, 1]],
    ]
    let factors = [0.25, 1, 0.5, 0.75]
    for (step, (stepGradients, factor)) in zip(gradients, factors).enumerated() {
      for (p, g) in zip(parameters, stepGradients) {
        p.gradient = try Tensor(shape: [g.count], values: g.map(Float.init))
      }
      try optimizer.update(parameters, learningRateFactor: Float(factor))
      let t = Double(step + 1)
      for k in 0..<2 {
        let (eta, lambda) = (Double(Float(rates[k])) * factor, Double(Float(decays[k])))
        for i in theta[k].indices {
          let g = stepGradients[k][i]
          switch kind {
          case .adamW:
            first[k][i] = 0.9 * first[k][i] + 0.1 * g
            second[k][i] = 0.999 * second[k][i] + 0.001 * g * g
            let (mHat, vHat) = (first[k][i] / (1 - pow(0.9, t)), second[k][i] / (1 - pow(0.999, t)))
            theta[k][i] -= eta * (lambda * theta[k][i] + mHat / (vHat.squareRoot() + 1e-8))
          case .sgd(let momentum):
            first[k][i] = Double(momentum) * first[k][i] + g + lambda * theta[k][i]
            theta[k][i] -= eta * first[k][i]
          }
        }
        for i in theta[k].indices {
          let error = abs(Double(parameters[k].value.values[i]) - theta[k][i])
          #expect(error <= 1e-6 * max(1, abs(theta[k][i])), "\(kind) step \(step + 1) \(parameters[k].name)[\(i)]")
        }
      }
    }
    #expect(optimizer.step == 4)
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

  // Saving and restoring the state continues exactly like the uninterrupted optimiser; a state
  // missing the per-parameter tensors, or of a negative step, is refused.
  @Test(arguments: [OptimizerConfiguration.adamW, .sgd(momentum: 0.9), .sgd(momentum: 0)])
  func stateRoundTrip(_ kind: OptimizerConfiguration) throws {
    let groups = ParameterGroups(standard: GroupSettings(learningRate: 0.05, weightDecay: 0.01))
    let original = kind.makeOptimizer(groups: groups)
    let p = parameter("w", [0.5, 1.5, -1], gradient: [0.1, -0.2, 0.3])
    for _ in 0..<3 { try original.update([p], learningRateFactor: 1) }
    let copy = parameter("w", p.value.values, gradient: p.gradient.values)
    let restored = kind.makeOptimizer(groups: groups)
    let state = original.state(for: [p])
    try restored.restore(state, for: [copy])
    try original.update([p], learningRateFactor: 1)
    try restored.update([copy], learningRateFactor: 1)
    #expect(p.value.values == copy.value.values)
    #expect(restored.step == 4)
    if kind != .sgd(momentum: 0) {
      #expect(throws: TrainingError.self) { try restored.restore(OptimizerState(step: 3, tensors: [:]), for: [copy]) }
    }
    var negative = state
    negative.step = -1
    #expect(throws: TrainingError.self) { try restored.restore(negative, for: [copy]) }
    #expect(restored.step == 4)
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
