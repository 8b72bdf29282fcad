/// The text of a growing token sequence handed out in pieces whose concatenation is the text of
/// the whole sequence.
///
/// A piece is the part of `decode(tokens)` beyond what was already handed out, with trailing
/// U+FFFD replacement characters held back until the sequence is finished: a byte-level model's
/// multi-byte UTF-8 character decodes as U+FFFD until its last byte arrives, so text before it is
/// final and the character itself is not. This assumes `decode` of a prefix is a prefix of
/// `decode` of the whole once trailing U+FFFD are dropped (true of UTF-8 and of ids joined by
/// spaces); a piece that would break it is held back as well.
public struct StreamedText: Sendable {
  /// The tokens so far.
  public private(set) var tokens: [Int] = []
  /// Unicode scalars of the text handed out (scalars, not characters: a combining mark that
  /// arrives later joins the previous character without changing the scalars before it).
  private var handedOut: [Unicode.Scalar] = []

  /// An empty sequence.
  public init() {}

  /// Appends `token` and returns the new text, empty while it is held back.
  public mutating func append(_ token: Int, codec: TextCodec) -> String {
    tokens.append(token)
    var scalars = Array(codec.decode(tokens).unicodeScalars)
    while scalars.last == "\u{FFFD}" { scalars.removeLast() }
    return handOut(scalars)
  }

  /// The text still held back, once the sequence is finished.
  public mutating func finish(codec: TextCodec) -> String { handOut(Array(codec.decode(tokens).unicodeScalars)) }

  private mutating func handOut(_ scalars: [Unicode.Scalar]) -> String {
    guard scalars.count > handedOut.count, scalars.starts(with: handedOut) else { return "" }
    var piece = ""
    piece.unicodeScalars.append(contentsOf: scalars[handedOut.count...])
    handedOut = scalars
    return piece
  }
}
