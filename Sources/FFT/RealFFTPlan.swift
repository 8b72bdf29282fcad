import CFFTW
import Foundation

/// How hard FFTW searches for a fast algorithm when a plan is first made.
public enum PlanningEffort: Sendable, Hashable {
  /// `FFTW_ESTIMATE`: instant planning from heuristics.
  case estimate
  /// `FFTW_MEASURE`: times candidate algorithms (~0.1–1 s per new length);
  /// transforms then run 10–30 % faster. Plans are cached, so this is paid once.
  case measure
}

/// A pair of one-dimensional real transforms of length `n` (one precision):
/// forward `r2c` (`n` reals → `n/2 + 1` complex) and backward `c2r`
/// (unnormalised: `c2r(r2c(x)) = n·x`).
///
/// Plans are made on ``AlignedBuffer``s and executed on other aligned arrays
/// through FFTW's new-array interface, which is thread-safe; plans are only
/// created through ``RealFFTPlan/cached(length:precision:effort:)``.
final class RealFFTPlan: @unchecked Sendable {
  let length: Int
  let precision: FFTPrecision
  private let forward: OpaquePointer
  private let backward: OpaquePointer

  /// Complex bins of the half spectrum, `n/2 + 1`.
  var spectrumCount: Int { length / 2 + 1 }

  /// Complex bins between consecutive spectra in a batch: ``spectrumCount`` rounded up to
  /// a multiple of 4 complex values, so every row keeps a 32-byte alignment.
  var spectrumStride: Int { (spectrumCount + 3) / 4 * 4 }

  private init(length: Int, precision: FFTPrecision, effort: PlanningEffort) throws {
    let flags = UInt32(effort == .measure ? FFTW_MEASURE : FFTW_ESTIMATE)
    let n = Int32(length)
    switch precision {
    case .single:
      let real = AlignedBuffer<Float>(count: length)
      let spectrum = AlignedBuffer<Float>(count: 2 * (length / 2 + 1))
      let complex = UnsafeMutableRawPointer(spectrum.pointer).assumingMemoryBound(to: fftwf_complex.self)
      guard let f = fftwf_plan_dft_r2c_1d(n, real.pointer, complex, flags),
        let b = fftwf_plan_dft_c2r_1d(n, complex, real.pointer, flags)
      else { throw FFTError.planningFailed(length: length) }
      forward = f
      backward = b
    case .double:
      let real = AlignedBuffer<Double>(count: length)
      let spectrum = AlignedBuffer<Double>(count: 2 * (length / 2 + 1))
      let complex = UnsafeMutableRawPointer(spectrum.pointer).assumingMemoryBound(to: fftw_complex.self)
      guard let f = fftw_plan_dft_r2c_1d(n, real.pointer, complex, flags),
        let b = fftw_plan_dft_c2r_1d(n, complex, real.pointer, flags)
      else { throw FFTError.planningFailed(length: length) }
      forward = f
      backward = b
    }
    self.length = length
    self.precision = precision
  }

  /// `spectrum ← r2c(real)`; `real` holds ``length`` values, `spectrum`
  /// ``spectrumCount`` interleaved complex values. Both from aligned storage.
  func forward<Scalar: FFTScalar>(_ real: UnsafeMutablePointer<Scalar>, _ spectrum: UnsafeMutablePointer<Scalar>) {
    precondition(Scalar.fftPrecision == precision, "plan precision mismatch")
    switch precision {
    case .single:
      fftwf_execute_dft_r2c(
        forward, UnsafeMutableRawPointer(real).assumingMemoryBound(to: Float.self),
        UnsafeMutableRawPointer(spectrum).assumingMemoryBound(to: fftwf_complex.self))
    case .double:
      fftw_execute_dft_r2c(
        forward, UnsafeMutableRawPointer(real).assumingMemoryBound(to: Double.self),
        UnsafeMutableRawPointer(spectrum).assumingMemoryBound(to: fftw_complex.self))
    }
  }

  /// `real ← c2r(spectrum)` (unnormalised; destroys `spectrum`).
  func backward<Scalar: FFTScalar>(_ spectrum: UnsafeMutablePointer<Scalar>, _ real: UnsafeMutablePointer<Scalar>) {
    precondition(Scalar.fftPrecision == precision, "plan precision mismatch")
    switch precision {
    case .single:
      fftwf_execute_dft_c2r(
        backward, UnsafeMutableRawPointer(spectrum).assumingMemoryBound(to: fftwf_complex.self),
        UnsafeMutableRawPointer(real).assumingMemoryBound(to: Float.self))
    case .double:
      fftw_execute_dft_c2r(
        backward, UnsafeMutableRawPointer(spectrum).assumingMemoryBound(to: fftw_complex.self),
        UnsafeMutableRawPointer(real).assumingMemoryBound(to: Double.self))
    }
  }

  // MARK: - The process-wide cache

  private struct Key: Hashable {
    let length: Int
    let precision: FFTPrecision
    let effort: PlanningEffort
  }

  /// Guarded by ``FFTWPlanner``'s lock.
  nonisolated(unsafe) private static var plans: [Key: RealFFTPlan] = [:]

  /// The cached plan pair for `length`, made on first use. Plans live for the
  /// rest of the process (FFTW plans are small; lengths in use are few).
  static func cached(length: Int, precision: FFTPrecision, effort: PlanningEffort) throws -> RealFFTPlan {
    guard length >= 1, length <= Int(Int32.max) else {
      throw FFTError.invalidSize("transform length \(length) is outside 1…\(Int32.max)")
    }
    return try FFTWPlanner.withLock {
      let key = Key(length: length, precision: precision, effort: effort)
      if let plan = plans[key] { return plan }
      let plan = try RealFFTPlan(length: length, precision: precision, effort: effort)
      plans[key] = plan
      return plan
    }
  }
}
