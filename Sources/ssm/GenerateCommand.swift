import ArgumentParser
import Foundation
import Generation
import Models
import SSMJSON
import Training

/// `ssm generate`: continues a prompt with a trained model of any family.
struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Continue a prompt with a checkpoint's model: greedy decoding, sampling or beam search.",
    discussion:
      "The prompt is --prompt TEXT (UTF-8 bytes; byte-level models with 256 tokens, or 257 for text models, whose "
      + "document separator also stops generation) or --tokens \"3 1 4\" "
      + "(token ids separated by spaces or commas). The model reads the prompt, then generates up to "
      + "--max-new-tokens tokens, stopping early after any --stop-token. Processors apply to all strategies, in "
      + "HuggingFace's order: --repetition-penalty, --no-repeat-ngram-size, --min-new-tokens. --temperature, "
      + "--top-k, --top-p, --min-p and --typical-p apply to --strategy sample, in that order; --num-return N "
      + "draws N independent samples (sample i seeded with --seed + i). --beams, --length-penalty, "
      + "--early-stopping and --num-return (results, best first) apply to --strategy beam; beam search applies "
      + "the processors to log-probabilities, as HuggingFace does. With --json: {\"tokens\": [...], \"text\": "
      + "\"...\", \"score\": x} (greedy, one sample) or a list of them (beam, best first; several samples, in "
      + "sample order); text is the new tokens as UTF-8 (lossy) for byte-level models, else the ids joined by "
      + "spaces. Scores are log-probabilities of the new tokens under the model (beam: the length-normalised "
      + "beam score). With --draft DRAFT (greedy or sample): speculative decoding, DRAFT's model (same vocabulary) "
      + "proposes --draft-tokens K tokens per round (or adaptive: start at 5, +2 after a round with all accepted, "
      + "−1 otherwise) that the target verifies in one pass; the output has the target's law (greedy: its greedy "
      + "output), and JSON adds draftedTokens, acceptedDraftTokens and targetPasses. With --speculate medusa "
      + "(greedy or sample; a checkpoint with Medusa heads): each pass verifies the model's next token and a tree "
      + "of its heads' top tokens (--tree) in one pass and emits the longest accepted path; greedy decoding gives "
      + "the greedy output, sampling accepts by typical acceptance (p(x) > min(ε, δ·exp(−H(p))), which changes the "
      + "output law); JSON adds candidateTokens, acceptedCandidateTokens, passes and meanAcceptedLength (new "
      + "tokens per pass). "
      + "--regex R, --json-schema FILE or --choice \"a,b,c\" constrain the output of greedy, sample, beam and "
      + "--draft (byte-level models; the text models' separator or a --stop-token ends it once it is complete): "
      + "disallowed tokens (and those after which the output could not be completed within --max-new-tokens) are "
      + "masked after the processors and before the sampling warpers, and sampling "
      + "renormalises over the allowed tokens at each step (not the model's law conditioned on the constraint); "
      + "with --draft the draft and the target are masked alike, so the output keeps the constrained target's law. "
      + "JSON Schema output is compact: at most one space after { [ , : and before } ].")

  /// How tokens are chosen.
  enum Strategy: String, CaseIterable, ExpressibleByArgument {
    case greedy, sample, beam
  }

  /// HuggingFace's `early_stopping` values.
  enum EarlyStoppingFlag: String, CaseIterable, ExpressibleByArgument {
    case `true`, `false`, never

    var rule: EarlyStopping {
      switch self {
      case .true: .whenFull
      case .false: .heuristic
      case .never: .never
      }
    }
  }

  @Option(help: "A checkpoint.safetensors written by ssm train.") var checkpoint: String
  @Option(help: "The prompt as text, encoded as UTF-8 bytes (byte-level models only).") var prompt: String?
  @Option(help: "The prompt as token ids, separated by spaces or commas, e.g. \"3 1 4\".") var tokens: String?
  @Option(help: "The most tokens to generate after the prompt (≥ 1).") var maxNewTokens: Int
  @Option(help: "How tokens are chosen.") var strategy: Strategy = .greedy
  @Option(help: "sample: temperature T > 0 (default 1).") var temperature: Double?
  @Option(help: "sample: keep the K most likely tokens and ties with the K-th (default all).") var topK: Int?
  @Option(help: "sample: nucleus probability P in (0, 1] (default 1, off).") var topP: Double?
  @Option(help: "sample: keep tokens with probability ≥ P × the largest, P in [0, 1] (default 0, off).")
  var minP: Double?
  @Option(help: "sample: locally typical mass P in (0, 1] (default 1, off).") var typicalP: Double?
  @Option(help: "CTRL repetition penalty R > 0 (1: none).") var repetitionPenalty: Double = 1
  @Option(help: "No new token completes an N-gram already in prompt + output, N ≥ 0 (0: off).") var noRepeatNgramSize =
    0
  @Option(help: "No stop token before N ≥ 0 new tokens (0: off).") var minNewTokens = 0
  @Option(help: "beam: beams B ≥ 1 (default 4).") var beams: Int?
  @Option(help: "beam: length-normalisation exponent A (default 1).") var lengthPenalty: Double?
  @Option(
    help: "beam: true (stop when B hypotheses are finished), false (HuggingFace's heuristic, default) or never.")
  var earlyStopping: EarlyStoppingFlag?
  @Option(help: "beam: results to print, 1…B, best first (default 1); sample: independent samples ≥ 1 (default 1).")
  var numReturn: Int?
  @Option(name: .customLong("stop-token"), help: "A token that ends generation once emitted (repeatable).")
  var stopTokens: [Int] = []
  @Option(help: "Seed of the sampling draws.") var seed: UInt64 = 0
  @Option(help: "A draft checkpoint (same vocabulary) for speculative decoding; greedy or sample only.")
  var draft: String?
  @Option(help: "With --draft: draft tokens per round, K ≥ 1 or adaptive (default 4).")
  var draftTokens: DraftTokensArgument?
  @OptionGroup var medusa: MedusaOptions
  @OptionGroup var constraint: ConstraintOptions
  @Flag(help: "Print JSON: one result object (greedy, one sample) or a list of them (beam, several samples).")
  var json = false

  func validate() throws {
    guard (prompt == nil) != (tokens == nil) else {
      throw ValidationError("give the prompt as exactly one of --prompt and --tokens")
    }
    if let tokens { _ = try PromptTokens.parse(tokens) }
    guard maxNewTokens >= 1 else { throw ValidationError("--max-new-tokens must be at least 1") }
    guard repetitionPenalty.isFinite, repetitionPenalty > 0 else {
      throw ValidationError("--repetition-penalty must be finite and > 0")
    }
    guard noRepeatNgramSize >= 0 else { throw ValidationError("--no-repeat-ngram-size must be at least 0") }
    guard minNewTokens >= 0 else { throw ValidationError("--min-new-tokens must be at least 0") }
    if strategy != .sample {
      for (name, given) in [
        ("--temperature", temperature != nil), ("--top-k", topK != nil), ("--top-p", topP != nil),
        ("--min-p", minP != nil), ("--typical-p", typicalP != nil),
      ] where given {
        throw ValidationError("\(name) applies to --strategy sample only")
      }
    }
    if strategy != .beam {
      for (name, given) in [
        ("--beams", beams != nil), ("--length-penalty", lengthPenalty != nil),
        ("--early-stopping", earlyStopping != nil),
      ] where given {
        throw ValidationError("\(name) applies to --strategy beam only")
      }
    }
    if strategy == .greedy, numReturn != nil {
      throw ValidationError("--num-return applies to --strategy sample and beam only")
    }
    if let temperature, !(temperature.isFinite && temperature > 0) {
      throw ValidationError("--temperature must be finite and > 0")
    }
    if let topK, topK < 1 { throw ValidationError("--top-k must be at least 1") }
    if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must lie in (0, 1]") }
    if let minP, !(minP >= 0 && minP <= 1) { throw ValidationError("--min-p must lie in [0, 1]") }
    if let typicalP, !(typicalP > 0 && typicalP <= 1) { throw ValidationError("--typical-p must lie in (0, 1]") }
    if let beams, beams < 1 { throw ValidationError("--beams must be at least 1") }
    if let numReturn, strategy == .beam, !(1...(beams ?? Self.defaultBeams)).contains(numReturn) {
      throw ValidationError("--num-return must lie in 1…\(beams ?? Self.defaultBeams) (--beams)")
    }
    if let numReturn, strategy == .sample, numReturn < 1 { throw ValidationError("--num-return must be at least 1") }
    if let lengthPenalty, !lengthPenalty.isFinite { throw ValidationError("--length-penalty must be finite") }
    if draft != nil, strategy == .beam { throw ValidationError("--draft applies to --strategy greedy and sample only") }
    if draftTokens != nil, draft == nil { throw ValidationError("--draft-tokens applies with --draft only") }
    if medusa.speculate != nil {
      if draft != nil { throw ValidationError("--speculate and --draft are two ways to speculate: give one") }
      if strategy == .beam { throw ValidationError("--speculate applies to --strategy greedy and sample only") }
    }
  }

  /// Beams when `--beams` is not given.
  static let defaultBeams = 4

  /// The generation options the flags describe.
  var options: GenerationOptions {
    let decoding: DecodingStrategy
    switch strategy {
    case .greedy: decoding = .greedy
    case .sample:
      decoding = .sampling(
        SamplingParameters(
          temperature: temperature ?? 1, topK: topK, topP: topP ?? 1, minP: minP ?? 0, typicalP: typicalP ?? 1,
          numReturnSequences: numReturn ?? 1))
    case .beam:
      decoding = .beamSearch(
        BeamSearchParameters(
          numBeams: beams ?? Self.defaultBeams, lengthPenalty: lengthPenalty ?? 1,
          earlyStopping: (earlyStopping ?? .false).rule, numReturnSequences: numReturn ?? 1))
    }
    return GenerationOptions(
      maxNewTokens: maxNewTokens, stopTokens: Set(stopTokens), repetitionPenalty: repetitionPenalty,
      noRepeatNgramSize: noRepeatNgramSize, minNewTokens: minNewTokens, strategy: decoding, seed: seed)
  }

  func run() throws {
    let (model, configuration) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
    let byteLevel = ByteText.isByteLevel(vocabulary: model.vocabulary)
    let promptTokens = try PromptTokens.tokens(prompt: prompt, ids: tokens, vocabulary: model.vocabulary)
    try MemoryBudget.check(
      .generation(
        configuration.resolvedModel, batch: strategy == .beam ? beams ?? Self.defaultBeams : 1,
        prompt: promptTokens.count, newTokens: maxNewTokens))
    var options = self.options
    if let separator = ByteText.separator(vocabulary: model.vocabulary) { options.stopTokens.insert(separator) }
    options.constraint = try constraint.index(vocabulary: model.vocabulary, stopTokens: options.stopTokens)
    let outputs: [(result: GenerationResult, counts: [(String, JSONValue)])]
    if let draft {
      let (draftModel, draftConfiguration) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: draft))
      try MemoryBudget.check(
        .generation(draftConfiguration.resolvedModel, batch: 1, prompt: promptTokens.count, newTokens: maxNewTokens))
      let speculation = SpeculativeParameters(draftLength: draftTokens?.length ?? SpeculativeParameters().draftLength)
      outputs = try speculativeGenerate(
        target: model, draft: draftModel, prompt: promptTokens, options: options, speculation: speculation
      ).map { speculative in
        (
          speculative.generation,
          [
            ("draftedTokens", .number(Double(speculative.draftedTokens))),
            ("acceptedDraftTokens", .number(Double(speculative.acceptedDraftTokens))),
            ("targetPasses", .number(Double(speculative.targetPasses))),
          ]
        )
      }
    } else if medusa.speculate != nil {
      let heads = try medusa.heads(checkpoint: checkpoint, model: model)
      outputs = try medusaGenerate(
        model, heads: heads, prompt: promptTokens, options: options, medusa: medusa.parameters(heads: heads.count)
      ).map { result in
        (
          result.generation,
          [
            ("candidateTokens", .number(Double(result.draftedTokens))),
            ("acceptedCandidateTokens", .number(Double(result.acceptedDraftTokens))),
            ("passes", .number(Double(result.targetPasses))),
            ("meanAcceptedLength", .number(Double(result.generation.tokens.count) / Double(result.targetPasses))),
          ]
        )
      }
    } else {
      outputs = try generate(model, prompt: promptTokens, options: options).map { ($0, []) }
    }
    let results = outputs.map(\.result)
    let text = { (tokens: [Int]) in
      byteLevel ? ByteText.text(tokens) : tokens.map(String.init).joined(separator: " ")
    }
    let documents = outputs.map { result, counts in
      JSONValue.object(
        [
          ("tokens", .array(result.tokens.map { .number(Double($0)) })), ("text", .string(text(result.tokens))),
          ("score", .number(result.score)),
        ] + counts)
    }
    let listed = strategy == .beam || (numReturn ?? 1) > 1
    let document = listed ? JSONValue.array(documents) : documents[0]
    try emit(document, json: json) {
      for (rank, result) in results.enumerated() {
        let shown = byteLevel ? text(result.tokens).debugDescription : text(result.tokens)
        let prefix = listed ? "\(rank + 1). " : ""
        print("\(prefix)\(shown)  (score \(String(format: "%.6f", result.score)))")
      }
    }
  }
}
