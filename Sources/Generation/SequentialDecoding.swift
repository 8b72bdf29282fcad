import Models
import SeededRandom

/// Greedy decoding (`sampling == nil`) or one sample: one token per step until a stop token or
/// `maxNewTokens`.
///
/// Each step applies the processors of `options` to the logits
/// (``LogitsProcessor/applyProcessors(_:history:generatedCount:options:)``), then either takes
/// ``Categorical/argmax(_:)`` or applies the warpers of `sampling` (temperature, then top-k →
/// top-p → min-p → typical) and draws with ``Categorical/sample(_:using:)`` from one
/// `SeededGenerator` seeded with `seed`. The score adds `log_softmax(z)_y` of the *raw* logits
/// `z` for each chosen token `y`.
func decodeSequentially<Model: SequenceModel>(
  _ model: Model, prompt: [Int], options: GenerationOptions, sampling: SamplingParameters?, seed: UInt64
) throws -> GenerationResult {
  var (state, logits) = try readPrompt(model, prompt: prompt)
  var generator = SeededGenerator(seed: seed)
  var history = prompt
  var tokens: [Int] = []
  var score = 0.0
  for step in 0..<options.maxNewTokens {
    if let previous = tokens.last { logits = try readToken(model, token: previous, state: &state, step: step) }
    var processed = logits
    LogitsProcessor.applyProcessors(&processed, history: history, generatedCount: tokens.count, options: options)
    try checkProcessed(processed, step: step)
    let token: Int
    if let sampling {
      LogitsProcessor.applyTemperature(&processed, temperature: sampling.temperature)
      try checkScaled(processed, step: step)
      LogitsProcessor.applyTruncation(&processed, sampling: sampling)
      token = Categorical.sample(processed, using: &generator)
    } else {
      token = Categorical.argmax(processed)
    }
    score += Categorical.logSoftmax(logits)[token]
    tokens.append(token)
    history.append(token)
    if options.stopTokens.contains(token) { break }
  }
  return GenerationResult(tokens: tokens, score: score)
}
