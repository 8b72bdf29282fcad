import SeededRandom
import Signals

/// The reconstruction task (Gu, Johnson, Timalsina, Rudra & Ré 2022, "How to Train Your HiPPO",
/// §6): the input is a band-limited white-noise signal (`BandLimitedNoise` of the Signals module, one channel) and
/// at the last position the model must output the last `window` inputs,
/// `y = (x_{length−window}, …, x_{length−1})` as `window` channels (oldest first) — a test of
/// how well the state summarises the recent history.
///
/// Only position `length − 1` is scored; metric: mean squared error over the `window` channels
/// (predicting 0 scores ≈ 1). Default: `window = length / 4` and cutoff 1/16 cycle per step.
public struct ReconstructTask: SequenceTask, Equatable {
  /// The input signal source (its length is the task length).
  public let noise: BandLimitedNoise
  /// Inputs to reconstruct, `1 ≤ window ≤ length`.
  public let window: Int

  /// A task of exactly `length` positions; `window` defaults to `length / 4`. Needs
  /// `1 ≤ window ≤ length` and `⌊cutoff · length⌋ ≥ 1`.
  public init(length: Int, window: Int? = nil, cutoff: Double = 1.0 / 16) throws {
    noise = try BandLimitedNoise.taskInput(length: length, cutoff: cutoff, task: .reconstruct)
    let window = window ?? length / 4
    guard window >= 1 else {
      throw TaskError.invalidParameter(
        "reconstruct needs window ≥ 1 (the default length / 4 needs length ≥ 4), got \(window)")
    }
    guard length >= window else {
      throw TaskError.lengthTooSmall(task: .reconstruct, length: length, minimum: window)
    }
    self.window = window
  }

  /// Positions per instance.
  public var length: Int { noise.length }
  /// The noise cutoff in cycles per step.
  public var cutoff: Double { noise.cutoffCyclesPerSample }

  /// ``TaskName/reconstruct``.
  public var name: TaskName { .reconstruct }
  /// ``TaskMetric/meanSquaredError``.
  public var metric: TaskMetric { .meanSquaredError }
  /// One channel.
  public var input: InputFormat { .features(channels: 1) }
  /// `window` channels.
  public var output: OutputFormat { .values(channels: window) }
  /// `max(window, ⌈1/cutoff⌉)`.
  public var minimumLength: Int { max(window, noise.minimumLength) }

  /// The task at another length, with the same window and cutoff.
  public func resized(to length: Int) throws -> ReconstructTask {
    try ReconstructTask(length: length, window: window, cutoff: cutoff)
  }

  /// One instance: the target at the last position is the last `window` inputs.
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    let x = noise.taskSample(using: &generator)
    return TaskExample(inputs: .features(x), targets: .values(Array(x[(length - window)...]), positions: [length - 1]))
  }
}
