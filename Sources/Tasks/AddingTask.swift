import SeededRandom

/// The adding problem (Hochreiter & Schmidhuber 1997, "Long Short-Term Memory", experiment 4;
/// in the form of Le, Jaitly & Hinton 2015 and Arjovsky et al. 2016): two input channels per
/// position, a value `v_t ~ U[0, 1)` and a marker `m_t ∈ {0, 1}` with exactly two 1s — one at a
/// uniform position of the first half `0 ..< ⌊length/2⌋` and one at a uniform position of the
/// second half `⌊length/2⌋ ..< length`. The target, at the last position only, is the sum of the
/// two marked values `y = Σ_t m_t·v_t`.
///
/// Input features per position: `[v_t, m_t]` (channels 2). Output: one value at position
/// `length − 1`. Metric: mean squared error.
///
/// The baseline: the sum of two independent `U[0, 1)` variables has mean 1 and variance
/// `2 · 1/12 = 1/6`, so always predicting 1 scores MSE `1/6 ≈ 0.167`; a model must beat this
/// clearly to have solved the task (Arjovsky et al. treat MSE ≪ 0.167 as success).
public struct AddingTask: SequenceTask, Equatable {
  /// Positions per instance.
  public let length: Int

  /// A task of exactly `length ≥ 2` positions (one per half, at least).
  public init(length: Int) throws {
    guard length >= 2 else { throw TaskError.lengthTooSmall(task: .adding, length: length, minimum: 2) }
    self.length = length
  }

  /// The MSE of the constant prediction 1: `Var(U₁ + U₂) = 1/6`.
  public static let constantBaselineMeanSquaredError = 1.0 / 6.0

  /// ``TaskName/adding``.
  public var name: TaskName { .adding }
  /// ``TaskMetric/meanSquaredError``.
  public var metric: TaskMetric { .meanSquaredError }
  /// Two channels: value and marker.
  public var input: InputFormat { .features(channels: 2) }
  /// One value (at the last position).
  public var output: OutputFormat { .values(channels: 1) }
  /// 2.
  public var minimumLength: Int { 2 }

  /// The task at another length.
  public func resized(to length: Int) throws -> AddingTask { try AddingTask(length: length) }

  /// One instance: `length` values, then the two marker positions (first half, second half).
  public func example(using generator: inout SeededGenerator) -> TaskExample {
    var features = [Float](repeating: 0, count: 2 * length)
    // 24 random bits: exactly representable, uniform on the grid k/2²⁴ of [0, 1).
    for t in 0..<length { features[2 * t] = Float(generator.next() >> 40) * 0x1p-24 }
    let half = length / 2
    let first = generator.index(below: half)
    let second = half + generator.index(below: length - half)
    features[2 * first + 1] = 1
    features[2 * second + 1] = 1
    let sum = features[2 * first] + features[2 * second]
    return TaskExample(inputs: .features(features), targets: .values([sum], positions: [length - 1]))
  }
}
