import ArgumentParser
import Models
import Platform
import SSMJSON
import SeededRandom

/// The model families of the speed benchmarks, at the size of the JAX anchors (`D = 128`, 2 layers, byte
/// vocabulary): a transformer (4 heads, MLP 4×, rotary positions), an S4D stack (`N = 64`), a Mamba stack
/// (`N = 16`, expansion 2: each block's selective scan runs over `E = 256` channels, the shape of the selective
/// scan anchor) and a residual GRU stack.
enum BenchModel: String, ExpressibleByArgument, CaseIterable {
  case s4, transformer, mamba, gru

  static let vocabulary = 256
  static let width = 128
  static let depth = 2

  func build() throws -> any SequenceModel {
    switch self {
    case .s4: return try Self.s4Model()
    case .transformer: return try Self.transformerModel()
    case .mamba: return try MambaModel(Self.mambaConfiguration, seed: 0)
    case .gru: return try GRUModel(Self.gruConfiguration, seed: 0)
    }
  }

  static let s4Configuration = S4Model.Configuration(
    vocabulary: vocabulary, width: width, depth: depth, stateSize: 64)
  static let transformerConfiguration = TransformerModel.Configuration(
    vocabulary: vocabulary, width: width, depth: depth, heads: 4, positions: .rotary)
  static let mambaConfiguration = MambaModel.Configuration(
    vocabulary: vocabulary, width: width, depth: depth, stateSize: 16)
  static let gruConfiguration = GRUModel.Configuration(vocabulary: vocabulary, width: width, depth: depth)

  /// The family's configuration, for memory estimates.
  var configuration: ModelConfiguration {
    switch self {
    case .s4: .s4(Self.s4Configuration)
    case .transformer: .transformer(Self.transformerConfiguration)
    case .mamba: .mamba(Self.mambaConfiguration)
    case .gru: .gru(Self.gruConfiguration)
    }
  }

  static func s4Model() throws -> S4Model { try S4Model(s4Configuration, seed: 0) }

  static func transformerModel() throws -> TransformerModel { try TransformerModel(transformerConfiguration, seed: 0) }
}

/// `ssm bench decode`: per-token generation latency after a prompt of a given length.
struct DecodeBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Time recurrent decoding (one token at a time, B = 1) after a context of --context tokens.",
    discussion:
      "The context is read first (prefill in chunks of 1024, untimed); each run then steps --tokens tokens. "
      + "The transformer rewinds its KV cache to the context before every run, so each run decodes at the same "
      + "positions; the S4, Mamba and GRU states have a fixed size, so their runs simply continue. secondsPerToken is the median "
      + "run's time / tokens.")

  @Option(
    help: ArgumentHelp(
      "Model family: s4 (S4D, H = 128, N = 64, 2 layers), transformer (d = 128, 4 heads, 2 layers), mamba "
        + "(D = 128, N = 16, 2 layers) or gru (H = 128, 2 layers)."))
  var model: BenchModel
  @Option(help: "Tokens in the context before decoding.") var context: Int
  @Option(help: "Tokens decoded per run.") var tokens = 64
  @Option(help: "Timed runs; the median is reported.") var runs = 7
  @Option(help: "Untimed runs first.") var warmup = 2
  @Flag(help: "Print {\"secondsPerToken\": x, …}.") var json = false

  func validate() throws {
    guard context >= 1, tokens >= 1, runs >= 1, warmup >= 0 else {
      throw ValidationError("--context, --tokens and --runs must be ≥ 1, --warmup ≥ 0")
    }
  }

  func run() throws {
    try MemoryBudget.check(.generation(model.configuration, batch: 1, prompt: context, newTokens: tokens))
    let built = try model.build()
    let perToken =
      switch model {
      case .s4: try measure(BenchModel.s4Model()) { _ in }
      case .transformer: try measure(BenchModel.transformerModel()) { try $0.rewind(to: context) }
      case .mamba: try measure(MambaModel(BenchModel.mambaConfiguration, seed: 0)) { _ in }
      case .gru: try measure(GRUModel(BenchModel.gruConfiguration, seed: 0)) { _ in }
      }
    let result: JSONValue = .object([
      ("secondsPerToken", .number(perToken)), ("model", .string(model.rawValue)),
      ("context", .number(Double(context))), ("tokens", .number(Double(tokens))), ("runs", .number(Double(runs))),
      ("parameters", .number(Double(built.parameterCount))),
    ])
    try emit(result, json: json) {
      print(
        "\(model.rawValue) decoding after \(context) tokens: \(String(format: "%.1f", perToken * 1e6)) µs per token (median of \(runs) runs of \(tokens))"
      )
    }
  }

  /// The median per-token time; `rewind` resets the state to the end of the context before each run.
  private func measure<Model: SequenceModel>(_ model: Model, rewind: (inout Model.State) throws -> Void) throws
    -> Double
  {
    var generator = SeededGenerator(seed: 1)
    let random = { (generator: inout SeededGenerator) in Int(generator.next() % UInt64(BenchModel.vocabulary)) }
    var state = try model.initialState(batchSize: 1)
    for start in stride(from: 0, to: context, by: 1024) {
      let chunk = (start..<min(start + 1024, context)).map { _ in random(&generator) }
      _ = try model.prefill([chunk], state: &state)
    }
    let inputs = (0..<tokens).map { _ in random(&generator) }
    var times: [Double] = []
    for run in 0..<(warmup + runs) {
      try rewind(&state)
      let elapsed = try seconds {
        for token in inputs { _ = try model.step([token], state: &state) }
      }
      if run >= warmup { times.append(elapsed / Double(tokens)) }
    }
    return median(times)
  }
}

/// `ssm bench forward`: parallel-mode logits of a whole batch.
struct ForwardBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forward",
    abstract: "Time the parallel forward (logits of every position, no gradients) of a (B × L) token batch.")

  @Option(help: "Model family: s4, transformer, mamba or gru (the sizes of `ssm bench decode`).") var model: BenchModel
  @Option(help: "Sequences B.") var batch: Int
  @Option(help: "Sequence length L.") var length: Int
  @Option(help: "Timed runs; the median is reported.") var runs = 5
  @Option(help: "Untimed runs first.") var warmup = 1
  @Flag(help: "Print {\"forwardSeconds\": x, …}.") var json = false

  func validate() throws {
    guard batch >= 1, length >= 1, runs >= 1, warmup >= 0 else {
      throw ValidationError("--batch, --length and --runs must be ≥ 1, --warmup ≥ 0")
    }
  }

  func run() throws {
    try MemoryBudget.check(.inference(model.configuration, batch: batch, length: length))
    let built = try model.build()
    var generator = SeededGenerator(seed: 1)
    let tokens = (0..<batch).map { _ in
      (0..<length).map { _ in Int(generator.next() % UInt64(BenchModel.vocabulary)) }
    }
    var times: [Double] = []
    for run in 0..<(warmup + runs) {
      let elapsed = try seconds { _ = try built.forward(tokens) }
      if run >= warmup { times.append(elapsed) }
    }
    let result: JSONValue = .object([
      ("forwardSeconds", .number(median(times))), ("model", .string(model.rawValue)),
      ("batch", .number(Double(batch))), ("length", .number(Double(length))), ("runs", .number(Double(runs))),
      ("tokensPerSecond", .number(Double(batch * length) / median(times))),
    ])
    try emit(result, json: json) {
      print(
        "\(model.rawValue) forward, (B, L) = (\(batch), \(length)): \(milliseconds(median(times))) (median of \(runs))")
    }
  }
}
