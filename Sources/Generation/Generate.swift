import Autodiff
import Models

/// Generates continuations of `prompt` with `model`.
///
/// The prompt is read with one `SequenceModel.prefill(_:state:)` chunk (batch 1); its
/// last position gives the distribution of the first new token. Each later token is read
/// with `SequenceModel.step(_:state:)`; the last generated token is never read, so
/// generation makes at most `maxNewTokens − 1` step calls per sequence (per beam).
///
/// - Returns: greedy decoding: one result; sampling: ``SamplingParameters/numReturnSequences``
///   independent samples in sample order (sample `i` seeded with ``GenerationOptions/seed`` `+ i`);
///   beam search: the
///   ``BeamSearchParameters/numReturnSequences`` best finished hypotheses, best first (fewer
///   only when the search finished fewer: fewer distinct continuations exist, e.g.
///   `V^maxNewTokens < numReturnSequences`, or every continuing candidate was a stop token).
/// - Throws: ``GenerationError`` for invalid options or prompt, a prompt plus `maxNewTokens`
///   beyond the model's `SequenceModel.contextLimit`, or non-finite logits; the
///   model's own errors pass through.
public func generate<Model: SequenceModel>(_ model: Model, prompt: [Int], options: GenerationOptions) throws
  -> [GenerationResult]
{
  try validate(options, prompt: prompt, vocabulary: model.vocabulary, contextLimit: model.contextLimit)
  switch options.strategy {
  case .greedy:
    return [try decodeSequentially(model, prompt: prompt, options: options, sampling: nil, seed: options.seed)]
  case .sampling(let parameters):
    return try (0..<parameters.numReturnSequences).map { sample in
      try decodeSequentially(
        model, prompt: prompt, options: options, sampling: parameters, seed: options.seed &+ UInt64(sample))
    }
  case .beamSearch(let parameters):
    return try beamSearch(model, prompt: prompt, options: options, parameters: parameters)
  }
}

/// Throws the first ``GenerationError`` that `options` and `prompt` violate.
func validate(_ options: GenerationOptions, prompt: [Int], vocabulary: Int, contextLimit: Int?) throws {
  guard !prompt.isEmpty else { throw GenerationError.emptyPrompt }
  if let token = prompt.first(where: { !(0..<vocabulary).contains($0) }) {
    throw GenerationError.promptTokenOutOfRange(token: token, vocabulary: vocabulary)
  }
  if let token = options.stopTokens.sorted().first(where: { !(0..<vocabulary).contains($0) }) {
    throw GenerationError.stopTokenOutOfRange(token: token, vocabulary: vocabulary)
  }
  guard options.maxNewTokens >= 1 else { throw GenerationError.invalidMaxNewTokens(options.maxNewTokens) }
  if let limit = contextLimit, prompt.count + options.maxNewTokens > limit {
    throw GenerationError.contextLimitExceeded(
      promptLength: prompt.count, maxNewTokens: options.maxNewTokens, limit: limit)
  }
  guard options.repetitionPenalty.isFinite, options.repetitionPenalty > 0 else {
    throw GenerationError.invalidRepetitionPenalty(options.repetitionPenalty)
  }
  guard options.noRepeatNgramSize >= 0 else {
    throw GenerationError.invalidNoRepeatNgramSize(options.noRepeatNgramSize)
  }
  guard options.minNewTokens >= 0 else { throw GenerationError.invalidMinNewTokens(options.minNewTokens) }
  if let index = options.constraint {
    guard index.vocabularySize == vocabulary else {
      throw GenerationError.constraintVocabularyMismatch(
        constraintVocabulary: index.vocabularySize, modelVocabulary: vocabulary)
    }
    guard index.stopTokens == options.stopTokens else {
      throw GenerationError.constraintStopTokensMismatch(
        constraint: index.stopTokens.sorted(), options: options.stopTokens.sorted())
    }
  }
  switch options.strategy {
  case .greedy: break
  case .sampling(let parameters):
    guard parameters.temperature.isFinite, parameters.temperature > 0 else {
      throw GenerationError.invalidTemperature(parameters.temperature)
    }
    if let k = parameters.topK, k < 1 { throw GenerationError.invalidTopK(k) }
    guard parameters.topP > 0, parameters.topP <= 1 else { throw GenerationError.invalidTopP(parameters.topP) }
    guard parameters.minP >= 0, parameters.minP <= 1 else { throw GenerationError.invalidMinP(parameters.minP) }
    guard parameters.typicalP > 0, parameters.typicalP <= 1 else {
      throw GenerationError.invalidTypicalP(parameters.typicalP)
    }
    guard parameters.numReturnSequences >= 1 else {
      throw GenerationError.invalidNumSamples(parameters.numReturnSequences)
    }
  case .beamSearch(let parameters):
    guard parameters.numBeams >= 1 else { throw GenerationError.invalidNumBeams(parameters.numBeams) }
    guard (1...parameters.numBeams).contains(parameters.numReturnSequences) else {
      throw GenerationError.invalidNumReturnSequences(parameters.numReturnSequences, numBeams: parameters.numBeams)
    }
    guard parameters.lengthPenalty.isFinite else {
      throw GenerationError.invalidLengthPenalty(parameters.lengthPenalty)
    }
  }
}

