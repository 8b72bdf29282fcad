import Generation

/// One completion request: a prompt and the options `generate` would take for it.
public struct ServingRequest: Sendable, Equatable {
  /// Prompt tokens (at least one).
  public var prompt: [Int]
  /// Greedy decoding or sampling (beam search is refused); per request, with its own seed.
  public var options: GenerationOptions
  /// Which sample of ``SamplingParameters/numReturnSequences`` this request produces (`0` for
  /// greedy decoding): its output equals `generate(model, prompt:, options:)[sample]`.
  public var sample: Int

  /// A request for sample `sample` of `options` after `prompt`.
  public init(prompt: [Int], options: GenerationOptions, sample: Int = 0) {
    self.prompt = prompt
    self.options = options
    self.sample = sample
  }
}
