import SeededRandom
import Signals

extension BandLimitedNoise {
  /// The input signal of the delay and reconstruction tasks: unit-variance noise of `length`
  /// steps with the cutoff in cycles per step, `0 < cutoff < 1/2` (strictly below the Nyquist
  /// frequency, so that every sample is exactly `N(0, 1)`).
  ///
  /// Throws ``TaskError/invalidParameter(_:)`` for a cutoff outside `(0, 1/2)` and
  /// ``TaskError/lengthTooSmall(task:length:minimum:)`` (reported for `task`) unless a
  /// frequency fits below the cutoff (`⌊cutoff · length⌋ ≥ 1`).
  static func taskInput(length: Int, cutoff: Double, task: TaskName) throws -> BandLimitedNoise {
    guard cutoff > 0, cutoff < 0.5, cutoff.isFinite else {
      throw TaskError.invalidParameter("band-limited noise needs 0 < cutoff < 1/2 cycles per step, got \(cutoff)")
    }
    do {
      return try BandLimitedNoise(length: length, cutoffCyclesPerSample: cutoff, normalization: .unitVariance)
    } catch SignalError.lengthTooSmall(let length, let minimum, _) {
      throw TaskError.lengthTooSmall(task: task, length: length, minimum: minimum)
    } catch {
      throw TaskError.invalidParameter("\(task.rawValue) input: \(error)")
    }
  }

  /// One task input: ``sample(using:)`` rounded to `Float`.
  func taskSample(using generator: inout SeededGenerator) -> [Float] {
    sample(using: &generator).map { Float($0) }
  }
}
