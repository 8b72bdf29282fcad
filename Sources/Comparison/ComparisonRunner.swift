import Dispatch
import Foundation
import Models
import Reports
import SeededRandom
import Tasks
import Training

/// Everything a comparison produced: written to `results.json` after every cell.
public struct ComparisonResults: Codable, Sendable {
  /// The plan (the exact configuration of every cell).
  public var plan: ComparisonPlan
  /// Code revision and machine.
  public var environment: RunEnvironment
  /// Finished cells (successful or failed), in run order.
  public var cells: [ComparisonCell]
  /// Per-token generation latency against context, per model family.
  public var latency: [LatencyMeasurement]
}

/// Runs a ``ComparisonPlan`` into a folder, resumably: `results.json` is rewritten atomically
/// after every cell, a rerun skips the cells already finished, and a cell that throws is
/// recorded with its error while the others go on (a rerun retries it).
///
/// A runner may be one of `K` processes of a data-parallel comparison (`mpirun -np K ssm
/// compare`): each cell then trains data-parallel through the `reducer`
/// (``train(_:on:settings:reducer:progress:)``), every process evaluates the (identical) trained
/// model, and process 0 alone writes `results.json` and measures the generation latency. Every
/// process reads the same `results.json` at the start, so all run the same cells.
public final class ComparisonRunner {
  /// The plan.
  public let plan: ComparisonPlan
  /// The output folder.
  public let directory: URL
  /// Sums gradients over the processes of a data-parallel comparison.
  public let reducer: any GradientReducer
  private let log: (String) -> Void
  private let environment = RunEnvironment.current()

  /// A runner writing into `directory`, alone or as process `reducer.rank` of a data-parallel
  /// comparison; `log` receives progress lines.
  /// - Throws: ``ComparisonError`` for an invalid plan; ``TrainingError/invalidState(_:)`` when
  ///   the processes do not divide the plan's batch.
  public init(
    plan: ComparisonPlan, directory: URL, reducer: any GradientReducer = SingleProcessReducer(),
    log: @escaping (String) -> Void = { _ in }
  ) throws {
    try plan.validate()
    _ = try DataParallelShard.rows(batch: plan.training.batch, rank: reducer.rank, processCount: reducer.processCount)
    self.plan = plan
    self.directory = directory
    self.reducer = reducer
    self.log = log
  }

  /// Whether this process writes the results (process 0).
  public var isWriter: Bool { reducer.rank == 0 }

  /// `results.json` in `directory`.
  public var resultsURL: URL { directory.appendingPathComponent("results.json") }

  /// Runs every unfinished cell, then the latency measurement, and returns all results. A cell
  /// is finished when `results.json` holds it without an error and with the configuration the
  /// parameter matching gives now (a cell sized otherwise, by other code, is run again).
  public func run() throws -> ComparisonResults {
    try checkBudgets()
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var results = ComparisonResults(plan: plan, environment: environment, cells: [], latency: [])
    if FileManager.default.fileExists(atPath: resultsURL.path) {
      let previous = try JSONDecoder().decode(ComparisonResults.self, from: Data(contentsOf: resultsURL))
      guard previous.plan == plan else { throw ComparisonError.differentPlan(path: directory.path) }
      results.cells = try previous.cells.filter { cell in
        let current = try match(cell.model, for: cell.task.make(length: cell.length))
        return cell.error == nil && cell.configuration == current.configuration
      }
      results.latency = previous.latency
    }
    let done = Set(results.cells.map(\.key))
    for (index, key) in plan.cells.enumerated() where !done.contains(key) {
      log("[\(index + 1)/\(plan.cells.count)] \(key.task.rawValue) · \(key.model.name) · L = \(key.length)")
      results.cells.append(runCell(key))
      results.cells.sort { plan.cells.firstIndex(of: $0.key)! < plan.cells.firstIndex(of: $1.key)! }
      try save(results)
    }
    if isWriter, results.latency.isEmpty, !plan.latencyContexts.isEmpty {
      results.latency = try measureLatency()
      try save(results)
    }
    return results
  }

  /// Every cell's model must be sized to within ``ModelFamily/parameterTolerance`` of the
  /// budget (checked before any training, so an impossible budget is one clear error, not a
  /// column of failed cells).
  private func checkBudgets() throws {
    for key in plan.cells { _ = try match(key.model, for: key.task.make(length: key.length)) }
  }

  /// The model of family `model` shaped for `task` (``ModelFamily/shape(for:)``) and sized
  /// to the plan's budget.
  private func match(_ model: ModelFamily, for task: any SequenceTask) throws -> ParameterMatch {
    let shape = try ModelFamily.shape(for: task)
    return try model.matched(
      vocabulary: shape.vocabulary, parameterBudget: plan.parameterBudget, depth: plan.depth, length: task.length,
      inputChannels: shape.inputChannels)
  }

