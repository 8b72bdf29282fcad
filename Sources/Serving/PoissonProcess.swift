import Foundation
import SeededRandom

/// A homogeneous Poisson process of rate `λ` requests per second, as serving benchmarks model
/// arrivals (vLLM's `benchmark_serving.py`): the counts in a window of length `t` are Poisson,
/// `P(N(t) = n) = (λt)ⁿ e^{−λt} / n!`, and the gaps between arrivals are independent
/// exponentials, `P(gap > s) = e^{−λs}`.
///
/// Gaps are drawn by inversion from a `SeededGenerator`: with `u` uniform in `[0, 1)`
/// (`nextUnitInterval`, one call per gap), `gap = −ln(1 − u) / λ`, finite because `1 − u > 0`.
/// The rate `λ = ∞` sends every request at time 0 (an offline burst).
public struct PoissonProcess: ArrivalProcess, Sendable {
  /// Arrivals per second `λ > 0` (`.infinity`: all at 0).
  public let rate: Double
  private var generator: SeededGenerator
  private var time = 0.0

  /// A process of rate `rate` whose gaps are drawn from a generator seeded with `seed`.
  /// - Throws: ``ServingError/invalidRate(_:)`` unless `rate > 0` (NaN refused, `.infinity` allowed).
  public init(rate: Double, seed: UInt64) throws {
    guard rate > 0 else { throw ServingError.invalidRate(rate) }
    self.rate = rate
    generator = SeededGenerator(seed: seed)
  }

  /// The next arrival: the previous one (0 at the start) plus an exponential gap; never `nil`.
  public mutating func nextArrival() -> Double? {
    guard rate.isFinite else { return 0 }
    time += -log1p(-generator.nextUnitInterval()) / rate
    return time
  }
}
