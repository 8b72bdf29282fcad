import SeededRandom
import Signals
import Testing

@Suite("Band-limited noise")
struct BandLimitedNoiseTests {
  // No energy above the cutoff: the DFT (computed directly) of 256 samples with cutoff 1/16 has
  // all its energy in bins 1 … 16 and 240 … 255 (relative energy elsewhere < 1e-9: rounding
  // only), and every band bin carries energy.
  // Both synthesis paths are checked: radix-2 FFT (256) and direct summation (120, K = 12).
  @Test(arguments: [(256, 1.0 / 16, 16), (120, 0.1, 12)])
  func spectrumIsBandLimited(length: Int, cutoff: Double, components: Int) throws {
    let noise = try BandLimitedNoise(length: length, cutoffCyclesPerSample: cutoff, normalization: .unitVariance)
    #expect(noise.components == components)
    var generator = SeededGenerator(seed: 4)
    for _ in 0..<6 {
      let energy = dftEnergy(noise.sample(using: &generator))
      let total = energy.reduce(0, +)
      let band = Set(1...components).union((length - components)..<length)
      let outside = (0..<length).filter { !band.contains($0) }
      #expect(outside.map { energy[$0] }.reduce(0, +) / total < 1e-9)
      #expect((1...components).allSatisfy { energy[$0] / total > 1e-8 })
    }
  }

  // The same in physical units: 400 samples at 0.01 s (T = 4 s), cutoff 5 Hz, so the bins
  // k/T ≤ 5 Hz (k ≤ 20) hold everything; outside them only round-off, 1e-20 of the total
  // energy.
  @Test func noEnergyAboveCutoff() throws {
    let length = 400
    let dt = 0.01
    let noise = try BandLimitedNoise(
      length: length, sampleStepSeconds: dt, cutoffHertz: 5, normalization: .rootMeanSquare(1))
    #expect(noise.components == 20)
    let energy = dftEnergy(noise.samples(seed: 3))
    var inBand = 0.0
    var outOfBand = 0.0
    for k in 0...(length / 2) {
      if Double(k) / (Double(length) * dt) <= 5 + 1e-9 { inBand += energy[k] } else { outOfBand += energy[k] }
    }
    #expect(outOfBand <= 1e-20 * inBand)
  }

  // Unit variance: the mean of the per-signal mean squares over 512 signals is 1 within 0.07
  // (each has standard deviation 1/√K = 0.25 for K = 16, so the average has 0.011: > 5 σ), and
  // the variance of one position across 4096 signals is 1 within 0.11 (σ ≈ √(2/4096) = 0.022).
  @Test func varianceIsUnit() throws {
    let noise = try BandLimitedNoise(length: 256, cutoffCyclesPerSample: 1.0 / 16, normalization: .unitVariance)
    var generator = SeededGenerator(seed: 8)
    var meanSquare = 0.0
    for _ in 0..<512 {
      let x = noise.sample(using: &generator)
      meanSquare += x.reduce(0) { $0 + $1 * $1 } / 256
    }
    #expect(abs(meanSquare / 512 - 1) < 0.07, "\(meanSquare / 512)")
    // The direct path (length 96, K = 16) likewise.
    let direct = try BandLimitedNoise(length: 96, cutoffCyclesPerSample: 0.17, normalization: .unitVariance)
    var directMeanSquare = 0.0
    for _ in 0..<512 {
      directMeanSquare += direct.sample(using: &generator).reduce(0) { $0 + $1 * $1 } / 96
    }
    #expect(abs(directMeanSquare / 512 - 1) < 0.07, "\(directMeanSquare / 512)")
    let short = try BandLimitedNoise(length: 32, cutoffCyclesPerSample: 0.2, normalization: .unitVariance)
    var sum = 0.0
    var sumSquares = 0.0
    for _ in 0..<4096 {
      let x = short.sample(using: &generator)[5]
      sum += x
      sumSquares += x * x
    }
    let variance = sumSquares / 4096 - (sum / 4096) * (sum / 4096)
    #expect(abs(variance - 1) < 0.11, "\(variance)")
  }

  // An exact root mean square: the scale is computed from the samples themselves, so the RMS
  // is the target to a few roundings of the sum of 500 squares (1e-14 relative). The same seed
  // gives the same samples; another seed others.
  @Test func seededAndNormalised() throws {
    let generator = try BandLimitedNoise(
      length: 500, sampleStepSeconds: 0.01, cutoffHertz: 3, normalization: .rootMeanSquare(0.5))
    let a = generator.samples(seed: 1)
    #expect(a == generator.samples(seed: 1))
    #expect(a != generator.samples(seed: 2))
    #expect(abs(rootMeanSquare(a) - 0.5) <= 1e-14)
    var seeded = SeededGenerator(seed: 1)
    #expect(generator.sample(using: &seeded) == a)
  }

