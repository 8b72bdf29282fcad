/// Why a regular expression, JSON Schema or vocabulary cannot become a decoding constraint.
public enum ConstraintError: Error, Equatable, CustomStringConvertible, Sendable {
  /// The pattern uses a construct that is valid elsewhere but has no finite automaton here
  /// (backreference, lookaround, anchor inside the pattern, inline flag, …); `position` is the
  /// 0-based Unicode scalar offset where the construct starts.
  case unsupportedSyntax(construct: String, position: Int)
  /// The pattern is not a regular expression (unbalanced parenthesis, bad range, …).
  case invalidSyntax(String, position: Int)
  /// The automaton would exceed a size limit (`detail` names which).
  case tooLarge(String)
  /// The pattern matches no string at all, so no generation can satisfy it.
  case emptyLanguage
  /// The token vocabulary is unusable (out-of-range or missing stop tokens, …).
  case invalidVocabulary(String)
  /// No sequence of vocabulary tokens followed by a stop token spells a string of the language.
  case vocabularyCannotComplete
  /// A JSON Schema keyword (or keyword value) outside the supported subset; `path` locates it.
  case unsupportedSchema(keyword: String, path: String)
  /// A JSON Schema that is not valid (`detail` says why); `path` locates it.
  case invalidSchema(String, path: String)

  public var description: String {
    switch self {
    case .unsupportedSyntax(let construct, let position):
      "unsupported regular-expression syntax at character \(position): \(construct)"
    case .invalidSyntax(let detail, let position): "invalid regular expression at character \(position): \(detail)"
    case .tooLarge(let detail): "constraint too large: \(detail)"
    case .emptyLanguage: "the constraint matches no string"
    case .invalidVocabulary(let detail): "invalid vocabulary for a constraint: \(detail)"
    case .vocabularyCannotComplete:
      "no sequence of vocabulary tokens followed by a stop token spells a string the constraint accepts"
    case .unsupportedSchema(let keyword, let path): "unsupported JSON Schema at \(path): \(keyword)"
    case .invalidSchema(let detail, let path): "invalid JSON Schema at \(path): \(detail)"
    }
  }
}
