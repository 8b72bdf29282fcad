import Models
import SeededRandom

/// Greedy decoding (`sampling == nil`) or sampling: one token per step until a stop token or
/// `maxNewTokens`.
///
/// Each step penalises repetitions of prompt + generated tokens, then either takes
/// ``Categorical/argmax(_:)`` or applies temperature → top-k → top-p and draws with
/// ``Categorical/sample(_:using:)`` from one `SeededGenerator` seeded with
/// ``GenerationOptions/seed``. The score adds `log_softmax(z)_y` of the *raw* logits `z` for
/// each chosen token `y`.
func decodeSequentially<Model: SequenceModel>(
  _ model: Model, prompt: [Int], options: GenerationOptions, sampling: SamplingParameters?
) throws -> GenerationResult {
  var (state, logits) = try readPrompt(model, prompt: prompt)
  var generator = SeededGenerator(seed: options.seed)
  var history = prompt
  var tokens: [Int] = []
  var score = 0.0
  for step in 0..<options.maxNewTokens {
    if let previous = tokens.last { logits = try readToken(model, token: previous, state: &state, step: step) }
    var processed = logits
    LogitsProcessor.applyRepetitionPenalty(&processed, history: history, penalty: options.repetitionPenalty)
    let token: Int
    if let sampling {
      LogitsProcessor.applyTemperature(&processed, temperature: sampling.temperature)
      try checkProcessed(processed, step: step)
      if let k = sampling.topK { LogitsProcessor.applyTopK(&processed, k: k) }
      if sampling.topP < 1 { LogitsProcessor.applyTopP(&processed, p: sampling.topP) }
      token = Categorical.sample(processed, using: &generator)
    } else {
      try checkProcessed(processed, step: step)
      token = Categorical.argmax(processed)
    }
    score += Categorical.logSoftmax(logits)[token]
    tokens.append(token)
    history.append(token)
    if options.stopTokens.contains(token) { break }
  }
  return GenerationResult(tokens: tokens, score: score)
}
