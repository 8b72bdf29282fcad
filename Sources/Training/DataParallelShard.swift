import Tasks

/// The share of a global batch one process of a data-parallel run trains on, and the weight that
/// turns its mean loss into its part of the global batch's mean loss.
///
/// Process `r` of `K` takes the contiguous instances `r·b/K ..< (r+1)·b/K` of the global batch of
/// `b` instances (`K` must divide `b`), so the `K` processes together read exactly the instances one
/// process reads with batch `b`. The losses are means over the scored terms (cross-entropy: the
/// scored positions; squared error: scored positions × channels): with `n_r` scored terms in shard
/// `r`, `n = Σ_r n_r` in the batch and `ℒ_r` the shard's mean loss,
///
///     ℒ = (1/n) Σ_{all terms} ℓ = Σ_r (n_r/n) · ℒ_r,   so   ∇ℒ = Σ_r w_r ∇ℒ_r,  w_r = n_r / n,
///
/// and summing `w_r ∇ℒ_r` over the processes gives the gradient of the single-process step
/// (up to float32 rounding of the different summation order). `w_r = 0` when the batch scores
/// nothing (its loss is 0 then).
public struct DataParallelShard: Sendable, Equatable {
  /// The process's instances of the global batch.
  public let batch: TaskBatch
  /// `w_r = n_r / n`, the factor of the shard's mean loss and gradients.
  public let weight: Float

  /// Process `rank`'s shard of `global`, shared among `processCount` processes.
  /// - Throws: ``TrainingError/invalidState(_:)`` when `processCount` does not divide the batch.
  public init(of global: TaskBatch, rank: Int, processCount: Int) throws {
    let rows = try Self.rows(batch: global.size, rank: rank, processCount: processCount)
    batch = global.instances(rows)
    let total = global.scoredTerms
    weight = total > 0 ? Float(batch.scoredTerms) / Float(total) : 0
  }

  /// The instances process `rank` of `processCount` takes from a batch of `batch` instances:
  /// `rank·b/K ..< (rank+1)·b/K`.
  /// - Throws: ``TrainingError/invalidState(_:)`` when `processCount` does not divide `batch`, or
  ///   `rank` lies outside `0 ..< processCount`.
  public static func rows(batch: Int, rank: Int, processCount: Int) throws -> Range<Int> {
    guard processCount >= 1, (0..<processCount).contains(rank) else {
      throw TrainingError.invalidState("rank \(rank) outside 0..<\(processCount)")
    }
    guard batch % processCount == 0 else {
      throw TrainingError.invalidState(
        "a batch of \(batch) sequences does not divide among \(processCount) processes; choose a batch that is a "
          + "multiple of \(processCount)")
    }
    let share = batch / processCount
    return (rank * share)..<((rank + 1) * share)
  }
}

extension TaskBatch {
  /// The terms the batch's mean loss averages: scored positions (class targets other than
  /// ``TaskBatch/ignoredTarget``), or scored positions × channels (value targets).
  var scoredTerms: Int {
    switch targets {
    case .classes(let rows): rows.reduce(0) { $0 + $1.count { $0 != TaskBatch.ignoredTarget } }
    case .values(let values, _, _): values.count
    }
  }

  /// The batch of instances `rows` (a range of `0 ..< size`), in order.
  func instances(_ rows: Range<Int>) -> TaskBatch {
    let inputs: Inputs =
      switch self.inputs {
      case .tokens(let tokens): .tokens(Array(tokens[rows]))
      case .features(let values, let channels):
        .features(
          Array(values[(rows.lowerBound * length * channels)..<(rows.upperBound * length * channels)]),
          channels: channels)
      }
    let targets: Targets =
      switch self.targets {
      case .classes(let classes): .classes(Array(classes[rows]))
      case .values(let values, let channels, let positions):
        .values(
          Array(
            values[(rows.lowerBound * positions.count * channels)..<(rows.upperBound * positions.count * channels)]),
          channels: channels, positions: positions)
      }
    return TaskBatch(size: rows.count, length: length, inputs: inputs, targets: targets)
  }
}
