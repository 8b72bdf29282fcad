import SeededRandom
import Signals
import Testing

/// The two generators this one replaced, reproduced: samples printed by the Tasks module's
/// `BandLimitedNoise` (cutoff in cycles per step, unit variance, `Float` samples) and by the
/// HiPPO module's (`dt`, cutoff in cycles per unit time, exact root mean square) at a9c5cb0,
/// before either was removed. Both drew `a_1, b_1, a_2, b_2, …` from the generator; that order
/// is kept, so the same seeds give the same signals.
@Suite("Band-limited noise: the former generators' samples")
struct FormerGeneratorTests {
  /// A case: parameters, then `(index, value)` pairs of the first and second draw.
  struct TaskCase: Sendable, CustomTestStringConvertible {
    let length: Int
    let cutoff: Double
    let seed: UInt64
    let first: [(Int, Float)]
    let second: [(Int, Float)]
    var testDescription: String { "L = \(length), cutoff \(cutoff), seed \(seed)" }
  }

  // The task inputs' synthesis code is unchanged (radix-2 FFT for 256, exact tables for 120
  // and 96), so the samples match exactly.
  @Test(arguments: [
    TaskCase(
      length: 256, cutoff: 1.0 / 16, seed: 4,
      first: [(0, 0.46223342), (1, 0.23203725), (85, 0.85156214), (255, 0.6087439)],
      second: [(0, 0.7285612), (255, 0.7483514)]),
    TaskCase(
      length: 120, cutoff: 0.1, seed: 4, first: [(0, 0.043615337), (40, 1.1329075), (119, 0.40860635)],
      second: [(0, 0.8487222)]),
    TaskCase(
      length: 96, cutoff: 0.17, seed: 9, first: [(0, 0.23581825), (32, 0.64276165), (95, -0.8578036)],
      second: [(95, -0.7494664)]),
  ])
  func taskInputs(_ c: TaskCase) throws {
    let noise = try BandLimitedNoise(length: c.length, cutoffCyclesPerSample: c.cutoff, normalization: .unitVariance)
    var generator = SeededGenerator(seed: c.seed)
    let first = noise.sample(using: &generator).map { Float($0) }
    let second = noise.sample(using: &generator).map { Float($0) }
    for (index, value) in c.first { #expect(first[index] == value, "first draw, sample \(index)") }
    for (index, value) in c.second { #expect(second[index] == value, "second draw, sample \(index)") }
  }

  /// A case: parameters, then `(index, value)` pairs.
  struct HiPPOCase: Sendable, CustomTestStringConvertible {
    let length: Int
    let dt: Double
    let cutoff: Double
    let rms: Double
    let seed: UInt64
    let values: [(Int, Double)]
    var testDescription: String { "L = \(length), dt \(dt), cutoff \(cutoff) Hz, seed \(seed)" }
  }

  // The former HiPPO generator evaluated cos(2π f_k t_j) at the rounded arguments 2πkj/length,
  // up to 2πK (≈ 800 rad at K = 128, where one ulp is 1.1e-13); this one reads exact sinusoid
  // tables (or the FFT). Measured on every sample of these signals (RMS ≤ 1): the two differ by
  // at most 5.5e-15 for K ≤ 6 and 7.8e-14 at K = 128 — argument rounding only, so 2e-13 absolute.
  @Test(arguments: [
    HiPPOCase(
      length: 500, dt: 0.01, cutoff: 3, rms: 0.5, seed: 1,
      values: [(0, -0.44569076168391386), (166, -0.6196067066579499), (499, -0.4172174890784563)]),
    HiPPOCase(
      length: 4000, dt: 5e-4, cutoff: 2, rms: 1, seed: 7,
      values: [(0, 1.6560142809121394), (1333, -0.27105561351572754), (3999, 1.6572590456795717)]),
    HiPPOCase(
      length: 3000, dt: 2.0 / 3000, cutoff: 2, rms: 1, seed: 11,
      values: [(0, 1.4150991022305883), (1000, -1.2586649751060843), (2999, 1.4111395308542154)]),
    HiPPOCase(
      length: 256, dt: 1, cutoff: 0.5, rms: 1, seed: 3,
      values: [(0, -1.7460197699389368), (85, 0.6344690021450753), (255, -0.4753932892218731)]),
  ])
  func approximationSignals(_ c: HiPPOCase) throws {
    let noise = try BandLimitedNoise(
      length: c.length, sampleStepSeconds: c.dt, cutoffHertz: c.cutoff, normalization: .rootMeanSquare(c.rms))
    let samples = noise.samples(seed: c.seed)
    for (index, value) in c.values { #expect(abs(samples[index] - value) <= 2e-13, "sample \(index)") }
  }
}
