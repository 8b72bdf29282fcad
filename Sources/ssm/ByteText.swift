import Tasks

/// Text ↔ tokens for byte-level models: a model whose vocabulary is the 256 byte values (copying
/// with `--alphabet 254`), or those and the text task's document separator (257 tokens,
/// `Tasks/TextTask/separator`).
enum ByteText {
  /// Whether `--prompt` text can be fed to a model of `vocabulary` tokens.
  static func isByteLevel(vocabulary: Int) -> Bool {
    vocabulary == 256 || vocabulary == TextTask.vocabulary
  }

  /// The document separator of a text-task model, `nil` for plain byte models: generation stops
  /// there by default (the end of a document).
  static func separator(vocabulary: Int) -> Int? {
    vocabulary == TextTask.vocabulary ? TextTask.separator : nil
  }

  /// The stop tokens of line-based answers (`ssm extract`, `ssm bench constrained`): the line
  /// break and, for a text-task model, the document separator.
  static func lineStopTokens(vocabulary: Int) -> Set<Int> {
    Set([Int(UInt8(ascii: "\n"))] + [separator(vocabulary: vocabulary)].compactMap { $0 })
  }

  /// The UTF-8 bytes of `text` as token ids.
  static func tokens(_ text: String) -> [Int] { text.utf8.map(Int.init) }

  /// The byte tokens of `tokens` decoded as UTF-8 (invalid sequences become U+FFFD); tokens that
  /// are not bytes (the separator) are left out.
  static func text(_ tokens: [Int]) -> String {
    String(decoding: tokens.filter { (0..<256).contains($0) }.map { UInt8($0) }, as: UTF8.self)
  }
}
