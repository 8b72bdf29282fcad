/// Problems with command-line input that are not about the math.
enum InputError: Error, CustomStringConvertible {
  /// An option that the chosen measure or method does not use.
  case inapplicableOption(String)
  /// An input file that cannot be read.
  case unreadableFile(path: String, reason: String)
  /// A member of an input object that the command does not read (a misspelling, say).
  case unknownKey(String, context: String, known: [String])
  /// A line of an input file (JSONL) that cannot be used: `line` counts from 1.
  case invalidLine(path: String, line: Int, reason: String)
  /// The computation overflowed: a result contains `NaN` or `±∞`.
  case nonFiniteResult
  /// The sizes asked for need more memory (`needed` bytes, estimated; see ``MemoryEstimate``)
  /// than is available (`available` bytes, read from `source`).
  case insufficientMemory(needed: Double, purpose: String, available: Double, source: String)

  var description: String {
    switch self {
    case .inapplicableOption(let detail): return detail
    case .unreadableFile(let path, let reason): return "cannot read \(path): \(reason)"
    case .unknownKey(let key, let context, let known):
      return "unknown key \"\(key)\" for \(context); known keys: \(known.joined(separator: ", "))"
    case .invalidLine(let path, let line, let reason): return "\(path), line \(line): \(reason)"
    case .nonFiniteResult: return "the result is not finite (overflow); use a smaller step or input"
    case .insufficientMemory(let needed, let purpose, let available, let source):
      return "not enough memory: \(purpose) needs about \(formatBytes(needed)), but \(formatBytes(available)) is "
        + "available (\(source)); use smaller sizes"
    }
  }
}
