import Foundation
import Training

/// K processes of a data-parallel run simulated by K threads of a test process: each calls
/// ``GradientReducer/sum(_:)`` once per collective; the last to arrive adds the buffers in rank
/// order and wakes the others, who all return that sum (the contract of the MPI reducer, without
/// MPI).
public final class LockstepSum: @unchecked Sendable {
  public let processCount: Int
  private let condition = NSCondition()
  private var buffers: [[Float]]
  private var result: [Float] = []
  private var round = 0
  private var arrived = 0

  public init(processCount: Int) {
    self.processCount = processCount
    buffers = Array(repeating: [], count: processCount)
  }

  /// Seconds a process waits for the others before it gives up (processes that disagree on the
  /// number of collectives would otherwise wait forever).
  static let patience: TimeInterval = 120

  func sum(_ values: [Float], rank: Int) throws -> [Float] {
    condition.lock()
    defer { condition.unlock() }
    let myRound = round
    buffers[rank] = values
    arrived += 1
    if arrived == processCount {
      result = buffers.dropFirst().reduce(buffers[0]) { zip($0, $1).map(+) }
      arrived = 0
      round += 1
      condition.broadcast()
    } else {
      let deadline = Date(timeIntervalSinceNow: Self.patience)
      while round == myRound {
        guard condition.wait(until: deadline) else { throw LockstepTimeout(rank: rank, round: myRound) }
      }
    }
    return result
  }
}

/// A simulated process waited ``LockstepSum/patience`` seconds in a collective the others never
/// joined.
public struct LockstepTimeout: Error, CustomStringConvertible {
  public let rank: Int
  public let round: Int
  public var description: String { "rank \(rank) waited in vain for the others in collective \(round)" }
}

/// Process `rank`'s view of a ``LockstepSum``.
public final class LockstepReducer: GradientReducer {
  public let rank: Int
  let shared: LockstepSum
  public var processCount: Int { shared.processCount }

  public init(rank: Int, shared: LockstepSum) {
    self.rank = rank
    self.shared = shared
  }

  public func sum(_ values: inout [Float]) throws { values = try shared.sum(values, rank: rank) }
}

/// Runs `body(rank, reducer)` for every rank of a simulated `processCount`-process run, each on
/// its own thread (8 MiB stack), and returns the results by rank, rethrowing the first error.
public func runInLockstep<Result>(
  processCount: Int, _ body: @escaping @Sendable (Int, LockstepReducer) throws -> Result
) throws -> [Result] {
  let shared = LockstepSum(processCount: processCount)
  let results = ResultsByRank<Result>()
  let finished = DispatchGroup()
  for rank in 0..<processCount {
    finished.enter()
    let thread = Thread {
      defer { finished.leave() }
      results.set(rank) { try body(rank, LockstepReducer(rank: rank, shared: shared)) }
    }
    thread.stackSize = 8 << 20
    thread.start()
  }
  finished.wait()
  return try (0..<processCount).map { try results.get($0) }
}

/// What each simulated process returned or threw.
private final class ResultsByRank<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var results: [Int: Result<Value, any Error>] = [:]

  func set(_ rank: Int, _ body: () throws -> Value) {
    let result = Result { try body() }
    lock.withLock { results[rank] = result }
  }

  func get(_ rank: Int) throws -> Value {
    try lock.withLock { results[rank] }!.get()
  }
}
