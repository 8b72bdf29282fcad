import Autodiff

/// The all-reduce step of data-parallel training: after a process back-propagates the mean loss
/// `ℒ_r` of its shard, its gradients `∇ℒ_r` become `Σ_r w_r ∇ℒ_r` and its loss `Σ_r w_r ℒ_r`, the
/// gradient and loss of the global batch (``DataParallelShard``), identical on every process, so
/// that clipping and the optimiser's update are the same everywhere.
///
/// The gradients of all parameters (in `parameters` order) and the loss travel as one buffer of
/// `P + 1` floats, so a step costs one all-reduce.
struct ShardGradientSum {
  /// Sums across the processes.
  let reducer: any GradientReducer
  /// This process's `w_r`.
  let weight: Float

  /// Replaces each gradient with the weighted sum over the processes and returns the summed loss
  /// (NaN or infinite when any process's loss was).
  /// - Throws: the reducer's communication errors.
  func apply(to parameters: [Parameter], loss: Float) throws -> Float {
    var buffer: [Float] = []
    buffer.reserveCapacity(parameters.reduce(1) { $0 + $1.gradient.count })
    for parameter in parameters { buffer += parameter.gradient.values.map { $0 * weight } }
    buffer.append(loss * weight)
    try reducer.sum(&buffer)
    var offset = 0
    for parameter in parameters {
      let count = parameter.gradient.count
      parameter.gradient.values = Array(buffer[offset..<(offset + count)])
      offset += count
    }
    return buffer[offset]
  }
}
