import CFFTW
import Foundation

/// FFTW's process-wide planner: every FFTW plan in this process is made and destroyed inside
/// ``withLock(planningThreads:_:)``.
///
/// FFTW keeps its planner state (accumulated wisdom, the thread count of new plans) in globals,
/// and planning from two threads at once corrupts it (Swift Testing runs cases in parallel:
/// crashes were seen). The first call makes the planner thread-safe
/// (`fftw_make_planner_thread_safe`, `fftwf_make_planner_thread_safe`) and initialises FFTW's
/// threads (`fftw_init_threads`, `fftwf_init_threads`); every call holds one lock, which also
/// guards this module's plan cache. New plans run on one FFTW thread — the convolutions spread
/// rows over the cores themselves — unless a caller asks for more for the plans made in its body.
public enum FFTWPlanner {
  private static let lock = NSLock()
  private static let threadSafety: Void = {
    fftw_make_planner_thread_safe()
    fftwf_make_planner_thread_safe()
    _ = fftw_init_threads()
    _ = fftwf_init_threads()
  }()

  /// Runs `body` while holding the planner lock. Plans made in `body` use `planningThreads` FFTW
  /// threads (values below 1 count as 1; double and single precision alike); the thread count
  /// returns to 1 afterwards.
  public static func withLock<T>(planningThreads: Int = 1, _ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    threadSafety
    guard planningThreads > 1 else { return try body() }
    let threads = Int32(clamping: planningThreads)
    fftw_plan_with_nthreads(threads)
    fftwf_plan_with_nthreads(threads)
    defer {
      fftw_plan_with_nthreads(1)
      fftwf_plan_with_nthreads(1)
    }
    return try body()
  }
}
