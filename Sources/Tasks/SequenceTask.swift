import SeededRandom

/// A synthetic sequence task of the benchmark suite: a seeded, deterministic generator of
/// instances of an exact `length`, with train / validation / test splits and its own metric.
///
/// A conforming type implements ``example(using:)`` (one instance from a generator) and
/// ``resized(to:)``; the extension provides ``batch(_:split:index:seed:)``, which draws batch
/// `index` of a split from ``Split/generator(seed:index:)`` through
/// ``examples(_:split:generator:)``. Its default keeps only the drawn instances of that split
/// (see ``Split`` for the disjointness guarantee); a task whose instances come from split-owned
/// data (``TextTask``: windows of the split's documents) implements it instead. Batches are pure
/// functions of `(task, size, split, index, seed)`: any batch can be regenerated alone.
///
/// ```swift
/// let task = try TaskName.inductionHeads.make(length: 256)
/// let train = try task.batch(32, split: .train, index: step, seed: 1)
/// // Length generalisation: test the same task at 4× the training length.
/// let test = try task.batch(32, split: .test, index: 0, seed: 1, length: 1024)
/// ```
public protocol SequenceTask: Sendable {
  /// Which task this is.
  var name: TaskName { get }
  /// Positions per instance (exact: every instance has this length).
  var length: Int { get }
  /// How predictions are scored.
  var metric: TaskMetric { get }
  /// What the model reads at each position.
  var input: InputFormat { get }
  /// What the model emits at each scored position.
  var output: OutputFormat { get }
  /// The smallest length this task admits with its other parameters unchanged
  /// (``resized(to:)`` throws ``TaskError/lengthTooSmall(task:length:minimum:)`` below it).
  var minimumLength: Int { get }
  /// The same task at another length, every other parameter unchanged.
  func resized(to length: Int) throws -> Self
  /// One instance drawn from `generator` (of any split: the default
  /// ``examples(_:split:generator:)`` filters).
  func example(using generator: inout SeededGenerator) -> TaskExample
  /// `size` (≥ 1) instances of `split` drawn from `generator`; the default draws
  /// ``example(using:)`` and keeps the instances that `split` owns.
  func examples(_ size: Int, split: Split, generator: inout SeededGenerator) throws -> [TaskExample]
}

extension SequenceTask {
  /// Candidates drawn per requested instance before giving up with
  /// ``TaskError/splitExhausted(task:split:attempts:)``. A split holds ≈ 10 % of the mass at
  /// least, so a real task fails with probability below `0.9¹⁰⁰⁰ ≈ 10⁻⁴⁶`.
  public static var maximumAttemptsPerInstance: Int { 1000 }

  /// `size` instances of `split` drawn from `generator`: candidates are drawn in order and those
  /// owned by another split (``TaskExample/contentHash``) are discarded.
  public func examples(_ size: Int, split: Split, generator: inout SeededGenerator) throws -> [TaskExample] {
    guard size >= 1 else { throw TaskError.invalidBatch("batch size must be ≥ 1, got \(size)") }
    var accepted: [TaskExample] = []
    accepted.reserveCapacity(size)
    while accepted.count < size {
      var attempts = 0
      while true {
        let candidate = example(using: &generator)
        attempts += 1
        if Split.owning(hash: candidate.contentHash) == split {
          accepted.append(candidate)
          break
        }
        if attempts >= Self.maximumAttemptsPerInstance {
          throw TaskError.splitExhausted(task: name, split: split, attempts: attempts)
        }
      }
    }
    return accepted
  }

  /// Batch number `index` (≥ 0) of `split`: `size` (≥ 1) instances drawn by ``examples(_:split:generator:)``
  /// from `split.generator(seed: seed, index: index)`.
  public func batch(_ size: Int, split: Split, index: Int, seed: UInt64) throws -> TaskBatch {
    guard index >= 0 else { throw TaskError.invalidBatch("batch index must be ≥ 0, got \(index)") }
    var generator = split.generator(seed: seed, index: index)
    let drawn = try examples(size, split: split, generator: &generator)
    return try TaskBatch(stacking: drawn, length: length, input: input, output: output)
  }

  /// Batch number `index` of `split` at another `length` (the task ``resized(to:)``), for
  /// training at one length and evaluating at others.
  public func batch(_ size: Int, split: Split, index: Int, seed: UInt64, length: Int) throws -> TaskBatch {
    try resized(to: length).batch(size, split: split, index: index, seed: seed)
  }
}
