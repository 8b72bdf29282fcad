import ArgumentParser
import Foundation
import SSMJSON
import Tasks
import Training

/// `ssm eval`: a checkpoint's metric (accuracy or mean squared error) on task instances it never trained on.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate a checkpoint on freshly generated instances of its task (never the training stream).")

  @Option(help: "A checkpoint.safetensors written by ssm train.") var checkpoint: String
  @Option(help: "Seed of the evaluation instances.") var seed: UInt64 = 1_000_003
  @Option(help: "Instances to evaluate.") var examples = 256
  @Flag(help: "Print {\"metric\": \"accuracy\" or \"mse\", \"value\": x, \"examples\": n}.") var json = false

  func validate() throws {
    guard examples >= 1 else { throw ValidationError("--examples must be at least 1") }
  }

  func run() throws {
    let (model, configuration) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
    try MemoryBudget.check(
      .inference(configuration.resolvedModel, batch: MemoryEstimate.evaluationBatch, length: configuration.taskLength))
    let task = try configuration.task()
    let value = try configuration.evaluate(model, examples: examples, seed: seed)
    let isAccuracy = task.metric == .accuracy
    let result: JSONValue = .object([
      ("metric", .string(isAccuracy ? "accuracy" : "mse")), ("value", .number(value)),
      ("examples", .number(Double(examples))),
    ])
    try emit(result, json: json) {
      let instances = task is CopyingTask ? "fresh copying instances" : "test instances of \(task.name.rawValue)"
      print(
        String(
          format: "%@ %.6g on %d %@ (seed %llu)", isAccuracy ? "token accuracy" : "mean squared error", value, examples,
          instances, seed))
    }
  }
}
