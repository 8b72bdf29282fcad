import Checkpoint
import Foundation
import Reinforcement
import Reports
import Training

/// The run directory of `ssm rl`: `checkpoint.safetensors` (the policy's parameters `param.NAME`
/// and optimiser state `optimizer.*`; with PPO the critic's under `critic.` and the reward
/// statistics; `rl.step`), `metrics.jsonl` and `reward-kl.svg`, each file replaced atomically.
struct RLRunDirectory {
  let directory: URL
  /// The checkpoint's metadata: the supervised checkpoint's (its run configuration), so that an
  /// `ssm rl` checkpoint opens wherever a training checkpoint does.
  let metadata: [String: String]

  /// The directory, created if missing.
  init(_ directory: URL, metadata: [String: String]) throws {
    self.directory = directory
    self.metadata = metadata
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  var checkpointURL: URL { directory.appendingPathComponent("checkpoint.safetensors") }
  var metricsURL: URL { directory.appendingPathComponent("metrics.jsonl") }
  var chartURL: URL { directory.appendingPathComponent("reward-kl.svg") }

  /// Writes the trainer's parameters, optimiser states and other state, and the step, atomically.
  func saveCheckpoint(_ trainer: any RLAlgorithmTrainer, step: Int) throws {
    var tensors = try trainer.extraState()
    for group in trainer.checkpointGroups {
      for parameter in group.parameters {
        tensors["\(group.prefix)param.\(parameter.name)"] = try StoredTensor(
          floats: parameter.value.values, shape: parameter.value.shape)
      }
      for (name, tensor) in try group.optimizer.state(for: group.parameters).storedTensors() {
        tensors[group.prefix + name] = tensor
      }
    }
    tensors["rl.step"] = try StoredTensor(int64s: [Int64(step)], shape: [1])
    try SafeTensors(tensors: tensors, metadata: metadata).write(to: checkpointURL)
  }

  /// Loads the checkpoint into the trainer (parameters, optimiser states, other state); returns its step.
  /// - Throws: ``InputError/unreadableFile(path:reason:)`` without a checkpoint, `TrainingError` for a
  ///   mis-shaped one or one of another algorithm.
  func restore(_ trainer: any RLAlgorithmTrainer) throws -> Int {
    guard FileManager.default.fileExists(atPath: checkpointURL.path) else {
      throw InputError.unreadableFile(path: checkpointURL.path, reason: "--resume needs a checkpoint of ssm rl")
    }
    let checkpoint = try SafeTensors.read(from: checkpointURL)
    guard let stored = checkpoint.tensors["rl.step"], let step = try stored.int64s().first, step >= 0 else {
      throw InputError.unreadableFile(path: checkpointURL.path, reason: "not a checkpoint of ssm rl (no rl.step)")
    }
    for group in trainer.checkpointGroups {
      // The group's entries with its prefix removed: a checkpoint of their own.
      var part = SafeTensors()
      for (name, tensor) in checkpoint.tensors where name.hasPrefix(group.prefix) {
        part.tensors[String(name.dropFirst(group.prefix.count))] = tensor
      }
      try TrainingRun.loadParameters(group.parameters, from: part)
      try group.optimizer.restore(try OptimizerState(checkpoint: part), for: group.parameters)
    }
    try trainer.restoreExtraState(from: checkpoint)
    return Int(step)
  }

  /// Starts an empty `metrics.jsonl`.
  func startMetrics() throws { try writeAtomically("", to: metricsURL) }

  /// Keeps the records of steps `1 … step` (a killed run may have logged steps past its checkpoint).
  func truncateMetrics(after step: Int) throws {
    let kept = try records().filter { $0.step <= step }
    try writeAtomically(try kept.map(Self.line).joined(), to: metricsURL)
  }

  /// Appends one record.
  func appendMetrics(_ record: RLStepRecord) throws {
    let handle = try FileHandle(forWritingTo: metricsURL)
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(try Self.line(record).utf8))
  }

  /// The records in `metrics.jsonl`.
  func records() throws -> [RLStepRecord] {
    guard let text = try? String(contentsOf: metricsURL, encoding: .utf8) else { return [] }
    return try text.split(separator: "\n").map { try JSONDecoder().decode(RLStepRecord.self, from: Data($0.utf8)) }
  }

  /// Writes `reward-kl.svg`: mean reward, mean k3 KL and held-out exact match against the step.
  func writeChart() throws {
    let records = try records()
    var chart = LineChart(
      title: "RL fine-tuning", xAxis: .init(label: "step"), yAxis: .init(label: "value"))
    let steps = records.map { Double($0.step) }
    chart.series.append(.init(name: "reward mean", x: steps, y: records.map(\.rewardMean), mark: .line))
    chart.series.append(.init(name: "KL (k3)", x: steps, y: records.map(\.kl), mark: .line))
    let evaluated = records.compactMap { record in record.heldOutExactMatch.map { (x: Double(record.step), y: $0) } }
    chart.series.append(.init(name: "held-out exact match", points: evaluated))
    try writeAtomically(try chart.svg(), to: chartURL)
  }

  private static func line(_ record: RLStepRecord) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
  }
}

/// A progress line on standard error: a bar on a terminal, a plain line every 5 % otherwise.
struct ProgressLine {
  let totalSteps: Int
  let terminal = isatty(STDERR_FILENO) != 0

  func report(step: Int, rewardMean: Double, evaluation: Double?) {
    var line = String(format: "step %d/%d  reward %.3f", step, totalSteps, rewardMean)
    if let evaluation { line += String(format: "  held-out exact match %.3f", evaluation) }
    if terminal {
      let width = 24
      let filled = width * step / totalSteps
      let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
      FileHandle.standardError.write(Data("\r[\(bar)] \(line)\u{1B}[K".utf8))
      if step == totalSteps { FileHandle.standardError.write(Data("\n".utf8)) }
    } else if step % max(1, totalSteps / 20) == 0 || step == totalSteps || evaluation != nil {
      FileHandle.standardError.write(Data("\(line)\n".utf8))
    }
  }
}
