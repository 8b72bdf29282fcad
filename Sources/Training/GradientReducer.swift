/// Sums buffers of the same length across the processes of a data-parallel run, element by
/// element, so that every process ends with the same sums: the all-reduce of data-parallel
/// training (``TrainingRun`` with `processCount > 1`). Process `rank` (`0 ..< processCount`) trains
/// on its shard of every global batch (``DataParallelShard``); process 0 alone writes
/// checkpoints and metrics.
///
/// An implementation must return bitwise identical sums on every process (else the parameters
/// drift apart) and should sum in a fixed order, so that a run does not depend on timing.
public protocol GradientReducer: AnyObject {
  /// This process's index, `0 ..< processCount`.
  var rank: Int { get }
  /// Processes in the run.
  var processCount: Int { get }
  /// Replaces `values` with `Σ_r values_r`, the element-wise sum over the processes' buffers
  /// (all of one length).
  /// - Throws: when the processes cannot communicate.
  func sum(_ values: inout [Float]) throws
}

/// The reducer of a run in one process: rank 0 of 1, the sum of one buffer is itself.
public final class SingleProcessReducer: GradientReducer {
  /// The only process.
  public let rank = 0
  /// One process.
  public let processCount = 1

  /// The reducer of a single-process run.
  public init() {}

  /// Leaves `values` unchanged: the sum over one process.
  public func sum(_ values: inout [Float]) throws {}
}
