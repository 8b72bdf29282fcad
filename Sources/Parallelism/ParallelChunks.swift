import Dispatch
import Foundation

/// Splits `0..<count` into contiguous chunks and runs `body` on them from as many
/// threads as the machine has cores (Dispatch's `concurrentPerform`).
///
/// Each chunk holds at least `minimumChunk` indices, so small problems stay on the
/// calling thread (where thread start-up would cost more than the work). `body`
/// must only touch state that is disjoint between chunks.
///
/// - Parameters:
///   - count: the number of independent work items.
///   - minimumChunk: the fewest items worth handing to a thread.
///   - body: called once per chunk with its index range.
public func forEachChunk(
  of count: Int, minimumChunk: Int = 1, _ body: @Sendable (Range<Int>) -> Void
) {
  guard count > 0 else { return }
  let workers = ProcessorCount.active
  let chunks = max(1, min(workers * 2, count / max(1, minimumChunk)))
  guard chunks > 1 else {
    body(0..<count)
    return
  }
  DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
    body((count * chunk / chunks)..<(count * (chunk + 1) / chunks))
  }
}

/// The number of cores work is spread over.
public enum ProcessorCount {
  /// Active processors as reported by the system (at least 1), read once: the
  /// query reads cgroup files (~20 µs), far too slow for every call.
  public static let active: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// A raw pointer that may cross into `concurrentPerform` chunks. Safe only when
/// the chunks write disjoint ranges, which every caller in this package ensures.
public struct SharedPointer<Element>: @unchecked Sendable {
  /// The wrapped pointer.
  public let base: UnsafeMutablePointer<Element>

  /// Wraps `base`.
  public init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
}
