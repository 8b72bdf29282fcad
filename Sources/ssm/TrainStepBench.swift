import ArgumentParser
import Models
import Platform
import SSMJSON
import SeededRandom
import Tasks
import Training

/// `ssm bench train-step`: one optimisation step of an S4D model on the copying task.
struct TrainStepBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-step",
    abstract: "Time one training step (forward, backward, clipping, AdamW) of an S4D model on copying batches.")

  @Option(help: "Sequences per step B.") var batch: Int
  @Option(help: "Sequence length L (≥ 21).") var length: Int
  @Option(help: "Residual blocks.") var layers = 4
  @Option(help: "Channels H.") var width = 128
  @Option(help: "State size N.") var stateSize = 64
  @Option(help: "Timed steps; the median is reported.") var runs = 5
  @Option(help: "Untimed steps first.") var warmup = 1
  @Flag(help: "Print {\"secondsPerStep\": x, \"runs\": n, …}.") var json = false

  func validate() throws {
    guard runs >= 1, warmup >= 0 else { throw ValidationError("--runs must be ≥ 1 and --warmup ≥ 0") }
    guard batch >= 1 else { throw ValidationError("--batch must be ≥ 1") }
  }

  func run() throws {
    let task = try CopyingTask(count: 10, delay: length - 20, alphabet: 8)
    let configuration = S4Model.Configuration(
      vocabulary: task.vocabulary, width: width, depth: layers, stateSize: stateSize)
    try MemoryBudget.check(.training(.s4(configuration), batch: batch, length: length))
    let model = try S4Model(configuration, seed: 0)
    let optimizer = AdamW(groups: ParameterGroups(standard: GroupSettings(learningRate: 1e-3, weightDecay: 0.01)))
    var dropout = SeededGenerator(seed: 2)
    var times: [Double] = []
    for run in 0..<(warmup + runs) {
      let instances = try task.batch(batch, split: .train, index: run, seed: 1)
      let elapsed = try seconds {
        _ = try trainingStep(
          model, optimizer: optimizer, batch: instances, maximumGradientNorm: 1,
          learningRateFactor: 1, step: run + 1, dropout: &dropout)
      }
      if run >= warmup { times.append(elapsed) }
    }
    let result: JSONValue = .object([
      ("secondsPerStep", .number(median(times))), ("runs", .number(Double(runs))), ("batch", .number(Double(batch))),
      ("length", .number(Double(length))), ("layers", .number(Double(layers))), ("width", .number(Double(width))),
      ("stateSize", .number(Double(stateSize))),
    ])
    try emit(result, json: json) {
      print(
        "S4D training step, \(layers) layers, H = \(width), N = \(stateSize), (B, L) = (\(batch), \(length)): \(milliseconds(median(times))) (median of \(runs))"
      )
    }
  }
}
