import Numerics

/// A deterministic, seedable pseudo-random number generator (xoshiro256**,
/// Blackman & Vigna 2018), seeded through SplitMix64.
///
/// The same seed yields the same stream on every platform and Swift version,
/// which the standard library's `SystemRandomNumberGenerator` does not promise.
/// Use it for everything that must be reproducible: initialisation, data,
/// dropout, test signals.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
  /// The 256-bit state; exposed so that a run can be checkpointed and resumed.
  public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

  /// A generator whose state is expanded from `seed` by SplitMix64.
  public init(seed: UInt64) {
    var splitMix = seed
    func next() -> UInt64 {
      splitMix &+= 0x9E37_79B9_7F4A_7C15
      var z = splitMix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (next(), next(), next(), next())
  }

  /// A generator restored from a saved ``state`` (must not be all zero).
  public init(state: (UInt64, UInt64, UInt64, UInt64)) {
    precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
    self.state = state
  }

  public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool {
    lhs.state == rhs.state
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotateLeft(state.1 &* 5, by: 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotateLeft(state.3, by: 45)
    return result
  }

  /// A uniform double in `[0, 1)` with 53 random bits.
  public mutating func nextUnitInterval() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A standard normal sample (Box–Muller; one value per call, the second
  /// variate is discarded so that the stream position stays simple to reason about).
  public mutating func nextStandardNormal() -> Double {
    let u1 = 1.0 - nextUnitInterval()  // (0, 1]: log stays finite
    let u2 = nextUnitInterval()
    return (-2.0 * Double.log(u1)).squareRoot() * Double.cos(2.0 * Double.pi * u2)
  }

  private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
