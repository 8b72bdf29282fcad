/// Why an ``Extractor`` cannot run.
public enum ExtractionError: Error, Equatable, CustomStringConvertible {
  /// A byte of the prompt has no single-byte token in the vocabulary, so the prompt cannot be
  /// written in the model's tokens.
  case unencodableByte(UInt8)
  /// A constrained extraction's token limit is below the fewest tokens of any valid record
  /// (stop token included), so no answer could be complete.
  case tokenLimitBelowShortestRecord(shortest: Int, maxNewTokens: Int)

  public var description: String {
    switch self {
    case .unencodableByte(let byte):
      "the byte 0x\(String(byte, radix: 16)) of the prompt has no single-byte token in the model's vocabulary"
    case .tokenLimitBelowShortestRecord(let shortest, let maxNewTokens):
      "the shortest valid record takes \(shortest) tokens (stop token included), more than the token limit "
        + "\(maxNewTokens)"
    }
  }
}
