import SeededRandom

/// Seeded band-limited white noise: a random trigonometric polynomial with every grid frequency
/// up to a cutoff — one period of an ideally low-pass filtered white noise (the test signal of the
/// HiPPO paper's function-approximation experiment and the input of the delay and reconstruction
/// tasks of Gu et al. 2022, "How to Train Your HiPPO"; Nengo's `WhiteSignal` is the same
/// construction).
///
/// Units: `length` samples taken every `sampleStepSeconds` seconds, so the signal lasts
/// `T = length · sampleStepSeconds` seconds, and frequencies in hertz on the grid `f_k = k / T`.
/// With `K = ⌊cutoffHertz · T⌋` components and independent `a_k, b_k ~ N(0, 1)`, drawn in the
/// order `a_1, b_1, a_2, b_2, …`,
///
///     u_j = s · Σ_{k=1}^{K} ( a_k cos(2π f_k t_j) + b_k sin(2π f_k t_j) ),   t_j = j · sampleStepSeconds,
///
/// for `j = 0 ..< length`. Since `f_k t_j = kj / length`, the units enter only through `K`: the
/// same `length`, `K`, normalisation and generator give the same samples at any sample step.
/// The scale `s` is the ``Normalization``: `1/√K` (``Normalization/unitVariance``) or the value
/// that makes the samples' root mean square exactly `r` (``Normalization/rootMeanSquare(_:)``).
///
/// Properties: zero mean (no constant term); the discrete Fourier transform of the samples is
/// zero outside the bins `1 … K` and `length − K … length − 1` (every frequency lies on the DFT
/// grid, so nothing leaks); the signal is periodic with period `length`. With
/// ``Normalization/unitVariance`` and `K < length/2` every sample is exactly `N(0, 1)`
/// (`(1/K) Σ_k (cos² + sin²) = 1`) and a signal's mean square `(1/2K) Σ_k (a_k² + b_k²)` has mean 1
/// and standard deviation `1/√K`.
///
/// `K` is counted as `⌊cutoffHertz · T + 10⁻⁹⌋`: a cutoff that lands on a grid frequency up to
/// rounding (`cutoffHertz · length · sampleStepSeconds` computed a few ulps below an integer)
/// includes that frequency.
///
/// ``init(length:cutoffCyclesPerSample:normalization:)`` states the cutoff in cycles per sample
/// instead (a sample step of one second).
public struct BandLimitedNoise: Equatable, Sendable {
  /// How the samples are scaled.
  public enum Normalization: Equatable, Sendable {
    /// `s = 1/√K`: every sample is `N(0, 1)` over the draws (for `K < length/2`); a single
    /// signal's mean square varies around 1 with standard deviation `1/√K`.
    case unitVariance
    /// The scale that makes the samples' root mean square `√((1/length) Σ_j u_j²)` exactly the
    /// given positive value.
    case rootMeanSquare(Double)
  }

  /// Samples per signal.
  public let length: Int
  /// Seconds between consecutive samples.
  public let sampleStepSeconds: Double
  /// The highest frequency, in hertz (cycles per second), at most the Nyquist frequency
  /// `1 / (2 · sampleStepSeconds)`.
  public let cutoffHertz: Double
  /// The scaling of the samples.
  public let normalization: Normalization
  /// `K`, the number of sinusoidal components (grid frequencies `k / T ≤ cutoffHertz`).
  public let components: Int
  /// The smallest length whose grid holds a frequency within the cutoff (`K ≥ 1`) at this
  /// sample step: `⌈1 / (cutoffHertz · sampleStepSeconds)⌉` up to the rounding rule of `K`.
  public let minimumLength: Int

  /// The cutoff in cycles per sample, `cutoffHertz · sampleStepSeconds` (at most 1/2).
  public var cutoffCyclesPerSample: Double { cutoffHertz * sampleStepSeconds }

