import Autodiff
import Checkpoint
import Foundation
import Models
import SeededRandom
import Tasks

/// One step's report for progress display and metrics.
public struct StepReport: Sendable {
  /// Steps completed (1-based).
  public let step: Int
  /// Of the run.
  public let totalSteps: Int
  /// The batch loss of this step.
  public let loss: Float
  /// Sequences per second over the steps run in this process.
  public let sequencesPerSecond: Double
  /// Estimated seconds to the end.
  public let secondsRemaining: Double
  /// The task's metric on its validation split (instances no training batch contains), on
  /// evaluation steps (see ``RunConfiguration/evaluate(_:examples:seed:split:)``).
  public let evaluation: Double?
  /// What ``evaluation`` measures: accuracy (token tasks) or mean squared error (real-valued tasks).
  public let metric: TaskMetric
}

/// A training run of a model of any family (`ModelConfiguration`) on a task of the suite with the
/// configuration's optimiser (``OptimizerConfiguration``: AdamW or SGD), resumable.
///
/// State lives in `directory`: `checkpoint.safetensors` (parameters `param.NAME`, the
/// optimiser's state ``OptimizerState`` as `optimizer.step`, an integer, and `optimizer.NAME`,
/// the dropout generator's state, the step, and the
/// configuration as metadata), written atomically every ``RunConfiguration/checkpointEvery``
/// steps and at the end, and `metrics.jsonl` (one JSON object per step). A resumed run
/// replays exactly what the uninterrupted run would have done: same batches, dropout
/// masks and updates. Step `s` trains on ``RunConfiguration/trainingBatch(step:of:)``, batch `s` of
/// the task's `train` split, a pure function of the step; evaluations during
/// training read the `validation` split, and `ssm eval` the `test` split, so no scored instance
/// was ever trained on.
///
/// A Medusa-1 run (``RunConfiguration/medusa``) loads its backbone from
/// ``RunConfiguration/initializedFrom``, adds ``MedusaHeads`` whose projections copy the backbone's
/// output layer, and trains only the heads (``MedusaObjective``; the optimiser's state covers
/// the heads alone). The checkpoint stores the backbone's parameters unchanged beside the heads'
/// `param.medusa.K.*`, so it still opens as a plain model (``model(fromCheckpoint:)``), and
/// ``medusaHeads(fromCheckpoint:on:)`` reads the heads. A Medusa-2 run (stage 2) trains backbone and
/// heads together (``MedusaConfiguration``), its heads continuing those of a Medusa-1 checkpoint
/// it starts from.
///
/// A data-parallel run (a `reducer` of `K > 1` processes, each holding a ``TrainingRun`` on the
/// same configuration and directory) trains every process on its ``DataParallelShard`` of each
/// batch and sums the gradients before the common update, so it takes the steps of the
/// single-process run up to float32 rounding; process 0 alone evaluates, reports, and writes the
/// metrics and checkpoints.
public final class TrainingRun {
  /// The run's configuration (also stored in every checkpoint).
  public let configuration: RunConfiguration
  /// The model being trained (its parameters are updated in place), built by
  /// ``RunConfiguration/makeModel()``: an `S4Model`, `TransformerModel` or `GRUModel`.
  /// Cast it (`run.model as? TransformerModel`) for family-specific members.
  public let model: any SequenceModel
  /// The run directory (checkpoint and metrics).
  public let directory: URL
  /// The Medusa heads a Medusa-1 run (``RunConfiguration/medusa``) trains on the frozen ``model``,
  /// saved as `param.medusa.K.*` beside the backbone's parameters; `nil` otherwise.
  public let medusaHeads: MedusaHeads?
  /// Every parameter the checkpoint holds: the model's, then the Medusa heads'.
  private var storedParameters: [Parameter] { model.parameters + (medusaHeads?.parameters ?? []) }
  /// The step loop (optimiser, schedule, batches, dropout), shared with ``train(_:on:settings:progress:)``.
  private var loop: TrainingLoop
  /// Steps completed.
  public var step: Int { loop.step }
  /// The optimiser, of the configuration's ``RunConfiguration/optimizer`` kind.
  public var optimizer: any Optimizer { loop.optimizer }

  /// The checkpoint file of a run directory.
  public static func checkpointURL(in directory: URL) -> URL {
    directory.appendingPathComponent("checkpoint.safetensors")
  }

