import CFFTW

/// Memory from `fftw_malloc`, aligned for FFTW's SIMD code paths, freed on deinit.
///
/// New-array execution (`fftw_execute_dft_r2c(plan, in, out)`) requires arrays with
/// the same alignment as those the plan was made with; every plan and every
/// transform in this module uses these buffers, so the requirement always holds.
/// Shared across threads only for disjoint writes or read-only use.
final class AlignedBuffer<Scalar: FFTScalar>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Scalar>
  let count: Int

  /// `count` scalars, zero-initialised unless `zeroed` is false (for buffers that are
  /// written before they are read: skipping the fill saves a pass over fresh pages).
  init(count: Int, zeroed: Bool = true) {
    let bytes = max(1, count) * MemoryLayout<Scalar>.stride
    guard let raw = fftw_malloc(bytes) else { fatalError("fftw_malloc(\(bytes)) failed: out of memory") }
    pointer = raw.bindMemory(to: Scalar.self, capacity: max(1, count))
    if zeroed { pointer.initialize(repeating: 0, count: max(1, count)) }
    self.count = count
  }

  deinit { fftw_free(pointer) }
}
