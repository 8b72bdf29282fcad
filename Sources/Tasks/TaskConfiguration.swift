/// A task of the suite with its parameters: what a training run stores to rebuild its task.
///
/// ``make()`` builds the task: ``name`` in the suite's default shape at ``length``
/// (``TaskName/make(length:)``) unless a parameter says otherwise. Each parameter belongs to the
/// tasks that read it, and giving it to another task is an error:
///
/// | parameter | tasks | when `nil` |
/// |---|---|---|
/// | ``count``, ``alphabet`` | copying (`delay = length − 2·count`) | stored as 10 and 8 (``CopyingTask/defaultCount``, ``CopyingTask/defaultAlphabet``) |
/// | ``corpus`` | text | Debian's fortunes (``TextCorpus/defaultPath``) |
///
/// ```swift
/// let copying = TaskConfiguration(.copying, length: 24, count: 4, alphabet: 4)
/// let task = try copying.make()  // CopyingTask(count: 4, delay: 16, alphabet: 4)
/// ```
public struct TaskConfiguration: Codable, Sendable, Equatable {
  /// The task.
  public var name: TaskName
  /// The task's total length in positions.
  public var length: Int
  /// Data tokens to memorise (copying).
  public var count: Int?
  /// Distinct data symbols (copying).
  public var alphabet: Int?
  /// The corpus, a file or a folder of files (``TextCorpus/init(contentsOf:)``; text).
  public var corpus: String?

  /// The task `name` at `length` with the given parameters; the copying task's ``count`` and
  /// ``alphabet`` are stored with their defaults filled in, so a configuration that spells the
  /// defaults out equals one that omits them. ``make()`` checks the parameters.
  public init(_ name: TaskName, length: Int, count: Int? = nil, alphabet: Int? = nil, corpus: String? = nil) {
    self.name = name
    self.length = length
    self.count = name == .copying ? count ?? CopyingTask.defaultCount : count
    self.alphabet = name == .copying ? alphabet ?? CopyingTask.defaultAlphabet : alphabet
    self.corpus = corpus
  }

  /// The task this configuration describes.
  /// - Throws: ``TaskError/invalidParameter(_:)`` for a parameter given to a task that does not
  ///   read it, and the errors of the task's initialiser (a length too small for its parameters, a
  ///   corpus that cannot be read).
  public func make() throws -> any SequenceTask {
    if name != .copying, count != nil || alphabet != nil {
      throw TaskError.invalidParameter("count and alphabet apply to the copying task only, not \(name.rawValue)")
    }
    if name != .text, corpus != nil {
      throw TaskError.invalidParameter("a corpus applies to the text task only, not \(name.rawValue)")
    }
    switch name {
    case .copying:
      return try CopyingTask(
        length: length, count: count ?? CopyingTask.defaultCount, alphabet: alphabet ?? CopyingTask.defaultAlphabet)
    case .text:
      guard let corpus else { return try TextTask(length: length) }
      return try TextTask(corpus: TextCorpus(contentsOf: corpus), length: length)
    default: return try name.make(length: length)
    }
  }
}
