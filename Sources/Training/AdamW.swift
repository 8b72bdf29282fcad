import Autodiff
import Foundation

/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay. For every
/// parameter `θ` with gradient `g`, at step `t` (from 1), learning rate `η` (group
/// rate × schedule factor) and decay `λ` (its group's):
///
///     m ← β₁ m + (1 − β₁) g,     v ← β₂ v + (1 − β₂) g²,
///     θ ← θ − η λ θ − η (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
public final class AdamW: Optimizer {
  /// `β₁`, `β₂`.
  public let betas: (Float, Float)
  /// `ε`.
  public let epsilon: Float
  /// Learning rates and weight decays by role.
  public let groups: ParameterGroups
  /// Updates applied so far.
  public private(set) var step = 0
  private var firstMoments: [String: [Float]] = [:]
  private var secondMoments: [String: [Float]] = [:]

  /// An optimiser with PyTorch's defaults `β = (0.9, 0.999)`, `ε = 1e-8`.
  public init(groups: ParameterGroups, betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8) {
    self.groups = groups
    self.betas = betas
    self.epsilon = epsilon
  }

  /// Applies update ``step`` + 1 to every parameter from its accumulated gradient (see
  /// ``Optimizer/update(_:learningRateFactor:)``).
  public func update(_ parameters: [Parameter], learningRateFactor: Float = 1) throws {
    try checkFiniteGradients(parameters)
    step += 1
    let (beta1, beta2) = betas
    let correction1 = 1 - Float(pow(Double(beta1), Double(step)))
    let correction2 = 1 - Float(pow(Double(beta2), Double(step)))
    for parameter in parameters {
      let settings = groups[parameter.role]
      let rate = settings.learningRate * learningRateFactor
      var m = firstMoments[parameter.name] ?? [Float](repeating: 0, count: parameter.value.count)
      var v = secondMoments[parameter.name] ?? [Float](repeating: 0, count: parameter.value.count)
      for i in 0..<parameter.value.count {
        let g = parameter.gradient.values[i]
        m[i] = beta1 * m[i] + (1 - beta1) * g
        v[i] = beta2 * v[i] + (1 - beta2) * g * g
        let update = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + epsilon)
        parameter.value.values[i] -= rate * (settings.weightDecay * parameter.value.values[i] + update)
      }
      firstMoments[parameter.name] = m
      secondMoments[parameter.name] = v
    }
  }

  /// The step count and the moments `m.NAME`, `v.NAME` of every parameter (zeros before its first
  /// update), for checkpoints.
  public func state(for parameters: [Parameter]) -> OptimizerState {
    var tensors: [String: Tensor] = [:]
    for parameter in parameters {
      let zeros = [Float](repeating: 0, count: parameter.value.count)
      tensors["m.\(parameter.name)"] = Tensor(unchecked: parameter.value.shape, firstMoments[parameter.name] ?? zeros)
      tensors["v.\(parameter.name)"] = Tensor(unchecked: parameter.value.shape, secondMoments[parameter.name] ?? zeros)
    }
    return OptimizerState(step: step, tensors: tensors)
  }

  /// Restores a state written by ``state(for:)``.
  /// - Throws: ``TrainingError/invalidState(_:)`` for a negative step or a missing or mis-shaped moment.
  public func restore(_ state: OptimizerState, for parameters: [Parameter]) throws {
    try state.checkStep()
    var first: [String: [Float]] = [:]
    var second: [String: [Float]] = [:]
    for parameter in parameters {
      first[parameter.name] = try state.values(of: "m.\(parameter.name)", shape: parameter.value.shape)
      second[parameter.name] = try state.values(of: "v.\(parameter.name)", shape: parameter.value.shape)
    }
    step = state.step
    firstMoments = first
    secondMoments = second
  }
}

extension Tensor {
  /// A tensor whose shape and count are known to agree.
  init(unchecked shape: [Int], _ values: [Float]) {
    self = try! Tensor(shape: shape, values: values)
  }
}
