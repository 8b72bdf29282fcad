import Foundation
import SeededRandom

/// Band-limited white noise: a stationary Gaussian signal with a flat spectrum up to a cutoff
/// frequency and no energy above it (the input of the delay and reconstruction tasks of Gu et
/// al. 2022, "How to Train Your HiPPO"; the construction is that of an ideal low-pass filtered
/// white noise, as in Nengo's `WhiteSignal`).
///
/// With `K = ⌊cutoff · length⌋` components (cutoff in cycles per step, `0 < cutoff < 1/2`) and
/// independent `a_k, b_k ~ N(0, 1)`,
///
///     x_t = (1/√K) Σ_{k=1}^{K} ( a_k cos(2πkt/length) + b_k sin(2πkt/length) ),  t = 0 ..< length.
///
/// Properties: every `x_t ~ N(0, 1)` exactly (unit variance: `(1/K) Σ_k (cos² + sin²) = 1`),
/// zero mean (no DC component), and the discrete Fourier transform of the `length` samples is
/// zero outside the bins `1 … K` and `length − K … length − 1` — all frequencies lie on the DFT
/// grid `k / length ≤ cutoff`, so there is no leakage. The signal is periodic with period
/// `length` (it is one period of a band-limited process). The per-instance sample variance is
/// `(1/2K) Σ_k (a_k² + b_k²)`, which has mean 1 and standard deviation `1/√K`.
public struct BandLimitedNoise: Equatable, Sendable {
  /// Samples per signal.
  public let length: Int
  /// The highest frequency, in cycles per step (`0 < cutoff < 1/2`).
  public let cutoff: Double

  /// A noise source; throws ``TaskError/invalidParameter(_:)`` unless `0 < cutoff < 1/2` and
  /// ``TaskError/lengthTooSmall(task:length:minimum:)`` (reported for `task`) unless at least one
  /// frequency fits below the cutoff (`⌊cutoff · length⌋ ≥ 1`).
  public init(length: Int, cutoff: Double, task: TaskName = .delay) throws {
    guard cutoff > 0, cutoff < 0.5, cutoff.isFinite else {
      throw TaskError.invalidParameter("band-limited noise needs 0 < cutoff < 1/2 cycles per step, got \(cutoff)")
    }
    let minimum = Self.minimumLength(cutoff: cutoff)
    guard length >= minimum else { throw TaskError.lengthTooSmall(task: task, length: length, minimum: minimum) }
    self.length = length
    self.cutoff = cutoff
  }

  /// The smallest length with at least one frequency below `cutoff`: `⌈1 / cutoff⌉`.
  public static func minimumLength(cutoff: Double) -> Int {
    var n = max(1, Int((1 / cutoff).rounded(.up)) - 1)
    while Int((cutoff * Double(n)).rounded(.down)) < 1 { n += 1 }
    return n
  }

  /// `K = ⌊cutoff · length⌋`, the number of sinusoidal components.
  public var components: Int { Int((cutoff * Double(length)).rounded(.down)) }

  /// One signal of `length` samples (draws `2K` normals: `a_1, b_1, a_2, b_2, …`).
  ///
  /// Since `a cos θ + b sin θ = Re((a − ib) e^{iθ})`, the signal is the real part of the inverse
  /// DFT of the spectrum `c_k = a_k − i b_k` (`1 ≤ k ≤ K`, zero elsewhere). For a power-of-two
  /// length it is computed by a radix-2 FFT in `O(length · log length)`; otherwise by direct
  /// summation over exact sinusoid tables in `O(K · length)`. Both are accurate to double
  /// rounding before the conversion to `Float`.
  public func sample(using generator: inout SeededGenerator) -> [Float] {
    let k = components
    var real = [Double](repeating: 0, count: length)
    var imaginary = [Double](repeating: 0, count: length)
    for frequency in 1...k {
      real[frequency] = generator.nextStandardNormal()
      imaginary[frequency] = -generator.nextStandardNormal()
    }
    let signal: [Double]
    if length & (length - 1) == 0 {
      Self.inverseTransform(real: &real, imaginary: &imaginary)
      signal = real
    } else {
      signal = Self.directSynthesis(real: real, imaginary: imaginary, components: k)
    }
    let scale = 1 / Double(k).squareRoot()
    return signal.map { Float($0 * scale) }
  }

  /// `Re Σ_{k=1}^{K} c_k e^{2πikt/n}` by direct summation over exact tables (`kt mod n` indexing).
  private static func directSynthesis(real: [Double], imaginary: [Double], components: Int) -> [Double] {
    let n = real.count
    var cosine = [Double](repeating: 0, count: n)
    var sine = [Double](repeating: 0, count: n)
    for m in 0..<n {
      let angle = 2 * Double.pi * Double(m) / Double(n)
      cosine[m] = cos(angle)
      sine[m] = sin(angle)
    }
    var signal = [Double](repeating: 0, count: n)
    for frequency in 1...components {
      let a = real[frequency]
      let b = imaginary[frequency]
      var phase = 0  // frequency · t mod n, exactly
      for t in 0..<n {
        signal[t] += a * cosine[phase] - b * sine[phase]
        phase += frequency
        if phase >= n { phase -= n }
      }
    }
    return signal
  }

  /// The unnormalised inverse DFT `x_t = Σ_k X_k e^{+2πikt/n}` in place, `n` a power of two
  /// (iterative radix-2 Cooley–Tukey with bit-reversal permutation).
  private static func inverseTransform(real: inout [Double], imaginary: inout [Double]) {
    let n = real.count
    guard n > 1 else { return }
    var j = 0
    for i in 1..<n {
      var bit = n >> 1
      while j & bit != 0 {
        j ^= bit
        bit >>= 1
      }
      j |= bit
      if i < j {
        real.swapAt(i, j)
        imaginary.swapAt(i, j)
      }
    }
    var size = 2
    while size <= n {
      let half = size / 2
      let step = 2 * Double.pi / Double(size)
      for m in 0..<half {
        let wr = cos(step * Double(m))
        let wi = sin(step * Double(m))
        var start = m
        while start < n {
          let u = start
          let v = start + half
          let tr = wr * real[v] - wi * imaginary[v]
          let ti = wr * imaginary[v] + wi * real[v]
          real[v] = real[u] - tr
          imaginary[v] = imaginary[u] - ti
          real[u] += tr
          imaginary[u] += ti
          start += size
        }
      }
      size *= 2
    }
  }
}
