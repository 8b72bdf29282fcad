import Autodiff

/// Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay, as in PyTorch: for
/// every parameter `θ` with gradient `g`, learning rate `η` (group rate × schedule factor) and
/// decay `λ` (its group's),
///
///     g ← g + λ θ,     b ← μ b + g,     θ ← θ − η b,
///
/// with the momentum buffer `b` starting at 0 (so `b = g` at the first update).
public final class SGD: Optimizer {
  /// Momentum `μ` (0 for plain SGD), in `[0, 1)`.
  public let momentum: Float
  /// Learning rates and weight decays by role.
  public let groups: ParameterGroups
  /// Updates applied so far.
  public private(set) var step = 0
  private var buffers: [String: [Float]] = [:]

  /// An optimiser with momentum `μ`.
  public init(groups: ParameterGroups, momentum: Float = 0.9) {
    self.groups = groups
    self.momentum = momentum
  }

  /// Applies update ``step`` + 1 from the accumulated gradients (see
  /// ``Optimizer/update(_:learningRateFactor:)``).
  public func update(_ parameters: [Parameter], learningRateFactor: Float = 1) throws {
    try checkFiniteGradients(parameters)
    step += 1
    for parameter in parameters {
      let settings = groups[parameter.role]
      let rate = settings.learningRate * learningRateFactor
      var buffer = buffers[parameter.name] ?? [Float](repeating: 0, count: parameter.value.count)
      for i in 0..<parameter.value.count {
        let g = parameter.gradient.values[i] + settings.weightDecay * parameter.value.values[i]
        buffer[i] = momentum * buffer[i] + g
        parameter.value.values[i] -= rate * buffer[i]
      }
      if momentum != 0 { buffers[parameter.name] = buffer }
    }
  }

  /// The step count and, with momentum, the buffers `momentum.NAME` of every parameter (zeros
  /// before its first update), for checkpoints.
  public func state(for parameters: [Parameter]) -> OptimizerState {
    var tensors: [String: Tensor] = [:]
    if momentum != 0 {
      for parameter in parameters {
        let buffer = buffers[parameter.name] ?? [Float](repeating: 0, count: parameter.value.count)
        tensors["momentum.\(parameter.name)"] = Tensor(unchecked: parameter.value.shape, buffer)
      }
    }
    return OptimizerState(step: step, tensors: tensors)
  }

  /// Restores a state written by ``state(for:)``.
  /// - Throws: ``TrainingError/invalidState(_:)`` for a negative step or, with momentum, a missing
  ///   or mis-shaped buffer.
  public func restore(_ state: OptimizerState, for parameters: [Parameter]) throws {
    try state.checkStep()
    var restored: [String: [Float]] = [:]
    if momentum != 0 {
      for parameter in parameters {
        restored[parameter.name] = try state.values(of: "momentum.\(parameter.name)", shape: parameter.value.shape)
      }
    }
    step = state.step
    buffers = restored
  }
}
