import Foundation

/// Reuses ``AlignedBuffer``s between convolutions. Large buffers come from `mmap`, so
/// a fresh one costs a page fault per 4 KiB on first touch (16 MiB of kernel spectra
/// at L = 16 384 is 4096 faults, comparable to the FFTs themselves); pooled ones are
/// already mapped. Keeps at most a few buffers per size.
final class BufferPool: @unchecked Sendable {
  static let shared = BufferPool()

  private struct Key: Hashable {
    let precision: FFTPrecision
    let count: Int
  }

  private var free: [Key: [AnyObject]] = [:]
  private let lock = NSLock()
  private let keptPerSize = 4

  /// A buffer of `count` scalars with unspecified contents.
  func take<Scalar: FFTScalar>(_ count: Int, as _: Scalar.Type) -> AlignedBuffer<Scalar> {
    let key = Key(precision: Scalar.fftPrecision, count: count)
    let reused = lock.withLock { free[key]?.popLast() }
    return (reused as? AlignedBuffer<Scalar>) ?? AlignedBuffer(count: count, zeroed: false)
  }

  /// Returns `buffer` for reuse.
  func give<Scalar: FFTScalar>(_ buffer: AlignedBuffer<Scalar>) {
    let key = Key(precision: Scalar.fftPrecision, count: buffer.count)
    lock.withLock {
      if free[key, default: []].count < keptPerSize { free[key, default: []].append(buffer) }
    }
  }
}
