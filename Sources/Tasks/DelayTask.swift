import SeededRandom
import Signals

/// The delay (continuous copying) task (Gu, Johnson, Timalsina, Rudra & Ré 2022, "How to Train
/// Your HiPPO: State Space Models with Generalized Orthogonal Basis Projections", §6): the input
/// is a band-limited white-noise signal (`BandLimitedNoise` of the Signals module, one channel) and the output at
/// every position `t ≥ lag` is the input `lag` steps earlier, `y_t = x_{t−lag}`.
///
/// Positions `0 ..< lag` are unscored (nothing to recall yet); positions `lag ..< length` are
/// scored with mean squared error. Predicting 0 scores MSE ≈ 1 (unit-variance input); a perfect
/// model scores 0. The difficulty grows with `lag · cutoff`, the number of degrees of freedom
/// the state must hold (≈ `2 · lag · cutoff` numbers). Default: `lag = length / 4` (Gu et al.
/// delay by a quarter of the sequence) and cutoff 1/16 cycle per step.
public struct DelayTask: SequenceTask, Equatable {
  /// The input signal source (its length is the task length).
  public let noise: BandLimitedNoise
  /// Steps between an input and its recall, `1 ≤ lag < length`.
  public let lag: Int

  /// A task of exactly `length` positions; `lag` defaults to `length / 4`. Needs
  /// `1 ≤ lag < length` and `⌊cutoff · length⌋ ≥ 1` (see `BandLimitedNoise`).
  public init(length: Int, lag: Int? = nil, cutoff: Double = 1.0 / 16) throws {
    noise = try BandLimitedNoise.taskInput(length: length, cutoff: cutoff, task: .delay)
    let lag = lag ?? length / 4
    guard lag >= 1 else {
      throw TaskError.invalidParameter("delay needs lag ≥ 1 (the default length / 4 needs length ≥ 4), got \(lag)")
    }
    guard length > lag else { throw TaskError.lengthTooSmall(task: .delay, length: length, minimum: lag + 1) }
    self.lag = lag
  }

  /// Positions per instance.
  public var length: Int { noise.length }
  /// The noise cutoff in cycles per step.
  public var cutoff: Double { noise.cutoffCyclesPerSample }

  /// ``TaskName/delay``.
  public var name: TaskName { .delay }
  /// ``TaskMetric/meanSquaredError``.
  public var metric: TaskMetric { .meanSquaredError }
  /// One channel.
  public var input: InputFormat { .features(channels: 1) }
  /// One channel.
  public var output: OutputFormat { .values(channels: 1) }
  /// `max(lag + 1, ⌈1/cutoff⌉)`.
  public var minimumLength: Int { max(lag + 1, noise.minimumLength) }

  /// The task at another length, with the same lag and cutoff.
  public func resized(to length: Int) throws -> DelayTask {
    try DelayTask(length: length, lag: lag, cutoff: cutoff)
  }

  /// One instance: targets `x_{t−lag}` at positions `lag ..< length`.
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    let x = noise.taskSample(using: &generator)
    return TaskExample(
      inputs: .features(x), targets: .values(Array(x[0..<(length - lag)]), positions: Array(lag..<length)))
  }
}
