/// A model's tokens as byte strings, for indexing a ``ByteDFA``: token `t` spells
/// `tokenBytes[t]` (`nil` for a special token with no text); the ``stopTokens`` end generation.
public struct TokenVocabulary: Sendable, Equatable {
  /// The bytes of each token; `nil` (or empty) for special tokens, which a constraint never
  /// allows unless they are stop tokens.
  public let tokenBytes: [[UInt8]?]
  /// The tokens that end a sequence (EOS); a constraint allows them exactly in accepting states.
  /// Their bytes, if any, are ignored.
  public let stopTokens: Set<Int>

  /// A vocabulary of `tokenBytes.count` tokens.
  /// - Throws: ``ConstraintError/invalidVocabulary(_:)`` when no stop token is given (a
  ///   constrained sequence could never end) or one lies outside the vocabulary.
  public init(tokenBytes: [[UInt8]?], stopTokens: Set<Int>) throws {
    guard !stopTokens.isEmpty else {
      throw ConstraintError.invalidVocabulary("no stop token: a constrained sequence could never end")
    }
    if let token = stopTokens.sorted().first(where: { !tokenBytes.indices.contains($0) }) {
      throw ConstraintError.invalidVocabulary("stop token \(token) outside 0..<\(tokenBytes.count)")
    }
    self.tokenBytes = tokenBytes
    self.stopTokens = stopTokens
  }

  /// A byte-level vocabulary of `size ≥ 256` tokens: token `b < 256` is the byte `b` (unless it is
  /// a stop token), tokens `≥ 256` are special (the text task's document separator, 256, say).
  public static func byteLevel(size: Int, stopTokens: Set<Int>) throws -> TokenVocabulary {
    guard size >= 256 else {
      throw ConstraintError.invalidVocabulary("a byte-level vocabulary needs at least 256 tokens, got \(size)")
    }
    return try TokenVocabulary(
      tokenBytes: (0..<size).map { $0 < 256 ? [UInt8($0)] : nil }, stopTokens: stopTokens)
  }
}
