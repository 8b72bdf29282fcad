import SeededRandom

/// The copying memory task (Arjovsky et al. 2016, as in the HiPPO and S4 papers): a
/// sequence of `count` data tokens drawn from `alphabet` symbols, then `delay` blank
/// tokens, then `count` marker tokens during which the model must reproduce the data.
///
/// Tokens: data `0 ..< alphabet`, blank `alphabet`, marker `alphabet + 1` (vocabulary
/// `alphabet + 2`). Targets are the data tokens at the last `count` positions and
/// ``ignoredTarget`` elsewhere. Length `count + delay + count`.
public struct CopyingTask: Sendable, Equatable {
  /// Data tokens to memorise.
  public let count: Int
  /// Blank tokens between the data and the recall markers.
  public let delay: Int
  /// Distinct data symbols.
  public let alphabet: Int
  /// The target value of positions that are not scored.
  public static let ignoredTarget = -100

  /// A task; every size must be at least 1 (alphabet at least 2).
  public init(count: Int, delay: Int, alphabet: Int) throws {
    guard count >= 1, delay >= 0, alphabet >= 2 else {
      throw TaskError.invalidParameter("copying needs count ≥ 1, delay ≥ 0, alphabet ≥ 2")
    }
    self.count = count
    self.delay = delay
    self.alphabet = alphabet
  }

  /// `alphabet + 2`.
  public var vocabulary: Int { alphabet + 2 }
  /// `2·count + delay`.
  public var length: Int { 2 * count + delay }

  /// A batch of examples drawn from `generator`: inputs and targets, each `batch × length`.
  public func batch(_ size: Int, generator: inout SeededGenerator) -> (inputs: [[Int]], targets: [[Int]]) {
    var inputs: [[Int]] = []
    var targets: [[Int]] = []
    for _ in 0..<size {
      let data = (0..<count).map { _ in Int(generator.next() % UInt64(alphabet)) }
      inputs.append(data + [Int](repeating: alphabet, count: delay) + [Int](repeating: alphabet + 1, count: count))
      targets.append([Int](repeating: Self.ignoredTarget, count: count + delay) + data)
    }
    return (inputs, targets)
  }
}

/// Invalid task parameters.
public enum TaskError: Error, Equatable, CustomStringConvertible {
  case invalidParameter(String)

  public var description: String {
    switch self {
    case .invalidParameter(let detail): return "invalid task: \(detail)"
    }
  }
}
