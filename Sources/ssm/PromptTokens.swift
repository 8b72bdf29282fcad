import ArgumentParser

/// How the model commands (`generate`, `score`) read text and token ids from the command line.
enum PromptTokens {
  /// Token ids separated by spaces and/or commas.
  static func parse(_ text: String) throws -> [Int] {
    let fields = text.split(whereSeparator: { $0 == "," || $0.isWhitespace })
    guard !fields.isEmpty else { throw ValidationError("--tokens needs at least one token id") }
    return try fields.map { field in
      guard let token = Int(field) else { throw ValidationError("--tokens: \"\(field)\" is not a token id") }
      return token
    }
  }

  /// `text` as tokens for a model with `vocabulary` tokens: its UTF-8 bytes, for byte-level models only
  /// (``ByteText/isByteLevel(vocabulary:)``).
  /// - Throws: ``InputError/inapplicableOption(_:)`` for any other model.
  static func bytes(of text: String, vocabulary: Int) throws -> [Int] {
    guard ByteText.isByteLevel(vocabulary: vocabulary) else {
      throw InputError.inapplicableOption(
        "--prompt needs a byte-level model (vocabulary 256, or 257 for text models); this one has \(vocabulary) "
          + "tokens: use --tokens")
    }
    return ByteText.tokens(text)
  }

  /// The tokens of `--prompt` text (UTF-8 bytes) or, without it, of `--tokens` ids.
  static func tokens(prompt: String?, ids: String?, vocabulary: Int) throws -> [Int] {
    if let prompt { return try bytes(of: prompt, vocabulary: vocabulary) }
    return try parse(ids ?? "")
  }
}
