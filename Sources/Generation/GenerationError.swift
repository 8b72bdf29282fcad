/// Why ``generate(_:prompt:options:)`` refused its input or stopped.
public enum GenerationError: Error, Equatable, CustomStringConvertible {
  /// The prompt has no token (there is nothing to condition the first token on).
  case emptyPrompt
  /// A prompt token lies outside `0 ..< vocabulary`.
  case promptTokenOutOfRange(token: Int, vocabulary: Int)
  /// A stop token lies outside `0 ..< vocabulary`.
  case stopTokenOutOfRange(token: Int, vocabulary: Int)
  /// ``GenerationOptions/maxNewTokens`` is below 1.
  case invalidMaxNewTokens(Int)
  /// Prompt plus ``GenerationOptions/maxNewTokens`` exceeds the model's context limit.
  case contextLimitExceeded(promptLength: Int, maxNewTokens: Int, limit: Int)
  /// ``SamplingParameters/temperature`` is not a finite number above 0.
  case invalidTemperature(Double)
  /// ``SamplingParameters/topK`` is below 1.
  case invalidTopK(Int)
  /// ``SamplingParameters/topP`` lies outside `(0, 1]`.
  case invalidTopP(Double)
  /// ``SamplingParameters/minP`` lies outside `[0, 1]`.
  case invalidMinP(Double)
  /// ``SamplingParameters/typicalP`` lies outside `(0, 1]`.
  case invalidTypicalP(Double)
  /// ``SamplingParameters/numReturnSequences`` is below 1.
  case invalidNumSamples(Int)
  /// ``GenerationOptions/noRepeatNgramSize`` is negative.
  case invalidNoRepeatNgramSize(Int)
  /// ``GenerationOptions/minNewTokens`` is negative.
  case invalidMinNewTokens(Int)
  /// ``GenerationOptions/repetitionPenalty`` is not a finite number above 0.
  case invalidRepetitionPenalty(Double)
  /// ``BeamSearchParameters/numBeams`` is below 1.
  case invalidNumBeams(Int)
  /// ``BeamSearchParameters/numReturnSequences`` lies outside `1 ... numBeams`.
  case invalidNumReturnSequences(Int, numBeams: Int)
  /// ``BeamSearchParameters/lengthPenalty`` is not finite.
  case invalidLengthPenalty(Double)
  /// The model returned a NaN or infinite logit for the distribution of new token `step`
  /// (0-based: step 0 is read from the prompt's last position).
  case nonFiniteLogits(step: Int)
  /// Processing finite logits for new token `step` overflowed: dividing by a temperature or
  /// repetition penalty too close to 0 for the logits' magnitude left a `+∞` (or, after the
  /// temperature, no finite logit).
  case processedLogitsOverflow(step: Int)
  /// ``GenerationOptions/constraint`` indexes a vocabulary of `constraintVocabulary` tokens for a
  /// model of `modelVocabulary`.
  case constraintVocabularyMismatch(constraintVocabulary: Int, modelVocabulary: Int)
  /// ``GenerationOptions/constraint`` has other stop tokens than ``GenerationOptions/stopTokens``
  /// (its mask allows stop tokens exactly when the text is complete, so the two must agree).
  case constraintStopTokensMismatch(constraint: [Int], options: [Int])
  /// The processors removed every token for new token `step` (of every beam, for beam search):
  /// e.g. ``GenerationOptions/minNewTokens`` removes the stop tokens and
  /// ``GenerationOptions/noRepeatNgramSize`` or ``GenerationOptions/constraint`` all the others.
  case noTokenAllowed(step: Int)
  /// Speculative decoding with a draft whose vocabulary differs from the target's (their
  /// distributions must be over the same tokens).
  case draftVocabularyMismatch(target: Int, draft: Int)
  /// Speculative decoding with a draft length (``DraftLength``) below 1.
  case invalidDraftTokens(Int)
  /// Speculative decoding asked for beam search (it verifies greedy decoding or sampling).
  case speculativeBeamSearch
  /// Medusa decoding asked for beam search (it verifies greedy decoding or sampling).
  case medusaBeamSearch
  /// Medusa decoding asked for a ``GenerationOptions/constraint`` (not supported).
  case medusaConstraint
  /// Medusa heads that read another width or predict another vocabulary than the model.
  case medusaHeadsMismatch(headWidth: Int, headVocabulary: Int, modelWidth: Int?, modelVocabulary: Int)
  /// A ``SequentialDecoder`` for beam search (it decodes one sequence a token at a time).
  case beamSearchNotStepwise
  /// A ``SequentialDecoder`` for a sample outside `0 ..< samples`.
  case sampleOutOfRange(Int, samples: Int)
  /// ``SequentialDecoder/next(logits:)`` after the decoder finished.
  case decoderFinished

