/// Problems with command-line input that are not about the math.
enum InputError: Error, CustomStringConvertible {
  /// An option that the chosen measure or method does not use.
  case inapplicableOption(String)
  /// An input file that cannot be read.
  case unreadableFile(path: String, reason: String)
  /// A member of an input object that the command does not read (a misspelling, say).
  case unknownKey(String, context: String, known: [String])
  /// The computation overflowed: a result contains `NaN` or `±∞`.
  case nonFiniteResult

  var description: String {
    switch self {
    case .inapplicableOption(let detail): return detail
    case .unreadableFile(let path, let reason): return "cannot read \(path): \(reason)"
    case .unknownKey(let key, let context, let known):
      return "unknown key \"\(key)\" for \(context); known keys: \(known.joined(separator: ", "))"
    case .nonFiniteResult: return "the result is not finite (overflow); use a smaller step or input"
    }
  }
}
