import ArgumentParser
import Foundation
import SSMJSON
import Training

/// `ssm eval`: a checkpoint's accuracy on freshly generated task instances.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate a checkpoint on freshly generated instances of its task (never the training stream).")

  @Option(help: "A checkpoint.safetensors written by ssm train.") var checkpoint: String
  @Option(help: "Seed of the evaluation instances.") var seed: UInt64 = 1_000_003
  @Option(help: "Instances to evaluate.") var examples = 256
  @Flag(help: "Print {\"metric\": \"accuracy\", \"value\": x, \"examples\": n}.") var json = false

  func validate() throws {
    guard examples >= 1 else { throw ValidationError("--examples must be at least 1") }
  }

  func run() throws {
    let (model, configuration) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
    let accuracy = try copyingAccuracy(of: model, task: configuration.task(), examples: examples, seed: seed)
    let result: JSONValue = .object([
      ("metric", .string("accuracy")), ("value", .number(accuracy)), ("examples", .number(Double(examples))),
    ])
    try emit(result, json: json) {
      print(String(format: "token accuracy %.4f on %d fresh copying instances (seed %llu)", accuracy, examples, seed))
    }
  }
}
