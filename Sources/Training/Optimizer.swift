import Autodiff

/// What an optimiser does for a training step: updates every parameter in place from its
/// accumulated gradient, counting its updates, and saves and restores its state for checkpoints.
///
/// Each parameter `θ` with gradient `g` moves at the learning rate `η = η_r · f` of its role `r`
/// (``ParameterGroups``: state space parameters have their own rate and no weight decay), `f` being
/// the schedule's factor for the step. ``AdamW`` and ``SGD`` conform.
public protocol Optimizer: AnyObject {
  /// Learning rates and weight decays by role.
  var groups: ParameterGroups { get }
  /// Updates applied so far; the next ``update(_:learningRateFactor:)`` is update `step + 1`.
  var step: Int { get }

  /// Applies one update to every parameter from its accumulated gradient.
  ///
  /// - Parameters:
  ///   - parameters: the model's parameters (names must be unique).
  ///   - learningRateFactor: the schedule's multiplier `f` for this step.
  /// - Throws: ``TrainingError/nonFiniteGradient(parameter:)`` before changing anything if a
  ///   gradient holds NaN or infinity.
  func update(_ parameters: [Parameter], learningRateFactor: Float) throws

  /// The state after ``step`` updates, for checkpoints: the step count and the per-parameter
  /// tensors, of each parameter's shape.
  func state(for parameters: [Parameter]) -> OptimizerState

  /// Restores a state written by ``state(for:)`` for parameters of the same names and shapes, so
  /// that the next update is the one the saving optimiser would have applied.
  /// - Throws: ``TrainingError/invalidState(_:)`` for a negative step or a missing or mis-shaped
  ///   tensor; nothing changes then.
  func restore(_ state: OptimizerState, for parameters: [Parameter]) throws
}

/// Throws ``TrainingError/nonFiniteGradient(parameter:)`` for the first parameter whose gradient
/// holds NaN or infinity.
func checkFiniteGradients(_ parameters: [Parameter]) throws {
  for parameter in parameters where !parameter.gradient.values.allSatisfy(\.isFinite) {
    throw TrainingError.nonFiniteGradient(parameter: parameter.name)
  }
}
