import Autodiff
import Checkpoint

extension OptimizerState {
  /// The prefix of the optimiser's entries in a checkpoint.
  static let checkpointPrefix = "optimizer."
  /// The entry of the step count.
  static let stepEntry = checkpointPrefix + "step"

  /// The checkpoint entries of this state: `optimizer.step`, a rank-0 `I64`, and `optimizer.NAME`
  /// in `F32` for every tensor.
  public func storedTensors() throws -> [String: StoredTensor] {
    var stored = [Self.stepEntry: try StoredTensor(int64s: [Int64(step)], shape: [])]
    for (name, tensor) in tensors {
      stored[Self.checkpointPrefix + name] = try StoredTensor(floats: tensor.values, shape: tensor.shape)
    }
    return stored
  }

  /// The state in a checkpoint's `optimizer.` entries. The step is an `I64`, or, in checkpoints
  /// written before steps were stored as integers, an `F32` holding a whole number.
  /// - Throws: ``TrainingError/invalidState(_:)`` for a missing, negative or fractional step,
  ///   `CheckpointError` for a tensor that is not `F32`.
  public init(checkpoint: SafeTensors) throws {
    guard let stored = checkpoint.tensors[Self.stepEntry], stored.elementCount == 1 else {
      throw TrainingError.invalidState("the checkpoint has no optimizer step")
    }
    let step: Int?
    switch stored.dtype {
    case .i64: step = Int(exactly: try stored.int64s()[0])
    case .f32: step = Int(exactly: try stored.floats()[0])
    default: step = nil
    }
    guard let step, step >= 0 else {
      throw TrainingError.invalidState("the optimizer step is not a whole number ≥ 0 stored as I64 or F32")
    }
    var tensors: [String: Tensor] = [:]
    for (name, tensor) in checkpoint.tensors where name.hasPrefix(Self.checkpointPrefix) && name != Self.stepEntry {
      tensors[String(name.dropFirst(Self.checkpointPrefix.count))] = try Tensor(
        shape: tensor.shape, values: tensor.floats())
    }
    self.init(step: step, tensors: tensors)
  }
}
