import ArgumentParser
import Comparison
import Foundation
import MessagePassing
import Models
import Tasks
import Training

/// `ssm compare`: trains model families side by side on long-context tasks and writes a report.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Train S4D, S4, Mamba, transformer and GRU models side by side on long-context tasks; write a report.",
    discussion:
      "Every (task, model, length) cell trains a model sized to --parameters with the same settings and "
      + "step/time budget, then is evaluated on the task's held-out test split. OUT gets results.json (rewritten "
      + "after every cell: rerunning the same command skips finished cells, a failed cell is recorded and retried "
      + "on the next run), report.md and SVG charts (metric vs length, training curves, generation latency vs "
      + "context). A summary table is printed at the end. Tasks: "
      + TaskName.allCases.map(\.rawValue).joined(separator: ", ") + ". Token tasks are scored by test accuracy "
      + "(higher is better); adding, delay and reconstruct have real-valued inputs and outputs: their models read "
      + "features through a linear encoder, train on and are scored by the mean squared error at the scored "
      + "positions (MSE, lower is better). Generation latency is measured on the first token task (none for "
      + "feature tasks only). Under mpirun (`mpirun -np K ssm compare …`) every cell trains data-parallel on K "
      + "processes (K must divide --batch), as `ssm train` does; process 0 writes the results.")

  @Option(help: "Comma-separated tasks.") var tasks = "copying"
  @Option(help: "Comma-separated models: \(ModelFamily.all.map(\.name).joined(separator: ", ")).")
  var models = "s4d,transformer,gru"
  @Option(help: "Comma-separated sequence lengths.") var lengths = "64,256"
  @Option(help: "Parameters each model is sized to (within ±2 %; a budget a family cannot reach is an error).")
  var parameters = 50_000
  @Option(help: "Residual blocks per model.") var depth = 2
  @Option(help: "Optimisation steps per cell.") var steps = 300
  @Option(help: "Sequences per step.") var batch = 16
  @Option(help: "Peak learning rate of the standard parameters.") var learningRate: Float = 3e-3
  @Option(help: "Learning rate of the state space parameters.") var stateSpaceLearningRate: Float = 1e-3
  @Option(help: "Stop a cell's training after this many seconds (same time budget for every model).")
  var timeBudget: Double?
  @Option(help: "Seed of initialisation, data and dropout.") var seed: UInt64 = 0
  @Option(help: "Held-out test instances per evaluation.") var evaluationExamples = 256
  @Option(help: "Comma-separated contexts of the generation latency measurement (empty: none).")
  var latencyContexts = "256,1024,4096"
  @Option(help: "Comma-separated further lengths every model is also tested at (length generalisation).")
  var evaluationLengths = ""
  @Option(help: "The output folder.") var out: String

  func run() throws {
    let plan = ComparisonPlan(
      tasks: try list(tasks, "--tasks") { TaskName(rawValue: $0) },
      models: try list(models, "--models") { ModelFamily.named($0) },
      lengths: try list(lengths, "--lengths") { Int($0) }, depth: depth, parameterBudget: parameters,
      training: TaskTrainingSettings(
        steps: steps, batch: batch, learningRate: learningRate, stateSpaceLearningRate: stateSpaceLearningRate,
        seed: seed, timeBudget: timeBudget),
      evaluationExamples: evaluationExamples,
      latencyContexts: latencyContexts.isEmpty ? [] : try list(latencyContexts, "--latency-contexts") { Int($0) },
      evaluationLengths: evaluationLengths.isEmpty
        ? nil : try list(evaluationLengths, "--evaluation-lengths") { Int($0) })
    try plan.validate()
    try MemoryBudget.check(.comparison(plan))
    let directory = URL(fileURLWithPath: out)
    guard let communicator = try MPICommunicator.joinIfLaunched() else {
      return try compare(plan, in: directory, reducer: SingleProcessReducer())
    }
    try communicator.runJob(
      description: try runDescription(plan, in: directory),
      stopNote: "\(directory.appendingPathComponent("results.json").path) keeps every finished cell: rerun the "
        + "same command to run the others",
      preflight: {
        _ = try DataParallelShard.rows(
          batch: plan.training.batch, rank: communicator.rank, processCount: communicator.processCount)
      },
      work: { try compare(plan, in: directory, reducer: communicator) })
  }

  /// Runs the plan's cells into `directory`, alone or as process `reducer.rank` of a
  /// data-parallel comparison (`mpirun -np K ssm compare …`: every cell trains data-parallel,
  /// process 0 shows the progress and writes the results and the report).
  private func compare(_ plan: ComparisonPlan, in directory: URL, reducer: any GradientReducer) throws {
    let writes = reducer.rank == 0
    let runner = try ComparisonRunner(plan: plan, directory: directory, reducer: reducer) { line in
      if writes { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
    let results = try runner.run()
    guard writes else { return }
    let report = ComparisonReport(results: results)
    let url = try report.write(to: directory)
    print(try report.summary().plainText())
    print("report: \(url.path)")
  }

  /// What must agree across the processes of one comparison: the plan (JSON, sorted keys) and the
  /// output folder.
  private func runDescription(_ plan: ComparisonPlan, in directory: URL) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return Array(try encoder.encode(plan)) + Array("\n\(directory.standardizedFileURL.path)\n".utf8)
  }

  /// The comma-separated values of `text`, each parsed by `parse`.
  private func list<T>(_ text: String, _ option: String, _ parse: (String) -> T?) throws -> [T] {
    try text.split(separator: ",").map { item in
      let trimmed = item.trimmingCharacters(in: .whitespaces)
      guard let value = parse(trimmed) else { throw ValidationError("\(option): unknown value '\(trimmed)'") }
      return value
    }
  }
}
