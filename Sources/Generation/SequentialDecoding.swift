import Models

/// Greedy decoding (`sampling == nil`) or one sample: one token per step until a stop token or
/// `maxNewTokens`, each chosen by a ``SequentialDecoder`` from a generator seeded with `seed`.
func decodeSequentially<Model: SequenceModel>(
  _ model: Model, prompt: [Int], options: GenerationOptions, sampling: SamplingParameters?, seed: UInt64
) throws -> GenerationResult {
  var (state, logits) = try readPrompt(model, prompt: prompt)
  var decoder = SequentialDecoder(prompt: prompt, options: options, sampling: sampling, seed: seed)
  while true {
    let token = try decoder.next(logits: logits)
    if decoder.isFinished { return decoder.result }
    logits = try readToken(model, token: token, state: &state, step: decoder.tokens.count)
  }
}
