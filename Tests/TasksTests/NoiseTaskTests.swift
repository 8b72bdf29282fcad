import SeededRandom
import Tasks
import Testing

@Suite("Delay and reconstruction on band-limited noise")
struct NoiseTaskTests {
  // The delay task's input stream is that of the Tasks module's own band-limited noise
  // generator before the Signals module replaced it: these are the first inputs of one instance
  // (length 64, lag 8, cutoff 1/16, `SeededGenerator(seed: 21)`), printed by that generator at
  // a9c5cb0. The synthesis is the same code, so they must match exactly.
  @Test func delayInputsMatchTheFormerGenerator() throws {
    var generator = SeededGenerator(seed: 21)
    let example = try DelayTask(length: 64, lag: 8).example(using: &generator)
    guard case .features(let x) = example.inputs else {
      Issue.record("delay inputs are not features")
      return
    }
    let former: [Float] = [2.1499465, 1.6105973, 0.9326534, 0.1755734, -0.5928632, -1.304602, -1.8992887, -2.3311017]
    #expect(Array(x.prefix(8)) == former)
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

  @Test func badParametersThrow() throws {
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
    #expect(try DelayTask(length: 64, lag: 1, cutoff: 0.1).minimumLength == 10)
    #expect(try DelayTask(length: 64, lag: 1, cutoff: 0.3).minimumLength == 4)
  }
}
