import Autodiff

/// Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay, as in
/// PyTorch: `g ← g + λ θ`, `b ← μ b + g` (`b = g` at the first step), `θ ← θ − η b`.
public final class SGD {
  /// Momentum `μ` (0 for plain SGD).
  public let momentum: Float
  /// Learning rates and weight decays by role.
  public let groups: ParameterGroups
  private var buffers: [String: [Float]] = [:]

  /// An optimiser with momentum `μ`.
  public init(groups: ParameterGroups, momentum: Float = 0.9) {
    self.groups = groups
    self.momentum = momentum
  }

  /// Applies one update from the accumulated gradients.
  /// - Throws: ``TrainingError/nonFiniteGradient(parameter:)`` before changing anything.
  public func update(_ parameters: [Parameter], learningRateFactor: Float = 1) throws {
    for parameter in parameters where !parameter.gradient.values.allSatisfy(\.isFinite) {
      throw TrainingError.nonFiniteGradient(parameter: parameter.name)
    }
    for parameter in parameters {
      let settings = groups[parameter.role]
      let rate = settings.learningRate * learningRateFactor
      let previous = buffers[parameter.name]
      var buffer = [Float](repeating: 0, count: parameter.value.count)
      for i in 0..<parameter.value.count {
        let g = parameter.gradient.values[i] + settings.weightDecay * parameter.value.values[i]
        buffer[i] = previous.map { momentum * $0[i] + g } ?? g
        parameter.value.values[i] -= rate * buffer[i]
      }
      if momentum != 0 { buffers[parameter.name] = buffer }
    }
  }
}
