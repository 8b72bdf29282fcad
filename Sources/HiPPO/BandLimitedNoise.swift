import Numerics
import SeededRandom

/// Seeded band-limited white noise: a random trigonometric polynomial with all
/// frequencies up to a cutoff, periodic over the signal's duration.
///
/// With duration `T = length · dt` and frequencies `f_k = k / T` for
/// `k = 1 … K`, `K = ⌊cutoff · T⌋`:
///
///     u(t) = Σ_k a_k cos(2π f_k t) + b_k sin(2π f_k t),   a_k, b_k ~ N(0, 1),
///
/// sampled at `t_j = j · dt`, then scaled so that the samples' root mean square
/// is exactly `rms`. Every frequency below the cutoff has the same expected
/// power (white within the band); none above it has any.
public struct BandLimitedNoise: Sendable {
  /// Number of samples.
  public let length: Int
  /// Sampling step.
  public let dt: Double
  /// Highest frequency (cycles per unit time).
  public let cutoff: Double
  /// Root mean square of the samples.
  public let rms: Double

  /// Validates the parameters: `length ≥ 1`, `dt > 0`, `rms > 0`, and a cutoff
  /// between the lowest frequency `1/T` and the Nyquist frequency `1/(2dt)`.
  public init(length: Int, dt: Double, cutoff: Double, rms: Double = 1) throws {
    guard length >= 1 else { throw HiPPOError.invalidSignal("length \(length) must be at least 1") }
    try requireValidTimeStep(dt)
    let duration = Double(length) * dt
    guard cutoff.isFinite, cutoff >= 1 / duration, cutoff <= 0.5 / dt else {
      throw HiPPOError.invalidParameter(
        name: "cutoff", value: cutoff,
        reason: "it must lie between 1/(length·dt) = \(1 / duration) and the Nyquist frequency 1/(2dt) = \(0.5 / dt)")
    }
    guard rms.isFinite, rms > 0 else {
      throw HiPPOError.invalidParameter(name: "rms", value: rms, reason: "it must be positive and finite")
    }
    self.length = length
    self.dt = dt
    self.cutoff = cutoff
    self.rms = rms
  }

  /// The samples drawn with a generator seeded by `seed`.
  public func samples(seed: UInt64) -> [Double] {
    var generator = SeededGenerator(seed: seed)
    let duration = Double(length) * dt
    let frequencyCount = Int((cutoff * duration + 1e-9).rounded(.down))
    let coefficients = (0..<frequencyCount).map { _ in
      (generator.nextStandardNormal(), generator.nextStandardNormal())
    }
    var signal = (0..<length).map { j -> Double in
      let t = Double(j) * dt
      var value = 0.0
      for (k, (a, b)) in coefficients.enumerated() {
        let phase = 2 * Double.pi * Double(k + 1) / duration * t
        value += a * Double.cos(phase) + b * Double.sin(phase)
      }
      return value
    }
    let meanSquare = signal.reduce(0) { $0 + $1 * $1 } / Double(length)
    let scale = meanSquare > 0 ? rms / meanSquare.squareRoot() : 0
    for j in signal.indices { signal[j] *= scale }
    return signal
  }
}