  public var description: String {
    switch self {
    case .emptyPrompt: "the prompt is empty: generation needs at least one token"
    case .promptTokenOutOfRange(let token, let vocabulary): "prompt token \(token) outside 0..<\(vocabulary)"
    case .stopTokenOutOfRange(let token, let vocabulary): "stop token \(token) outside 0..<\(vocabulary)"
    case .invalidMaxNewTokens(let count): "maxNewTokens must be at least 1, got \(count)"
    case .contextLimitExceeded(let promptLength, let maxNewTokens, let limit):
      "prompt (\(promptLength)) + maxNewTokens (\(maxNewTokens)) exceeds the model's context limit \(limit)"
    case .invalidTemperature(let value): "temperature must be finite and > 0, got \(value)"
    case .invalidTopK(let value): "topK must be at least 1, got \(value)"
    case .invalidTopP(let value): "topP must lie in (0, 1], got \(value)"
    case .invalidMinP(let value): "minP must lie in [0, 1], got \(value)"
    case .invalidTypicalP(let value): "typicalP must lie in (0, 1], got \(value)"
    case .invalidNumSamples(let value): "numReturnSequences (samples) must be at least 1, got \(value)"
    case .invalidNoRepeatNgramSize(let value): "noRepeatNgramSize must be at least 0, got \(value)"
    case .invalidMinNewTokens(let value): "minNewTokens must be at least 0, got \(value)"
    case .invalidRepetitionPenalty(let value): "repetitionPenalty must be finite and > 0, got \(value)"
    case .invalidNumBeams(let value): "numBeams must be at least 1, got \(value)"
    case .invalidNumReturnSequences(let value, let numBeams):
      "numReturnSequences must lie in 1...\(numBeams) (numBeams), got \(value)"
    case .invalidLengthPenalty(let value): "lengthPenalty must be finite, got \(value)"
    case .nonFiniteLogits(let step): "the model returned non-finite logits at generation step \(step)"
    case .processedLogitsOverflow(let step):
      "processing the logits (temperature, repetition penalty) overflowed at generation step \(step)"
    case .constraintVocabularyMismatch(let constraintVocabulary, let modelVocabulary):
      "the constraint indexes \(constraintVocabulary) tokens but the model has \(modelVocabulary)"
    case .constraintStopTokensMismatch(let constraint, let options):
      "the constraint's stop tokens \(constraint) differ from the options' stop tokens \(options)"
    case .noTokenAllowed(let step):
      "the processors (min new tokens, no-repeat n-gram, constraint) removed every token at generation step \(step)"
    case .draftVocabularyMismatch(let target, let draft):
      "the draft model's vocabulary (\(draft) tokens) differs from the target's (\(target)): "
        + "speculative decoding needs one vocabulary"
    case .invalidDraftTokens(let value): "draft tokens per round must be at least 1, got \(value)"
    case .speculativeBeamSearch: "speculative decoding supports greedy decoding and sampling, not beam search"
    case .medusaBeamSearch: "Medusa decoding supports greedy decoding and sampling, not beam search"
    case .medusaConstraint: "Medusa decoding does not support a constraint (regex or JSON Schema)"
    case .medusaHeadsMismatch(let headWidth, let headVocabulary, let modelWidth, let modelVocabulary):
      "the Medusa heads read width \(headWidth) and predict \(headVocabulary) tokens, the model has width "
        + "\(modelWidth.map(String.init) ?? "none (no hidden states)") and \(modelVocabulary) tokens"
    case .beamSearchNotStepwise: "a sequential decoder supports greedy decoding and sampling, not beam search"
    case .sampleOutOfRange(let sample, let samples): "sample \(sample) outside 0..<\(samples)"
    case .decoderFinished: "the sequence already ended (a stop token or maxNewTokens): no next token"
    }
  }
}
