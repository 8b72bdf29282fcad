import ArgumentParser
import Constraints
import Foundation
import Generation
import Models
import Platform
import SSMJSON
import Training

/// `ssm bench constrained`: the cost of a decoding constraint against plain decoding.
struct ConstrainedBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "constrained",
    abstract: "Time the constraint mask of --regex, --json-schema or --choice against an unconstrained decode step.",
    discussion:
      "The model is --checkpoint (byte-level) or, by default, --model's random benchmark model (d = 128, 2 layers, "
      + "as ssm bench decode). A line break (and a text model's separator) is the stop token. First the "
      + "constrained greedy continuation of a fixed prompt is generated (at most --tokens tokens); each run then "
      + "decodes exactly those tokens twice, interleaved (the order alternating between runs): once with the constraint (model step, mask, greedy "
      + "choice, automaton step) and once without (model step, greedy choice), from a fresh state after the "
      + "prompt (prefill untimed). constrainedSecondsPerToken and unconstrainedSecondsPerToken are the median "
      + "runs' times / tokens; overhead = constrained / unconstrained − 1. maskSecondsPerToken times the mask "
      + "alone (applyConstraint with the token budget, over the same states, 100 passes per run) and maskFraction "
      + "= maskSecondsPerToken / unconstrainedSecondsPerToken. indexSeconds is the median time to compile the "
      + "constraint (regular expression → DFA → token index).")

  @OptionGroup var constraint: ConstraintOptions
  @Option(help: "A byte-level checkpoint.safetensors (default: the --model benchmark model).") var checkpoint: String?
  @Option(help: "Benchmark model without --checkpoint: s4, transformer, mamba or gru (d = 128).") var model:
    BenchModel =
      .transformer
  @Option(help: "Most tokens of the constrained continuation (≥ 2).") var tokens = 64
  @Option(help: "Timed runs; the median is reported.") var runs = 21
  @Option(help: "Untimed runs first.") var warmup = 2
  @Flag(help: "Print {\"overhead\": x, \"maskFraction\": y, …}.") var json = false

  /// The prompt the continuation follows.
  static let prompt = "Text: Ada is 36.\nJSON: "
  /// Passes of the mask over the states per timed run.
  static let maskPasses = 100

  func validate() throws {
    guard constraint.isGiven else { throw ValidationError("give one of --regex, --json-schema and --choice") }
    guard tokens >= 2, runs >= 1, warmup >= 0 else {
      throw ValidationError("--tokens must be ≥ 2, --runs ≥ 1 and --warmup ≥ 0")
    }
  }

  func run() throws {
    let built: any SequenceModel
    let label: String
    if let checkpoint {
      let (loaded, configuration) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
      try MemoryBudget.check(
        .generation(configuration.resolvedModel, batch: 1, prompt: Self.prompt.utf8.count, newTokens: tokens))
      built = loaded
      label = checkpoint
    } else {
      try MemoryBudget.check(
        .generation(model.configuration, batch: 1, prompt: Self.prompt.utf8.count, newTokens: tokens))
      built = try model.build()
      label = model.rawValue
    }
    let stopTokens = ByteText.lineStopTokens(vocabulary: built.vocabulary)
    var indexTimes: [Double] = []
    var index: TokenIndex?
    for run in 0..<(warmup + runs) {
      let elapsed = try seconds { index = try constraint.index(vocabulary: built.vocabulary, stopTokens: stopTokens) }
      if run >= warmup { indexTimes.append(elapsed) }
    }
    let measured = try measure(built, index: index!)
    let document = JSONValue.object([
      ("model", .string(label)), ("states", .number(Double(index!.stateCount))),
      ("tokens", .number(Double(measured.tokens))), ("runs", .number(Double(runs))),
      ("indexSeconds", .number(median(indexTimes))),
      ("constrainedSecondsPerToken", .number(measured.constrained)),
      ("unconstrainedSecondsPerToken", .number(measured.unconstrained)),
      ("overhead", .number(measured.constrained / measured.unconstrained - 1)),
      ("maskSecondsPerToken", .number(measured.mask)),
      ("maskFraction", .number(measured.mask / measured.unconstrained)),
    ])
    try emit(document, json: json) {
      let microseconds = { (value: Double) in String(format: "%.2f µs", value * 1e6) }
      print(
        "constraint: \(index!.stateCount) states, compiled in \(String(format: "%.3f ms", median(indexTimes) * 1e3))")
      print("\(label), \(measured.tokens) tokens, median of \(runs) runs, per token:")
      print("  unconstrained step  \(microseconds(measured.unconstrained))")
      print("  constrained step    \(microseconds(measured.constrained))")
      print("  mask alone          \(microseconds(measured.mask))")
      print(
        String(
          format: "overhead %+.2f %%, mask %.2f %% of a step",
          (measured.constrained / measured.unconstrained - 1) * 100,
          measured.mask / measured.unconstrained * 100))
    }
  }

  /// Median per-token seconds of constrained and unconstrained decoding of the same tokens and
  /// of the mask alone.
  private func measure<Model: SequenceModel>(_ model: Model, index: TokenIndex) throws
    -> (tokens: Int, constrained: Double, unconstrained: Double, mask: Double)
  {
    let prompt = ByteText.tokens(Self.prompt)
    let constrainedOptions = GenerationOptions(maxNewTokens: tokens, stopTokens: index.stopTokens, constraint: index)
    let plainOptions = GenerationOptions(maxNewTokens: tokens)
    let path = try generate(model, prompt: prompt, options: constrainedOptions)[0].tokens
    var states = [index.start]
    for token in path.dropLast() { states.append(index.nextState(after: token, from: states.last!)!) }
    /// Decodes `path` once: the decoder chooses each token (its choice is not fed back, so both
    /// variants do the same model work), the model reads `path`.
    let decode = { (options: GenerationOptions) throws -> Double in
      var state = try model.initialState(batchSize: 1)
      var logits = try model.prefill([prompt], state: &state).values
      var decoder = try SequentialDecoder(for: model, prompt: prompt, options: options)
      return try seconds {
        for (position, token) in path.enumerated() {
          _ = try decoder.next(logits: logits[(logits.count - model.vocabulary)...])
          if position < path.count - 1 { logits = try model.step([token], state: &state).values }
        }
      }
    }
    var scores = [Double](repeating: 0, count: model.vocabulary)
    var constrainedTimes: [Double] = []
    var plainTimes: [Double] = []
    var maskTimes: [Double] = []
    for run in 0..<(warmup + runs) {
      // Alternating which variant goes first cancels drift (caches, clock) between the two.
      let first = try decode(run.isMultiple(of: 2) ? constrainedOptions : plainOptions)
      let second = try decode(run.isMultiple(of: 2) ? plainOptions : constrainedOptions)
      let (constrained, plain) = run.isMultiple(of: 2) ? (first, second) : (second, first)
      let mask = seconds {
        for _ in 0..<Self.maskPasses {
          for (position, state) in states.enumerated() {
            LogitsProcessor.applyConstraint(&scores, index: index, state: state, remainingTokens: tokens - position)
          }
        }
      }
      if run >= warmup {
        constrainedTimes.append(constrained / Double(path.count))
        plainTimes.append(plain / Double(path.count))
        maskTimes.append(mask / Double(Self.maskPasses * states.count))
      }
    }
    return (path.count, median(constrainedTimes), median(plainTimes), median(maskTimes))
  }
}