  // Units: the samples depend on them only through K (f_k t_j = kj/length), so a cutoff of
  // c cycles per sample and one of c/dt Hz at a step of dt seconds give identical samples.
  // 0.1 s and 2.5 Hz is 0.25 cycles per sample: K = 0.25 · 64 = 16 both ways.
  @Test func hertzAndCyclesPerSampleAgree() throws {
    let perSample = try BandLimitedNoise(length: 64, cutoffCyclesPerSample: 0.25, normalization: .unitVariance)
    let physical = try BandLimitedNoise(
      length: 64, sampleStepSeconds: 0.1, cutoffHertz: 2.5, normalization: .unitVariance)
    #expect(perSample.components == 16 && physical.components == 16)
    #expect(physical.cutoffCyclesPerSample == 0.25)
    #expect(perSample.samples(seed: 5) == physical.samples(seed: 5))
  }

  // K = ⌊cutoff · length + 1e-9⌋: 2 Hz over 3000 samples of 2/3000 s is 4 components although
  // the product rounds below 4; the minimum length is the first with K ≥ 1 (⌈1/cutoff⌉ samples
  // in cycles per sample: 10 for 0.1, 4 for 0.3 since 0.3 · 3 < 1).
  @Test func componentsAndMinimumLength() throws {
    let hippoSignal = try BandLimitedNoise(
      length: 3000, sampleStepSeconds: 2.0 / 3000, cutoffHertz: 2, normalization: .rootMeanSquare(1))
    #expect(hippoSignal.components == 4)
    #expect(try BandLimitedNoise(length: 10, cutoffCyclesPerSample: 0.1, normalization: .unitVariance).components == 1)
    #expect(
      try BandLimitedNoise(length: 64, cutoffCyclesPerSample: 0.1, normalization: .unitVariance).minimumLength == 10)
    #expect(
      try BandLimitedNoise(length: 64, cutoffCyclesPerSample: 0.3, normalization: .unitVariance).minimumLength == 4)
    #expect(hippoSignal.minimumLength == 750)  // 1 / (2 Hz · 2/3000 s)
    // The Nyquist cutoff (1/2 cycle per sample) keeps the alternating bin length/2.
    let nyquist = try BandLimitedNoise(
      length: 256, sampleStepSeconds: 1, cutoffHertz: 0.5, normalization: .unitVariance)
    #expect(nyquist.components == 128)
  }

  // The tolerance 1e-9 in K changes nothing for the cutoffs the tasks and tests use: at every
  // length up to 10⁵ (brute force) K equals ⌊cutoff · length⌋ without it, as the task inputs
  // counted it.
  @Test func toleranceKeepsTaskComponents() throws {
    for cutoff in [1.0 / 16, 0.1, 0.17, 0.2, 0.3] {
      let minimum = try BandLimitedNoise(length: 1000, cutoffCyclesPerSample: cutoff, normalization: .unitVariance)
        .minimumLength
      #expect(minimum == (1...100).first { Int((cutoff * Double($0)).rounded(.down)) >= 1 })
      var mismatches = 0
      for length in stride(from: minimum, through: 100_000, by: 1) {
        let withTolerance = Int((cutoff * Double(length) + 1e-9).rounded(.down))
        if withTolerance != Int((cutoff * Double(length)).rounded(.down)) { mismatches += 1 }
      }
      #expect(mismatches == 0, "cutoff \(cutoff)")
    }
  }

  @Test func rejectsInvalidParameters() {
    #expect(throws: SignalError.self) {
      _ = try BandLimitedNoise(length: 0, sampleStepSeconds: 0.1, cutoffHertz: 1, normalization: .rootMeanSquare(1))
    }
    #expect(
      throws: SignalError.lengthTooSmall(
        length: 100, minimum: 200,
        reason: "length · sampleStepSeconds must last at least one period 1/cutoffHertz = 2.0 s")
    ) {
      _ = try BandLimitedNoise(
        length: 100, sampleStepSeconds: 0.01, cutoffHertz: 0.5, normalization: .rootMeanSquare(1))
    }
    #expect(throws: SignalError.self) {
      _ = try BandLimitedNoise(length: 100, sampleStepSeconds: 0.01, cutoffHertz: 80, normalization: .rootMeanSquare(1))
    }
    #expect(throws: SignalError.self) {
      _ = try BandLimitedNoise(length: 100, sampleStepSeconds: 0.01, cutoffHertz: 5, normalization: .rootMeanSquare(0))
    }
    for step in [0, -1, Double.nan, .infinity] {
      #expect(throws: SignalError.self) {
        _ = try BandLimitedNoise(length: 100, sampleStepSeconds: step, cutoffHertz: 5, normalization: .unitVariance)
      }
    }
    for cutoff in [0, -0.1, 0.51, Double.nan, .infinity, 1e-300] {
      #expect(throws: SignalError.self) {
        _ = try BandLimitedNoise(length: 100, cutoffCyclesPerSample: cutoff, normalization: .unitVariance)
      }
    }
  }
}
