/// How the server reads text prompts and writes completions as text for one model.
public struct TextCodec: Sendable {
  /// Text → prompt tokens, or `nil` when the model takes token-id prompts only.
  public var encode: (@Sendable (String) -> [Int])?
  /// Generated tokens → text (what `ssm generate` prints for them).
  public var decode: @Sendable ([Int]) -> String

  /// A codec with the given directions.
  public init(encode: (@Sendable (String) -> [Int])?, decode: @Sendable @escaping ([Int]) -> String) {
    self.encode = encode
    self.decode = decode
  }
}
