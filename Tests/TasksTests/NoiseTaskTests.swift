import SeededRandom
import Tasks
import Testing

@Suite("Band-limited noise, delay and reconstruction")
struct NoiseTaskTests {
  // No energy above the cutoff: the DFT (computed directly) of 256 samples with cutoff 1/16 has
  // all its energy in bins 1 … 16 and 240 … 255 (relative energy elsewhere < 1e-9: float
  // rounding only), and every band bin carries energy.
  // Both synthesis paths are checked: radix-2 FFT (256) and direct summation (120, K = 12).
  @Test(arguments: [(256, 1.0 / 16, 16), (120, 0.1, 12)])
  func spectrumIsBandLimited(length: Int, cutoff: Double, components: Int) throws {
    let noise = try BandLimitedNoise(length: length, cutoff: cutoff)
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

  // Unit variance: the mean of the per-signal mean squares over 512 signals is 1 within 0.07
  // (each has standard deviation 1/√K = 0.25 for K = 16, so the average has 0.011: > 5 σ), and
  // the variance of one position across 4096 signals is 1 within 0.11 (σ ≈ √(2/4096) = 0.022).
  @Test func varianceIsUnit() throws {
    let noise = try BandLimitedNoise(length: 256, cutoff: 1.0 / 16)
    var generator = SeededGenerator(seed: 8)
    var meanSquare = 0.0
    for _ in 0..<512 {
      let x = noise.sample(using: &generator)
      meanSquare += x.reduce(0) { $0 + Double($1) * Double($1) } / 256
    }
    #expect(abs(meanSquare / 512 - 1) < 0.07, "\(meanSquare / 512)")
    // The direct path (length 96, K = 16) likewise.
    let direct = try BandLimitedNoise(length: 96, cutoff: 0.17)
    var directMeanSquare = 0.0
    for _ in 0..<512 {
      directMeanSquare += direct.sample(using: &generator).reduce(0) { $0 + Double($1) * Double($1) } / 96
    }
    #expect(abs(directMeanSquare / 512 - 1) < 0.07, "\(directMeanSquare / 512)")
    let short = try BandLimitedNoise(length: 32, cutoff: 0.2)
    var sum = 0.0
    var sumSquares = 0.0
    for _ in 0..<4096 {
      let x = Double(short.sample(using: &generator)[5])
      sum += x
      sumSquares += x * x
    }
    let variance = sumSquares / 4096 - (sum / 4096) * (sum / 4096)
    #expect(abs(variance - 1) < 0.11, "\(variance)")
  }

  // Independent check of delay: every scored target is the input `lag` steps earlier, the
  // first `lag` positions are unscored.
  @Test func delayTargetsAreTheShiftedInput() throws {
    let task = try DelayTask(length: 120, lag: 25, cutoff: 0.1)
    for batch in try batches(task, count: 3, size: 4) {
      let x = features(batch).values
      let (y, channels, positions) = values(batch)
      #expect(channels == 1 && positions == Array(25..<120))
      #expect(batch.scoredMask(instance: 0) == (0..<120).map { $0 >= 25 })
      for b in 0..<4 {
        for (k, t) in positions.enumerated() { #expect(y[b * 95 + k] == x[b * 120 + t - 25]) }
      }
      // The perfect predictor (input shifted by the lag, at every position) scores MSE 0.
      var shifted = [Float](repeating: 0, count: 4 * 120)
      for b in 0..<4 { for t in 25..<120 { shifted[b * 120 + t] = x[b * 120 + t - 25] } }
      #expect(try batch.meanSquaredError(predictions: shifted, layout: .everyPosition).mean == 0)
    }
    #expect(try DelayTask(length: 400).lag == 100)
  }

  // Independent check of reconstruct: the only scored position is the last, and its `window`
  // channels are the last `window` inputs, oldest first.
  @Test func reconstructTargetsAreTheLastWindow() throws {
    let task = try ReconstructTask(length: 64, window: 10, cutoff: 0.1)
    #expect(task.output == .values(channels: 10))
    for batch in try batches(task, count: 3, size: 4) {
      let x = features(batch).values
      let (y, channels, positions) = values(batch)
      #expect(channels == 10 && positions == [63])
      for b in 0..<4 { #expect(Array(y[(b * 10)..<(b * 10 + 10)]) == Array(x[(b * 64 + 54)..<(b * 64 + 64)])) }
    }
    #expect(try ReconstructTask(length: 400).window == 100)
  }

  @Test func badParametersThrow() {
    #expect(throws: TaskError.lengthTooSmall(task: .delay, length: 9, minimum: 10)) {
      _ = try DelayTask(length: 9, lag: 2, cutoff: 0.1)
    }
    #expect(throws: TaskError.lengthTooSmall(task: .delay, length: 20, minimum: 21)) {
      _ = try DelayTask(length: 20, lag: 20, cutoff: 0.1)
    }
    #expect(throws: TaskError.self) { _ = try DelayTask(length: 64, lag: 0) }
    #expect(throws: TaskError.self) { _ = try DelayTask(length: 64, cutoff: 0.5) }
    #expect(throws: TaskError.self) { _ = try DelayTask(length: 64, cutoff: 0) }
    #expect(throws: TaskError.lengthTooSmall(task: .reconstruct, length: 9, minimum: 10)) {
      _ = try ReconstructTask(length: 9, window: 3, cutoff: 0.1)
    }
    #expect(throws: TaskError.lengthTooSmall(task: .reconstruct, length: 20, minimum: 30)) {
      _ = try ReconstructTask(length: 20, window: 30, cutoff: 0.1)
    }
    #expect(throws: TaskError.self) { _ = try ReconstructTask(length: 64, window: 0) }
    #expect(BandLimitedNoise.minimumLength(cutoff: 0.1) == 10)
    #expect(BandLimitedNoise.minimumLength(cutoff: 0.3) == 4)
  }
}
