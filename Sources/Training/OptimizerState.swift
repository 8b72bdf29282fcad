import Autodiff

/// An optimiser's state for checkpoints: its update count, an integer (exact at any count), and
/// named float32 tensors (``AdamW``: `m.NAME` and `v.NAME`; ``SGD``: `momentum.NAME`).
public struct OptimizerState: Sendable, Equatable {
  /// Updates applied (``Optimizer/step``).
  public var step: Int
  /// The tensors by name.
  public var tensors: [String: Tensor]

  /// A state of `step` updates holding `tensors`.
  public init(step: Int, tensors: [String: Tensor]) {
    self.step = step
    self.tensors = tensors
  }

  /// The values of tensor `name`, which must have `shape`.
  /// - Throws: ``TrainingError/invalidState(_:)`` when it is missing or of another shape.
  func values(of name: String, shape: [Int]) throws -> [Float] {
    guard let tensor = tensors[name], tensor.shape == shape else {
      throw TrainingError.invalidState("optimizer state \(name) missing or not of shape \(shape)")
    }
    return tensor.values
  }

  /// Throws ``TrainingError/invalidState(_:)`` for a negative step.
  func checkStep() throws {
    guard step >= 0 else { throw TrainingError.invalidState("optimizer step \(step) is negative") }
  }
}
