import ArgumentParser
import Foundation
import SSMJSON
import Tasks
import Training

/// `ssm eval`: a checkpoint's metric (accuracy, mean squared error or bits per byte) on its task's test split.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract:
      "Evaluate a checkpoint on the test split of its task (instances no training batch contains); with Medusa "
      + "heads, also each head's top-1 accuracy.")

  @Option(help: "A checkpoint.safetensors written by ssm train.") var checkpoint: String
  @Option(help: "Seed of the evaluation instances.") var seed: UInt64 = 1_000_003
  @Option(help: "Instances to evaluate (text: the first consecutive windows of the test split).") var examples = 256
  @Flag(
    help: ArgumentHelp(
      "Print {\"metric\": \"accuracy\", \"mse\" or \"bits-per-byte\", \"value\": x, \"examples\": n}, with "
        + "\"medusaAccuracy\": [top-1 accuracy of each head] for a checkpoint with Medusa heads."))
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
    let url = URL(fileURLWithPath: checkpoint)
    let headAccuracy = try TrainingRun.medusaHeads(fromCheckpoint: url, on: model).map {
      try medusaAccuracy($0, on: model, task: task, examples: examples, seed: seed).map(\.value)
    }
    var fields: [(key: String, value: JSONValue)] = [
      ("metric", .string(task.metric.identifier)), ("value", .number(value)),
      ("examples", .number(Double(examples))),
    ]
    if let headAccuracy { fields.append(("medusaAccuracy", .array(headAccuracy.map { .number($0) }))) }
    try emit(.object(fields), json: json) {
      let instances = "test instances of \(task.name.rawValue)"
      print(
        String(
          format: "%@ %.6g on %d %@ (seed %llu)", task.metric.longName, value, examples,
          instances, seed))
      for (k, accuracy) in (headAccuracy ?? []).enumerated() {
        print(String(format: "Medusa head %d (token t + %d): top-1 accuracy %.4f", k + 1, k + 2, accuracy))
      }
    }
  }
}
