import Autodiff

/// The all-reduce step of data-parallel training: after a process back-propagates the mean loss
/// `ℒ_r` of its shard, its gradients `∇ℒ_r` become `Σ_r w_r ∇ℒ_r` and its loss `Σ_r w_r ℒ_r`, the
/// gradient and loss of the global batch (``DataParallelShard``), identical on every process, so
/// that clipping and the optimiser's update are the same everywhere. A loss that is already the
/// process's part of a global sum (GRPO's token-weighted loss) takes `w_r = 1`.
///
/// The gradients of all parameters (in `parameters` order) and a few scalars (the loss, and any
/// statistic to be summed with it) travel as one buffer of `P + s` floats, so a step costs one
/// all-reduce.
public struct ShardGradientSum {
  /// Sums across the processes.
  public let reducer: any GradientReducer
  /// This process's `w_r`.
  public let weight: Float

  /// Sums `w_r`-weighted gradients and scalars of process `reducer.rank` with those of the others.
  public init(reducer: any GradientReducer, weight: Float) {
    self.reducer = reducer
    self.weight = weight
  }

  /// Replaces each gradient with the weighted sum over the processes and returns the summed loss
  /// (NaN or infinite when any process's loss was).
  /// - Throws: the reducer's communication errors.
  func apply(to parameters: [Parameter], loss: Float) throws -> Float {
    try apply(to: parameters, scalars: [loss])[0]
  }

  /// Replaces each gradient `g_r` with `Σ_r w_r g_r` and returns `Σ_r w_r s_r` for each of
  /// `scalars`.
  /// - Throws: the reducer's communication errors.
  public func apply(to parameters: [Parameter], scalars: [Float]) throws -> [Float] {
    var buffer: [Float] = []
    buffer.reserveCapacity(parameters.reduce(scalars.count) { $0 + $1.gradient.count })
    for parameter in parameters { buffer += parameter.gradient.values.map { $0 * weight } }
    buffer += scalars.map { $0 * weight }
    try reducer.sum(&buffer)
    var offset = 0
    for parameter in parameters {
      let count = parameter.gradient.count
      parameter.gradient.values = Array(buffer[offset..<(offset + count)])
      offset += count
    }
    return Array(buffer[offset...])
  }
}
