import ArgumentParser
import Foundation
import SSMJSON
import Tasks
import Training

/// `ssm eval`: a checkpoint's metric (accuracy, mean squared error or bits per byte) on its task's test split.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate a checkpoint on the test split of its task (instances no training batch contains).")

  @Option(help: "A checkpoint.safetensors written by ssm train.") var checkpoint: String
  @Option(help: "Seed of the evaluation instances.") var seed: UInt64 = 1_000_003
  @Option(help: "Instances to evaluate (text: the first consecutive windows of the test split).") var examples = 256
  @Flag(help: "Print {\"metric\": \"accuracy\", \"mse\" or \"bits-per-byte\", \"value\": x, \"examples\": n}.")
  var json = false

  func validate() throws {
    guard examples >= 1 else { throw ValidationError("--examples must be at least 1") }
  }

  func run() throws {
    let (model, configuration) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
    try MemoryBudget.check(
      .inference(configuration.resolvedModel, batch: MemoryEstimate.evaluationBatch, length: configuration.task.length))
    let task = try configuration.makeTask()
    let value = try configuration.evaluate(model, examples: examples, seed: seed)
    let result: JSONValue = .object([
      ("metric", .string(task.metric.identifier)), ("value", .number(value)),
      ("examples", .number(Double(examples))),
    ])
    try emit(result, json: json) {
      let instances = "test instances of \(task.name.rawValue)"
      print(
        String(
          format: "%@ %.6g on %d %@ (seed %llu)", task.metric.longName, value, examples,
          instances, seed))
    }
  }
}
