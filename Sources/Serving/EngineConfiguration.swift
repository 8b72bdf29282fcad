/// The limits of a ``BatchingEngine``.
public struct EngineConfiguration: Sendable, Equatable {
  /// The most requests running at once (reading tokens in one engine step), `≥ 1`.
  public var maxBatch: Int
  /// The most requests waiting to start, `≥ 0`; a submission beyond it is refused with
  /// ``ServingError/queueFull(capacity:)``. Preempted requests return to the queue even when it
  /// is full (they were accepted, and are never dropped).
  public var maxQueue: Int
  /// The most tokens one request reads in one step while prefilling, `≥ 1` (chunked prefill:
  /// a long prompt takes several steps and does not stall the decoding requests).
  public var prefillChunk: Int
  /// Bytes of request state (``RequestMemory``) the running requests may hold together, or
  /// `nil` for no limit.
  public var memoryBudget: Int?

  /// Limits with the given values.
  public init(maxBatch: Int, maxQueue: Int, prefillChunk: Int = 256, memoryBudget: Int? = nil) {
    self.maxBatch = maxBatch
    self.maxQueue = maxQueue
    self.prefillChunk = prefillChunk
    self.memoryBudget = memoryBudget
  }

  /// - Throws: ``ServingError/invalidConfiguration(_:)`` for a limit out of range.
  func validate() throws {
    guard maxBatch >= 1 else { throw ServingError.invalidConfiguration("maxBatch must be ≥ 1, got \(maxBatch)") }
    guard maxQueue >= 0 else { throw ServingError.invalidConfiguration("maxQueue must be ≥ 0, got \(maxQueue)") }
    guard prefillChunk >= 1 else {
      throw ServingError.invalidConfiguration("prefillChunk must be ≥ 1, got \(prefillChunk)")
    }
    if let budget = memoryBudget, budget < 0 {
      throw ServingError.invalidConfiguration("memoryBudget must be ≥ 0 bytes, got \(budget)")
    }
  }
}
