import Models
import SeededRandom

/// The token-by-token decision of greedy decoding or one sample, separated from the model
/// calls: given the next-token logits, it chooses the next token exactly as
/// ``generate(_:prompt:options:)`` does and keeps the history, the generated tokens and the score.
/// A caller that reads tokens into a model its own way (a serving engine batching many
/// sequences, chunking prompts) drives it with one ``next(logits:)`` per new token and gets
/// `generate`'s tokens for the same logits.
///
/// Each call applies the processors of the options
/// (``LogitsProcessor/applyProcessors(_:history:generatedCount:options:constraintState:)``, ending
/// with the mask of ``GenerationOptions/constraint`` when there is one), then either takes
/// ``Categorical/argmax(_:)`` or applies the warpers (temperature, then top-k → top-p → min-p →
/// typical) and draws with ``Categorical/sample(_:using:)`` from one `SeededGenerator`; the
/// constraint state then advances by the chosen token. The score adds `log_softmax(z)_y` of the
/// *raw* logits `z` for each chosen token `y`.
public struct SequentialDecoder: Sendable {
  /// The options being followed.
  public let options: GenerationOptions
  /// The warpers (`nil`: greedy).
  let sampling: SamplingParameters?
  private var generator: SeededGenerator
  /// Prompt and generated tokens.
  public private(set) var history: [Int]
  /// The generated tokens.
  public private(set) var tokens: [Int] = []
  /// `Σ_t log p(y_t | prompt, y_{<t})` under the raw logits.
  public private(set) var score = 0.0
  /// Whether the last token was a stop token or the ``GenerationOptions/maxNewTokens``-th.
  public private(set) var isFinished = false
  /// The state of ``GenerationOptions/constraint``'s automaton after the generated tokens (`nil`
  /// without a constraint).
  public private(set) var constraintState: Int?

  /// A decoder for sample `sample` of `options` (greedy decoding: sample 0; sampling: the
  /// generator is seeded with ``GenerationOptions/seed`` `+ sample`, as `generate` seeds it).
  /// - Throws: ``GenerationError`` for options or a prompt that `generate` refuses for `model`,
  ///   beam search (``GenerationError/beamSearchNotStepwise``), or a sample outside
  ///   `0 ..< numReturnSequences` (``GenerationError/sampleOutOfRange(_:samples:)``).
  public init<Model: SequenceModel>(for model: Model, prompt: [Int], options: GenerationOptions, sample: Int = 0)
    throws
  {
    try validate(options, prompt: prompt, vocabulary: model.vocabulary, contextLimit: model.contextLimit)
    switch options.strategy {
    case .greedy:
      guard sample == 0 else { throw GenerationError.sampleOutOfRange(sample, samples: 1) }
      self.init(prompt: prompt, options: options, sampling: nil, seed: options.seed)
    case .sampling(let parameters):
      guard (0..<parameters.numReturnSequences).contains(sample) else {
        throw GenerationError.sampleOutOfRange(sample, samples: parameters.numReturnSequences)
      }
      self.init(prompt: prompt, options: options, sampling: parameters, seed: options.seed &+ UInt64(sample))
    case .beamSearch:
      throw GenerationError.beamSearchNotStepwise
    }
  }

  /// A decoder of already validated options, drawing from a generator seeded with `seed`.
  init(prompt: [Int], options: GenerationOptions, sampling: SamplingParameters?, seed: UInt64) {
    self.options = options
    self.sampling = sampling
    generator = SeededGenerator(seed: seed)
    history = prompt
    constraintState = options.constraint?.start
  }

  /// Chooses the next token from the model's float32 next-token logits (`V` values) and
  /// appends it.
  /// - Throws: ``GenerationError/nonFiniteLogits(step:)``, or the processing errors of
  ///   ``next(logits:)-(_:[Double])``; the decoder is unchanged on a throw.
  public mutating func next(logits: ArraySlice<Float>) throws -> Int {
    try next(logits: finiteLogits(logits, step: tokens.count))
  }

  /// Chooses the next token from float64 logits and appends it.
  /// - Throws: ``GenerationError/processedLogitsOverflow(step:)`` or
  ///   ``GenerationError/noTokenAllowed(step:)``; ``GenerationError/decoderFinished`` when the
  ///   decoder ``isFinished``.
  mutating func next(logits: [Double]) throws -> Int {
    let step = tokens.count
    guard !isFinished else { throw GenerationError.decoderFinished }
    var processed = logits
    LogitsProcessor.applyProcessors(
      &processed, history: history, generatedCount: step, options: options, constraintState: constraintState)
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
    constraintState = options.constraintState(after: token, from: constraintState)
    isFinished = options.stopTokens.contains(token) || tokens.count == options.maxNewTokens
    return token
  }

  /// The continuation so far.
  public var result: GenerationResult { GenerationResult(tokens: tokens, score: score) }
}