  /// A new run (`resume == false`, the directory must not hold a checkpoint; its parameters from
  /// ``RunConfiguration/initializedFrom`` when set) or the continuation of the one in `directory` (its configuration must equal `configuration`
  /// when one is given, up to the kernel horizon filled in by
  /// ``RunConfiguration/resolvedModel``).
  ///
  /// `reducer` sums gradients over the processes of a data-parallel run (default: this process
  /// alone); its process count must divide the batch.
  public init(
    directory: URL, configuration: RunConfiguration?, resume: Bool,
    reducer: any GradientReducer = SingleProcessReducer()
  ) throws {
    let checkpointURL = Self.checkpointURL(in: directory)
    let exists = FileManager.default.fileExists(atPath: checkpointURL.path)
    var stored: SafeTensors?
    let requested = configuration
    let resolved: RunConfiguration
    if resume {
      guard exists else { throw TrainingError.invalidState("no checkpoint to resume in \(directory.path)") }
      let checkpoint = try SafeTensors.read(from: checkpointURL)
      let saved = try Self.configuration(of: checkpoint)
      if let requested, requested.normalized != saved.normalized {
        throw TrainingError.invalidState("the checkpoint in \(directory.path) was made with another configuration")
      }
      resolved = saved
      stored = checkpoint
    } else {
      guard let given = requested else { throw TrainingError.invalidState("a new run needs a configuration") }
      guard !exists else {
        throw TrainingError.invalidState("\(checkpointURL.path) exists: resume it or choose another directory")
      }
      resolved = given
    }
    try resolved.validate()
    _ = try DataParallelShard.rows(batch: resolved.batch, rank: reducer.rank, processCount: reducer.processCount)
    self.configuration = resolved
    self.directory = directory
    let model = try resolved.makeModel()
    if stored == nil, let source = resolved.initializedFrom {
      let checkpoint = try SafeTensors.read(from: URL(fileURLWithPath: source))
      try Self.loadParameters(model.parameters, from: checkpoint)
    }
    let objective = try resolved.medusa.map {
      try MedusaObjective(heads: TrainingRun.medusaHeads($0, on: model), decay: $0.decay, headsWeight: $0.headsWeight)
    }
    if stored == nil, let source = resolved.initializedFrom, let objective, resolved.medusa?.stage == 2 {
      try Self.continueHeads(objective.heads, from: URL(fileURLWithPath: source))
    }
    self.model = model
    medusaHeads = objective?.heads
    loop = TrainingLoop(
      model: model, task: try resolved.makeTask(),
      optimizer: resolved.optimizer.makeOptimizer(
        groups: ParameterGroups(
          learningRate: resolved.learningRate, weightDecay: resolved.weightDecay,
          stateSpaceLearningRate: resolved.stateSpaceLearningRate)),
      batchSize: resolved.batch, steps: resolved.steps, warmupSteps: resolved.warmupSteps,
      gradientClip: resolved.gradientClip, dataSeed: resolved.dataSeed, dropoutSeed: resolved.seed &+ 2,
      reducer: reducer, medusa: objective, medusaJoint: resolved.medusa?.stage == 2)
    if let stored { try restore(from: stored) }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  /// The configuration stored in a checkpoint's metadata.
  public static func configuration(of checkpoint: SafeTensors) throws -> RunConfiguration {
    guard let text = checkpoint.metadata["configuration"], let json = text.data(using: .utf8) else {
      throw TrainingError.invalidState("the checkpoint has no run configuration")
    }
    do {
      return try JSONDecoder().decode(RunConfiguration.self, from: json)
    } catch {
      throw TrainingError.invalidState("the checkpoint's run configuration is unreadable")
    }
  }

  /// The run configuration stored in the checkpoint file at `url`.
  public static func configuration(ofCheckpoint url: URL) throws -> RunConfiguration {
    try configuration(of: SafeTensors.read(from: url))
  }

  /// The model of a checkpoint file, of whatever family it was trained as, for evaluation and
  /// generation, with the run configuration stored in it.
  ///
  /// The model is built from ``RunConfiguration/resolvedModel`` (an S4 model with DPLR layers
  /// has the task length as its kernel horizon, also when an older checkpoint
  /// recorded none) and holds the checkpoint's parameters.
  /// - Throws: `CheckpointError` for an unreadable file, ``TrainingError/invalidState(_:)``
  ///   for a missing or invalid configuration or a missing, mis-shaped or non-finite
  ///   parameter.
  public static func model(fromCheckpoint url: URL) throws -> (any SequenceModel, RunConfiguration) {
    let checkpoint = try SafeTensors.read(from: url)
    let configuration = try configuration(of: checkpoint)
    try configuration.validate()
    let model = try configuration.makeModel()
    try loadParameters(model.parameters, from: checkpoint)
    return (model, configuration)
  }

  /// The Medusa heads stored in a checkpoint of a Medusa-1 run, on `model` (the checkpoint's model,
  /// ``model(fromCheckpoint:)``), or `nil` for a checkpoint without heads.
  /// - Throws: as ``model(fromCheckpoint:)``, and for missing or mis-shaped head parameters.
  public static func medusaHeads(fromCheckpoint url: URL, on model: any SequenceModel) throws -> MedusaHeads? {
    let checkpoint = try SafeTensors.read(from: url)
    guard let medusa = try configuration(of: checkpoint).medusa else { return nil }
    let heads = try medusaHeads(medusa, on: model)
    try loadParameters(heads.parameters, from: checkpoint)
    return heads
  }

  /// Loads into `heads` the trained heads of the checkpoint at `source` when it is a Medusa run's with as
  /// many heads (Medusa-2 continuing Medusa-1); leaves them as initialised otherwise.
  private static func continueHeads(_ heads: MedusaHeads, from source: URL) throws {
    let checkpoint = try SafeTensors.read(from: source)
    guard try configuration(of: checkpoint).medusa?.heads == heads.count else { return }
    try loadParameters(heads.parameters, from: checkpoint)
  }

  /// `medusa.heads` heads whose projections copy `model`'s output layer.
  /// - Throws: ``TrainingError/invalidState(_:)`` for a model that exposes no hidden states.
  private static func medusaHeads(_ medusa: MedusaConfiguration, on model: any SequenceModel) throws -> MedusaHeads {
    guard let layer = model.outputLayer else {
      throw TrainingError.invalidState("\(type(of: model)) exposes no output layer for Medusa heads")
    }
    return try MedusaHeads(count: medusa.heads, outputWeight: layer.weight, outputBias: layer.bias)
  }

  /// Whether this process writes the metrics and checkpoints and reports: process 0.
  public var isWriter: Bool { loop.reducer.rank == 0 }

  /// Runs the remaining steps (or up to step `until`), reporting each, and checkpoints
  /// along the way (process 0 of a data-parallel run; the others only train).
  /// - Throws: ``TrainingError/nonFiniteLoss(step:detail:)`` (nothing is saved for that step).
  public func run(until: Int? = nil, report: (StepReport) -> Void = { _ in }) throws {
    guard isWriter else {
      while step < min(until ?? configuration.steps, configuration.steps) { _ = try loop.advance() }
      return
    }
    let metricsURL = directory.appendingPathComponent("metrics.jsonl")
    try truncateMetrics(metricsURL, after: step)
    let metrics = try FileHandle(forWritingTo: metricsURL)
    defer { try? metrics.close() }
    try metrics.seekToEnd()
    let started = Date()
    let firstStep = step
    while step < min(until ?? configuration.steps, configuration.steps) {
      let lossValue = try loop.advance()
      let elapsed = Date().timeIntervalSince(started)
      let rate = Double(step - firstStep) / max(elapsed, 1e-9)
      var evaluation: Double?
      if let every = configuration.evaluateEvery, step % every == 0 || step == configuration.steps {
        evaluation = try configuration.evaluate(
          model, examples: 128, seed: configuration.seed &+ 1_000_003, split: .validation)
      }
      let evaluationKey = Self.evaluationKey(loop.task.metric)
      let evaluationField = evaluation.map { ",\"\(evaluationKey)\":\($0)" } ?? ""
      metrics.write(Data("{\"step\":\(step),\"loss\":\(lossValue)\(evaluationField)}\n".utf8))
      report(
        StepReport(
          step: step, totalSteps: configuration.steps, loss: lossValue,
          sequencesPerSecond: rate * Double(configuration.batch),
          secondsRemaining: Double(configuration.steps - step) / max(rate, 1e-9), evaluation: evaluation,
          metric: loop.task.metric))
      if step % configuration.checkpointEvery == 0 || step == configuration.steps { try saveCheckpoint() }
    }
  }

  /// The key of evaluations in `metrics.jsonl`: `evalAccuracy`, `evalMeanSquaredError`, `evalBitsPerByte`.
  static func evaluationKey(_ metric: TaskMetric) -> String {
    switch metric {
    case .accuracy: "evalAccuracy"
    case .meanSquaredError: "evalMeanSquaredError"
    case .bitsPerByte: "evalBitsPerByte"
    }
  }

  /// Writes the checkpoint atomically (temporary file, then rename).
  public func saveCheckpoint() throws {
    var tensors: [String: StoredTensor] = [:]
    for parameter in storedParameters {
      tensors["param.\(parameter.name)"] = try StoredTensor(
        floats: parameter.value.values, shape: parameter.value.shape)
    }
    tensors.merge(try loop.optimizer.state(for: loop.trainedParameters).storedTensors()) { $1 }
    tensors["rng.dropout"] = try StoredTensor(uint64s: Self.words(loop.dropout.state), shape: [4])
    tensors["training.step"] = try StoredTensor(int64s: [Int64(step)], shape: [1])
    // Sorted keys: the same run writes the same bytes (JSONEncoder's key order otherwise varies).
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let encoded = try encoder.encode(configuration)
    try SafeTensors(tensors: tensors, metadata: ["configuration": String(decoding: encoded, as: UTF8.self)])
      .write(to: Self.checkpointURL(in: directory))
  }

  private func restore(from checkpoint: SafeTensors) throws {
    try Self.loadParameters(storedParameters, from: checkpoint)
    try loop.optimizer.restore(try OptimizerState(checkpoint: checkpoint), for: loop.trainedParameters)
    loop.dropout = SeededGenerator(state: try Self.state(checkpoint, "rng.dropout"))
    guard let stepTensor = checkpoint.tensors["training.step"], let saved = try stepTensor.int64s().first, saved >= 0
    else { throw TrainingError.invalidState("the checkpoint has no step") }
    loop.step = Int(saved)
  }

  /// Sets each of `parameters` to the checkpoint's `param.NAME` tensor.
  /// - Throws: ``TrainingError/invalidState(_:)`` for a missing, mis-shaped or non-finite parameter.
  public static func loadParameters(_ parameters: [Parameter], from checkpoint: SafeTensors) throws {
    for parameter in parameters {
      guard let stored = checkpoint.tensors["param.\(parameter.name)"], stored.shape == parameter.value.shape else {
        throw TrainingError.invalidState("parameter \(parameter.name) missing or of the wrong shape in the checkpoint")
      }
      let values = try stored.floats()
      guard values.allSatisfy(\.isFinite) else {
        throw TrainingError.invalidState("parameter \(parameter.name) is not finite")
      }
      parameter.value = try Tensor(shape: stored.shape, values: values)
    }
  }

  private static func words(_ state: (UInt64, UInt64, UInt64, UInt64)) -> [UInt64] {
    [state.0, state.1, state.2, state.3]
  }

  private static func state(_ checkpoint: SafeTensors, _ name: String) throws -> (UInt64, UInt64, UInt64, UInt64) {
    guard let words = try checkpoint.tensors[name]?.uint64s(), words.count == 4, words.contains(where: { $0 != 0 })
    else {
      throw TrainingError.invalidState("generator state \(name) missing or invalid")
    }
    return (words[0], words[1], words[2], words[3])
  }

  /// Keeps only the metric lines of steps ≤ `step` (a resumed run rewrites the rest, so
  /// the file ends like an uninterrupted run's). Lines start with `{"step":N`.
  private func truncateMetrics(_ url: URL, after step: Int) throws {
    guard FileManager.default.fileExists(atPath: url.path) else {
      try Data().write(to: url, options: .atomic)
      return
    }
    let prefix = "{\"step\":"
    let kept = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { line in
      guard line.hasPrefix(prefix) else { return false }
      let digits = line.dropFirst(prefix.count).prefix { $0.isNumber }
      return (Int(digits) ?? Int.max) <= step
    }
    try Data(kept.map { $0 + "\n" }.joined().utf8).write(to: url, options: .atomic)
  }
}