  private func save(_ results: ComparisonResults) throws {
    guard isWriter else { return }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeAtomically(String(decoding: try encoder.encode(results), as: UTF8.self), to: resultsURL)
  }

  /// One cell; errors are recorded in the cell, never thrown.
  private func runCell(_ key: ComparisonCell.Key) -> ComparisonCell {
    var cell = ComparisonCell(
      task: key.task, model: key.model, length: key.length, metric: key.task.metric, value: nil, parameters: 0,
      width: 0,
      trainSeconds: 0, steps: 0, tokensPerSecond: 0, peakMemoryBytes: nil, seed: plan.training.seed, losses: [],
      error: nil, gitRevision: environment.gitRevision, machine: environment.machine,
      processes: reducer.processCount)
    do {
      PeakMemory.reset()
      let task = try key.task.make(length: key.length)
      let sized = try match(key.model, for: task)
      cell.parameters = sized.parameters
      cell.parameterDeviation = sized.deviation
      cell.width = sized.size.width
      cell.configuration = sized.configuration
      let model = try sized.configuration.build(seed: plan.training.seed)
      let reportEvery = max(1, plan.training.steps / 5)
      let training = try train(model, on: task, settings: plan.training, reducer: reducer) { step, loss in
        if step % reportEvery == 0 { self.log(String(format: "    step %d  loss %.4f", step, loss)) }
      }
      cell.losses = training.losses
      cell.steps = training.losses.count
      cell.trainSeconds = training.seconds
      cell.tokensPerSecond = training.tokensPerSecond
      cell.value = try evaluate(
        model, on: task, examples: plan.evaluationExamples, seed: plan.training.seed &+ 1_000_003)
      if let lengths = plan.evaluationLengths {
        cell.otherLengths = try lengths.map { length in
          LengthScore(
            length: length,
            value: try evaluate(
              model, on: task, examples: plan.evaluationExamples, seed: plan.training.seed &+ 1_000_003,
              length: length))
        }
      }
      cell.peakMemoryBytes = PeakMemory.bytes()
      log(
        String(
          format: "    %@ %.4f  (%d parameters, %.1f s, %.0f tokens/s)", task.metric.shortName,
          cell.value!, cell.parameters,
          training.seconds, training.tokensPerSecond))
    } catch {
      cell.error = "\(error)"
      log("    failed: \(error)")
    }
    return cell
  }

  private static func isTokens(_ input: InputFormat) -> Bool {
    if case .tokens = input { return true }
    return false
  }

  /// Median per-token decoding time (batch 1, 32 tokens, 5 runs) after each latency context,
  /// for each model family sized like the cells of the first token task at the longest length.
  /// None for a plan of feature tasks only (latency is that of generating tokens).
  private func measureLatency() throws -> [LatencyMeasurement] {
    let longest = plan.lengths.max()!
    guard
      let name = try plan.tasks.first(where: {
        Self.isTokens(try $0.make(length: max(longest, $0.minimumLength)).input)
      })
    else {
      log("no generation latency: the plan has no token task (latency is that of generating tokens)")
      return []
    }
    let task = try name.make(length: plan.lengths.max()!)
    var measurements: [LatencyMeasurement] = []
    for family in plan.models {
      let model = try match(family, for: task).configuration.build(seed: plan.training.seed)
      for context in plan.latencyContexts.sorted() {
        log("latency \(family.name) after \(context) tokens")
        measurements.append(
          LatencyMeasurement(
            model: family, context: context, secondsPerToken: try Self.decodeTime(model, context: context)))
      }
    }
    return measurements
  }

  private static func decodeTime<Model: SequenceModel>(_ model: Model, context: Int) throws -> Double {
    var generator = SeededGenerator(seed: 5)
    let token = { (generator: inout SeededGenerator) in Int(generator.next() % UInt64(model.vocabulary)) }
    var times: [Double] = []
    for _ in 0..<5 {
      var state = try model.initialState(batchSize: 1)
      for start in stride(from: 0, to: context, by: 512) {
        _ = try model.prefill(
          [(start..<min(start + 512, context)).map { _ in token(&generator) }], state: &state)
      }
      let begin = DispatchTime.now().uptimeNanoseconds
      for _ in 0..<32 { _ = try model.step([token(&generator)], state: &state) }
      times.append(Double(DispatchTime.now().uptimeNanoseconds - begin) * 1e-9 / 32)
    }
    return times.sorted()[2]
  }
}