  /// A noise source. Throws ``SignalError/invalidParameter(name:value:reason:)`` unless
  /// `sampleStepSeconds` is positive and finite, `0 < cutoffHertz ≤ 1 / (2 · sampleStepSeconds)`
  /// and a root-mean-square target is positive and finite; throws
  /// ``SignalError/lengthTooSmall(length:minimum:reason:)`` unless the signal holds a frequency
  /// within the cutoff (`K ≥ 1`, ``minimumLength``).
  public init(length: Int, sampleStepSeconds: Double, cutoffHertz: Double, normalization: Normalization) throws {
    guard sampleStepSeconds.isFinite, sampleStepSeconds > 0 else {
      throw SignalError.invalidParameter(
        name: "sampleStepSeconds", value: sampleStepSeconds, reason: "it must be a positive finite number of seconds")
    }
    let nyquist = 0.5 / sampleStepSeconds
    guard cutoffHertz.isFinite, cutoffHertz > 0, cutoffHertz <= nyquist else {
      throw SignalError.invalidParameter(
        name: "cutoffHertz", value: cutoffHertz,
        reason: "it must lie in (0, \(nyquist)] Hz, up to the Nyquist frequency 1/(2·sampleStepSeconds)")
    }
    if case .rootMeanSquare(let target) = normalization, !(target.isFinite && target > 0) {
      throw SignalError.invalidParameter(
        name: "rootMeanSquare", value: target, reason: "it must be positive and finite")
    }
    guard let minimum = Self.minimumLength(sampleStepSeconds: sampleStepSeconds, cutoffHertz: cutoffHertz) else {
      throw SignalError.invalidParameter(
        name: "cutoffHertz", value: cutoffHertz,
        reason: "no length below 10¹⁵ samples of \(sampleStepSeconds) s lasts one period 1/cutoffHertz")
    }
    guard length >= minimum else {
      throw SignalError.lengthTooSmall(
        length: length, minimum: minimum,
        reason: "length · sampleStepSeconds must last at least one period 1/cutoffHertz = \(1 / cutoffHertz) s")
    }
    self.length = length
    self.sampleStepSeconds = sampleStepSeconds
    self.cutoffHertz = cutoffHertz
    self.normalization = normalization
    // At most the Nyquist bin length/2 (the cutoff is at most the Nyquist frequency; the clamp
    // only guards the 10⁻⁹ of the rounding rule).
    components = min(
      Self.components(length: length, sampleStepSeconds: sampleStepSeconds, cutoffHertz: cutoffHertz), length / 2)
    minimumLength = minimum
  }

  /// The same noise with the cutoff in cycles per sample (`0 < cutoffCyclesPerSample ≤ 1/2`):
  /// a sample step of one second, where hertz and cycles per sample coincide, so
  /// `K = ⌊cutoffCyclesPerSample · length⌋`. Throws as
  /// ``init(length:sampleStepSeconds:cutoffHertz:normalization:)``.
  public init(length: Int, cutoffCyclesPerSample: Double, normalization: Normalization) throws {
    try self.init(
      length: length, sampleStepSeconds: 1, cutoffHertz: cutoffCyclesPerSample, normalization: normalization)
  }

  /// One signal of `length` samples; draws `2K` standard normals from `generator`.
  ///
  /// Since `a cos θ + b sin θ = Re((a − ib) e^{iθ})`, the signal is the real part of the inverse
  /// DFT of the spectrum `c_k = a_k − i b_k` (`1 ≤ k ≤ K`, zero elsewhere): a radix-2 FFT for a
  /// power-of-two length, otherwise a direct sum over exact sinusoid tables; both accurate to
  /// double rounding.
  public func sample(using generator: inout SeededGenerator) -> [Double] {
    var real = [Double](repeating: 0, count: length)
    var imaginary = [Double](repeating: 0, count: length)
    for frequency in 1...components {
      real[frequency] = generator.nextStandardNormal()
      imaginary[frequency] = -generator.nextStandardNormal()
    }
    var signal = realInverseTransform(real: real, imaginary: imaginary, components: components)
    let scale: Double
    switch normalization {
    case .unitVariance:
      scale = 1 / Double(components).squareRoot()
    case .rootMeanSquare(let target):
      let meanSquare = signal.reduce(0) { $0 + $1 * $1 } / Double(length)
      scale = meanSquare > 0 ? target / meanSquare.squareRoot() : 0
    }
    for j in signal.indices { signal[j] *= scale }
    return signal
  }

  /// One signal drawn with a fresh generator seeded by `seed`
  /// (``sample(using:)`` with `SeededGenerator(seed: seed)`).
  public func samples(seed: UInt64) -> [Double] {
    var generator = SeededGenerator(seed: seed)
    return sample(using: &generator)
  }

  /// `K = ⌊cutoffHertz · (length · sampleStepSeconds) + 10⁻⁹⌋`.
  private static func components(length: Int, sampleStepSeconds: Double, cutoffHertz: Double) -> Int {
    Int((cutoffHertz * (Double(length) * sampleStepSeconds) + 1e-9).rounded(.down))
  }

  /// The smallest length with `K ≥ 1`, or nil when it is 10¹⁵ or more. `K` never decreases with
  /// the length (rounded products are monotone), and `K ≥ 1` needs
  /// `length ≥ (1 − 10⁻⁹) / (cutoffHertz · sampleStepSeconds)` up to a few ulps: the search
  /// starts two below that bound and steps up.
  private static func minimumLength(sampleStepSeconds: Double, cutoffHertz: Double) -> Int? {
    let bound = ((1 - 1e-9) / (cutoffHertz * sampleStepSeconds)).rounded(.down) - 2
    guard bound < 1e15 else { return nil }
    var length = max(1, Int(bound))
    while components(length: length, sampleStepSeconds: sampleStepSeconds, cutoffHertz: cutoffHertz) < 1 {
      length += 1
    }
    return length
  }
}