/// Reads `prompt` as one prefill chunk of a fresh batch-1 state and returns that state with
/// the float64 logits of the first new token (step 0).
func readPrompt<Model: SequenceModel>(_ model: Model, prompt: [Int]) throws -> (state: Model.State, logits: [Double]) {
  var state = try model.initialState(batchSize: 1)
  let logits = try model.prefill([prompt], state: &state)
  let vocabulary = model.vocabulary
  guard logits.count == prompt.count * vocabulary else {
    throw AutodiffError.shapeMismatch("prefill returned shape \(logits.shape) for 1 × \(prompt.count) tokens")
  }
  return (state, try finiteLogits(logits.values[((prompt.count - 1) * vocabulary)...], step: 0))
}

/// Reads `token` into `state` (batch 1) and returns the float64 logits of new token `step`.
func readToken<Model: SequenceModel>(_ model: Model, token: Int, state: inout Model.State, step: Int) throws
  -> [Double]
{
  let logits = try model.step([token], state: &state)
  guard logits.count == model.vocabulary else {
    throw AutodiffError.shapeMismatch("step returned shape \(logits.shape) for 1 token")
  }
  return try finiteLogits(logits.values[...], step: step)
}

/// `values` as float64.
/// - Throws: ``GenerationError/nonFiniteLogits(step:)`` if one is NaN or infinite.
func finiteLogits(_ values: ArraySlice<Float>, step: Int) throws -> [Double] {
  guard values.allSatisfy(\.isFinite) else { throw GenerationError.nonFiniteLogits(step: step) }
  return values.map(Double.init)
}

/// Checks the precondition of ``Categorical`` on processed scores: no NaN or `+∞`, and at least
/// one token not removed.
/// - Throws: ``GenerationError/processedLogitsOverflow(step:)`` on a NaN or `+∞`,
///   ``GenerationError/noTokenAllowed(step:)`` if every score is `−∞`.
func checkProcessed(_ scores: [Double], step: Int) throws {
  guard !scores.contains(where: { $0.isNaN || $0 == .infinity }) else {
    throw GenerationError.processedLogitsOverflow(step: step)
  }
  guard scores.contains(where: \.isFinite) else { throw GenerationError.noTokenAllowed(step: step) }
}

/// Throws ``GenerationError/processedLogitsOverflow(step:)`` unless temperature scaling of
/// checked scores (``checkProcessed(_:step:)``) left no `+∞` and at least one finite logit.
func checkScaled(_ logits: [Double], step: Int) throws {
  guard !logits.contains(.infinity), logits.contains(where: \.isFinite) else {
    throw GenerationError.processedLogitsOverflow(step: step)
  }
}
