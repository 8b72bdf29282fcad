import Constraints
import Models

/// Schema-guided extraction (Kor-style) with a model of any family: the schema's prompt for a
/// text (``ExtractionSchema/prompt(for:)``) is written in the model's byte tokens, the model
/// continues it with ``generate(_:prompt:options:)`` until a stop token, and the answer is
/// parsed and validated (``ExtractionSchema/record(fromOutput:)``).
///
/// Constrained, every step is masked by the token index of the schema's ``ExtractionSchema/regex``
/// with the token budget (``LogitsProcessor/applyConstraint(_:index:state:remainingTokens:)``):
/// since the limit is at least the shortest record (checked), the answer always ends with a
/// stop token after a string of the language, which the regex makes a valid record, so every
/// record is valid. Unconstrained, the model answers freely and invalid records come back with
/// their ``ExtractedRecord/problem``.
public struct Extractor: Sendable {
  /// What to extract.
  public let schema: ExtractionSchema
  /// The model's tokens as bytes; its stop tokens end the answer (a line-break token among them
  /// ends it as the prompt's examples do).
  public let vocabulary: TokenVocabulary
  /// The token index of the schema's constraint, `nil` for unconstrained extraction.
  public let constraint: TokenIndex?
  /// The token of each byte value: the lowest-numbered token whose bytes are exactly that byte
  /// (a stop token's bytes included: a line-break stop token writes the prompt's line breaks).
  private let byteTokens: [Int?]

  /// An extractor of `schema` for a model whose tokens spell `vocabulary`.
  /// - Throws: ``ConstraintError/vocabularyCannotComplete`` when constrained and no token
  ///   sequence spells a valid record.
  public init(schema: ExtractionSchema, vocabulary: TokenVocabulary, constrained: Bool) throws {
    self.schema = schema
    self.vocabulary = vocabulary
    if constrained {
      constraint = try TokenIndex(dfa: schema.automaton, vocabulary: vocabulary)
    } else {
      constraint = nil
    }
    var byteTokens = [Int?](repeating: nil, count: 256)
    for (token, bytes) in vocabulary.tokenBytes.enumerated().reversed() where bytes?.count == 1 {
      byteTokens[Int(bytes![0])] = token
    }
    self.byteTokens = byteTokens
  }

  /// The prompt for `text` as tokens.
  /// - Throws: ``ExtractionError/unencodableByte(_:)``.
  public func promptTokens(for text: String) throws -> [Int] {
    try schema.prompt(for: text).utf8.map { byte in
      guard let token = byteTokens[Int(byte)] else { throw ExtractionError.unencodableByte(byte) }
      return token
    }
  }

  /// The record `model` extracts from `text`: greedy decoding by default, or `strategy`
  /// (sampling: the first sample; beam search: the best hypothesis), at most `maxNewTokens`
  /// tokens, stopping at the vocabulary's stop tokens.
  /// - Throws: ``ExtractionError`` (a prompt byte without a token, or, constrained, a
  ///   `maxNewTokens` below the shortest record), and the ``GenerationError``s of `generate`.
  public func extract<Model: SequenceModel>(
    _ model: Model, text: String, maxNewTokens: Int, strategy: DecodingStrategy = .greedy, seed: UInt64 = 0
  ) throws -> ExtractedRecord {
    if let constraint, let shortest = constraint.distanceToEnd[constraint.start], shortest > maxNewTokens {
      throw ExtractionError.tokenLimitBelowShortestRecord(shortest: shortest, maxNewTokens: maxNewTokens)
    }
    let options = GenerationOptions(
      maxNewTokens: maxNewTokens, stopTokens: vocabulary.stopTokens, constraint: constraint, strategy: strategy,
      seed: seed)
    let result = try generate(model, prompt: try promptTokens(for: text), options: options)[0]
    let bytes = result.tokens.filter { !vocabulary.stopTokens.contains($0) }.flatMap {
      vocabulary.tokenBytes[$0] ?? []
    }
    return schema.record(fromOutput: bytes)
  }
}
