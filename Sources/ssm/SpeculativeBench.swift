import ArgumentParser
import Foundation
import Generation
import Models
import Platform
import SSMJSON
import SeededRandom
import Tasks
import Training

/// `ssm bench speculative`: per-token time of speculative decoding against the target alone.
struct SpeculativeBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "speculative",
    abstract:
      "Time speculative decoding (a --draft checkpoint proposing for --checkpoint, or --speculate medusa) against "
      + "the target alone.",
    discussion:
      "Both models read a seeded random context of --context tokens, or with --text-context a window of that many "
      + "tokens of the test split of the default text corpus at a seeded offset (untimed); each run then decodes "
      + "--tokens new "
      + "tokens (greedy, or sampling at --temperature T), once with the target alone (one step per token) and once "
      + "speculatively (--draft-tokens K per round, or adaptive). No stop token ends a run. secondsPerToken and "
      + "targetOnlySecondsPerToken are the median runs' times / tokens, speedup their ratio; acceptanceRate is "
      + "accepted / drafted tokens and meanTokensPerPass emitted tokens / target passes, summed over the timed "
      + "runs (run i samples with seed --seed + i). With --speculate medusa instead of --draft, the checkpoint's "
      + "Medusa heads propose a tree (--tree) verified in one pass: acceptanceRate is accepted / verified "
      + "candidates and meanTokensPerPass the mean accepted length.")

  @Option(help: "The target checkpoint.safetensors.") var checkpoint: String
  @Option(help: "The draft checkpoint.safetensors (same vocabulary as the target).") var draft: String?
  @Option(help: "Tokens in the context before decoding (≥ 1).") var context: Int
  @Option(help: "With --draft: draft tokens per round, K ≥ 1 or adaptive.") var draftTokens: DraftTokensArgument?
  @Option(help: "Sampling temperature T > 0 (default: greedy decoding).") var temperature: Double?
  @Option(help: "New tokens decoded per run (≥ 2).") var tokens = 64
  @Option(help: "Timed runs; the median is reported.") var runs = 3
  @Option(help: "Untimed runs first.") var warmup = 1
  @Option(help: "Seed of the context and of the sampling draws.") var seed: UInt64 = 0
  @Flag(help: "Read held-out text (models trained with --task text) instead of random tokens before decoding.")
  var textContext = false
  @OptionGroup var medusa: MedusaOptions
  @Flag(help: "Print {\"secondsPerToken\": x, \"targetOnlySecondsPerToken\": y, \"speedup\": …}.") var json = false

  func validate() throws {
    guard context >= 1, tokens >= 2, runs >= 1, warmup >= 0 else {
      throw ValidationError("--context and --runs must be ≥ 1, --tokens ≥ 2, --warmup ≥ 0")
    }
    if let temperature, !(temperature.isFinite && temperature > 0) {
      throw ValidationError("--temperature must be finite and > 0")
    }
    guard (draft == nil) != (medusa.speculate == nil) else {
      throw ValidationError("give exactly one of --draft DRAFT and --speculate medusa")
    }
    guard (draft == nil) == (draftTokens == nil) else { throw ValidationError("--draft needs --draft-tokens K") }
  }

  /// Decoding options of run `run`: greedy or sampling at `temperature`, no stop token.
  func options(run: Int) -> GenerationOptions {
    let strategy: DecodingStrategy =
      temperature.map { .sampling(SamplingParameters(temperature: $0)) } ?? .greedy
    return GenerationOptions(maxNewTokens: tokens, strategy: strategy, seed: seed &+ UInt64(run))
  }

  func run() throws {
    let (target, targetConfiguration) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
    try MemoryBudget.check(.generation(targetConfiguration.resolvedModel, batch: 1, prompt: context, newTokens: tokens))
    let prompt = try contextTokens(vocabulary: target.vocabulary)
    // A decoder checks the context against the target's limit before any time is spent.
    _ = try SequentialDecoder(for: target, prompt: prompt, options: options(run: 0))
    let measured: Measurement
    if let draft {
      let (draftModel, draftConfiguration) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: draft))
      guard draftModel.vocabulary == target.vocabulary else {
        throw GenerationError.draftVocabularyMismatch(target: target.vocabulary, draft: draftModel.vocabulary)
      }
      try MemoryBudget.check(
        .generation(draftConfiguration.resolvedModel, batch: 1, prompt: context, newTokens: tokens))
      _ = try SequentialDecoder(for: draftModel, prompt: prompt, options: options(run: 0))
      measured = try measure(target: target, draft: draftModel, prompt: prompt)
    } else {
      let heads = try medusa.heads(checkpoint: checkpoint, model: target)
      measured = try measure(target, heads: heads, medusa: medusa.parameters(heads: heads.count), prompt: prompt)
    }
    let result: JSONValue = .object([
      ("secondsPerToken", .number(measured.secondsPerToken)),
      ("targetOnlySecondsPerToken", .number(measured.targetOnlySecondsPerToken)),
      ("speedup", .number(measured.targetOnlySecondsPerToken / measured.secondsPerToken)),
      ("acceptanceRate", .number(measured.acceptanceRate)), ("meanTokensPerPass", .number(measured.tokensPerPass)),
      ("context", .number(Double(context))), ("tokens", .number(Double(tokens))), ("runs", .number(Double(runs))),
      ("temperature", temperature.map(JSONValue.number) ?? .null),
    ])
    try emit(result, json: json) {
      print(
        "speculative decoding after \(context) tokens: \(String(format: "%.1f", measured.secondsPerToken * 1e6)) µs "
          + "per token vs \(String(format: "%.1f", measured.targetOnlySecondsPerToken * 1e6)) µs target-only "
          + "(\(String(format: "%.2f", measured.targetOnlySecondsPerToken / measured.secondsPerToken))×), "
          + "acceptance \(String(format: "%.3f", measured.acceptanceRate)), "
          + "\(String(format: "%.2f", measured.tokensPerPass)) tokens per target pass")
    }
  }

  /// The `context` tokens read before decoding: uniform random tokens of the vocabulary, or with
  /// `--text-context` the window `S[o ..< o + context]` of the text task's test stream `S` at an offset `o`
  /// uniform in `0 ... |S| − context`, both drawn from `--seed`.
  func contextTokens(vocabulary: Int) throws -> [Int] {
    var generator = SeededGenerator(seed: seed)
    guard textContext else { return (0..<context).map { _ in Int(generator.next() % UInt64(vocabulary)) } }
    guard vocabulary == TextTask.vocabulary else {
      throw InputError.inapplicableOption(
        "--text-context needs models of the text task's vocabulary \(TextTask.vocabulary), not \(vocabulary)")
    }
    let stream = try TextTask(length: 1).stream(of: .test)
    guard context <= stream.count else {
      throw InputError.inapplicableOption(
        "--context \(context) exceeds the \(stream.count) tokens of the text corpus's test split")
    }
    let offset = Int(generator.next() % UInt64(stream.count - context + 1))
    return stream[offset..<(offset + context)].map(Int.init)
  }

  /// Median per-token times of speculative and target-only decoding, and the proposals' counts
  /// summed over the timed runs.
  typealias Measurement = (
    secondsPerToken: Double, targetOnlySecondsPerToken: Double, acceptanceRate: Double, tokensPerPass: Double
  )

  /// The measurement with `draft` proposing for `target`.
  private func measure<Target: SequenceModel, Draft: SequenceModel>(target: Target, draft: Draft, prompt: [Int])
    throws -> Measurement
  {
    let speculation = SpeculativeParameters(draftLength: draftTokens?.length ?? .fixed(1))
    return try measure(target, prompt: prompt) { options, draws in
      var decoder = try SpeculativeDecoder(
        target: target, draft: draft, prompt: prompt, options: options, speculation: speculation)
      var result: SpeculativeGenerationResult?
      let time = try seconds { result = try decoder.run(draws: &draws) }
      return (time, result!)
    }
  }

  /// The measurement with `heads` proposing trees for `target`.
  private func measure<Target: SequenceModel>(
    _ target: Target, heads: MedusaHeads, medusa: MedusaParameters, prompt: [Int]
  ) throws -> Measurement {
    try measure(target, prompt: prompt) { options, draws in
      var decoder = try MedusaDecoder(model: target, heads: heads, prompt: prompt, options: options, medusa: medusa)
      var result: SpeculativeGenerationResult?
      let time = try seconds { result = try decoder.run(draws: &draws) }
      return (time, result!)
    }
  }

  /// Runs `speculative` (which prepares its decoder untimed and returns its timed run's seconds
  /// and result) against the target alone, `warmup` untimed rounds then `runs` timed ones.
  private func measure<Target: SequenceModel>(
    _ target: Target, prompt: [Int],
    speculative: (GenerationOptions, inout SeededGenerator) throws -> (Double, SpeculativeGenerationResult)
  ) throws -> Measurement {
    var speculativeTimes: [Double] = []
    var targetTimes: [Double] = []
    var (drafted, accepted, emitted, passes) = (0, 0, 0, 0)
    for run in 0..<(warmup + runs) {
      let options = self.options(run: run)
      let targetTime = try targetOnlySeconds(target, prompt: prompt, options: options)
      var draws = SeededGenerator(seed: options.seed)
      let (speculativeTime, result) = try speculative(options, &draws)
      guard run >= warmup else { continue }
      targetTimes.append(targetTime / Double(tokens))
      speculativeTimes.append(speculativeTime / Double(result.generation.tokens.count))
      drafted += result.draftedTokens
      accepted += result.acceptedDraftTokens
      emitted += result.generation.tokens.count
      passes += result.targetPasses
    }
    return (
      median(speculativeTimes), median(targetTimes), drafted == 0 ? 0 : Double(accepted) / Double(drafted),
      Double(emitted) / Double(max(passes, 1))
    )
  }

  /// Seconds the target alone takes to decode `options.maxNewTokens` tokens after `prompt`
  /// (one `step` per token, chosen by a ``SequentialDecoder``); reading the prompt is untimed.
  private func targetOnlySeconds<Model: SequenceModel>(_ model: Model, prompt: [Int], options: GenerationOptions)
    throws -> Double
  {
    var decoder = try SequentialDecoder(for: model, prompt: prompt, options: options)
    var state = try model.initialState(batchSize: 1)
    if prompt.count > 1 { _ = try model.prefill([Array(prompt.dropLast())], state: &state) }
    return try seconds {
      var token = prompt[prompt.count - 1]
      while !decoder.isFinished {
        let logits = try model.step([token], state: &state)
        token = try decoder.next(logits: logits.values[...])
      }
    }
  }
}
