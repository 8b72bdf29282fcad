/// A batch of `size` instances of one task, all of the same `length`, with their targets.
///
/// Layouts (row-major throughout, batch-major first):
/// - inputs ``Inputs/tokens(_:)``: `size` rows of `length` token ids;
///   ``Inputs/features(_:channels:)``: `size × length × channels` values.
/// - targets ``Targets/classes(_:)``: `size` rows of `length` class ids, ``ignoredTarget`` at
///   unscored positions; ``Targets/values(_:channels:positions:)``:
///   `size × positions.count × channels` values at the scored `positions` (shared by the batch).
public struct TaskBatch: Equatable, Sendable {
  /// The target class of positions that are not scored (PyTorch's `ignore_index` convention).
  public static let ignoredTarget = -100

  /// Batch inputs.
  public enum Inputs: Equatable, Sendable {
    /// `size × length` token ids.
    case tokens([[Int]])
    /// `size × length × channels` values, row-major.
    case features([Float], channels: Int)
  }

  /// Batch targets.
  public enum Targets: Equatable, Sendable {
    /// `size × length` class ids, ``TaskBatch/ignoredTarget`` where unscored.
    case classes([[Int]])
    /// `size × positions.count × channels` values, row-major, at the scored `positions`
    /// (strictly increasing, in `0 ..< length`).
    case values([Float], channels: Int, positions: [Int])
  }

  /// Instances in the batch.
  public let size: Int
  /// Positions per instance.
  public let length: Int
  /// The inputs.
  public let inputs: Inputs
  /// The targets.
  public let targets: Targets

  /// A batch from its parts; the caller guarantees the documented shapes.
  public init(size: Int, length: Int, inputs: Inputs, targets: Targets) {
    self.size = size
    self.length = length
    self.inputs = inputs
    self.targets = targets
  }

  /// Stacks `examples` of a task with the given length and formats. Throws
  /// ``TaskError/shapeMismatch(_:)`` when an example disagrees with them (a task bug).
  public init(
    stacking examples: [TaskExample], length: Int, input: InputFormat, output: OutputFormat
  ) throws {
    guard !examples.isEmpty else { throw TaskError.invalidBatch("a batch needs at least one example") }
    size = examples.count
    self.length = length
    switch input {
    case .tokens:
      var rows: [[Int]] = []
      rows.reserveCapacity(size)
      for example in examples {
        guard case .tokens(let tokens) = example.inputs, tokens.count == length else {
          throw TaskError.shapeMismatch("example inputs are not \(length) tokens")
        }
        rows.append(tokens)
      }
      inputs = .tokens(rows)
    case .features(let channels):
      var values: [Float] = []
      values.reserveCapacity(size * length * channels)
      for example in examples {
        guard case .features(let features) = example.inputs, features.count == length * channels else {
          throw TaskError.shapeMismatch("example inputs are not \(length) × \(channels) features")
        }
        values += features
      }
      inputs = .features(values, channels: channels)
    }
    switch output {
    case .classes:
      var rows: [[Int]] = []
      rows.reserveCapacity(size)
      for example in examples {
        guard case .classes(let classes) = example.targets, classes.count == length else {
          throw TaskError.shapeMismatch("example targets are not \(length) classes")
        }
        rows.append(classes)
      }
      targets = .classes(rows)
    case .values(let channels):
      guard case .values(_, let positions) = examples[0].targets else {
        throw TaskError.shapeMismatch("example targets are not values")
      }
      var values: [Float] = []
      values.reserveCapacity(size * positions.count * channels)
      for example in examples {
        guard case .values(let v, let p) = example.targets, p == positions, v.count == p.count * channels else {
          throw TaskError.shapeMismatch("example targets are not \(positions.count) × \(channels) values")
        }
        values += v
      }
      targets = .values(values, channels: channels, positions: positions)
    }
  }

  /// The input tokens, or `nil` for a feature task.
  public var tokens: [[Int]]? {
    if case .tokens(let rows) = inputs { return rows }
    return nil
  }

  /// The input features (`size × length × channels`), or `nil` for a token task.
  public var features: [Float]? {
    if case .features(let values, _) = inputs { return values }
    return nil
  }

  /// The target classes, or `nil` for a regression task.
  public var classes: [[Int]]? {
    if case .classes(let rows) = targets { return rows }
    return nil
  }

  /// Whether each position of an instance is scored (`length` flags). For class targets this is
  /// `target ≠ ignoredTarget` in row `instance`; for value targets it is membership in the
  /// shared `positions`.
  public func scoredMask(instance: Int) -> [Bool] {
    switch targets {
    case .classes(let rows): return rows[instance].map { $0 != Self.ignoredTarget }
    case .values(_, _, let positions):
      var mask = [Bool](repeating: false, count: length)
      for p in positions { mask[p] = true }
      return mask
    }
  }
}
