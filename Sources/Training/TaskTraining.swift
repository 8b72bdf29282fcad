import Autodiff
import Foundation
import Models
import SeededRandom
import Tasks

/// How a model is optimised on a `SequenceTask`: AdamW with the two parameter groups,
/// linear warm-up then cosine decay to 10 %, clipping by global norm.
public struct TaskTrainingSettings: Codable, Sendable, Equatable {
  /// Optimisation steps (the run may stop earlier at ``timeBudget``).
  public var steps: Int
  /// Sequences per step.
  public var batch: Int
  /// Peak learning rate of the standard parameters.
  public var learningRate: Float
  /// Learning rate of the state space parameters (no weight decay).
  public var stateSpaceLearningRate: Float
  /// Weight decay of the standard parameters.
  public var weightDecay: Float
  /// Warm-up steps.
  public var warmupSteps: Int
  /// Maximum global gradient norm.
  public var gradientClip: Float
  /// Seed of the training batches (split `train`, batch index = step) and dropout.
  public var seed: UInt64
  /// Wall-clock seconds after which training stops, or `nil` for none.
  public var timeBudget: Double?

  /// Settings; ``validate()`` checks them.
  public init(
    steps: Int, batch: Int = 16, learningRate: Float = 3e-3, stateSpaceLearningRate: Float = 1e-3,
    weightDecay: Float = 0.01, warmupSteps: Int = 20, gradientClip: Float = 1, seed: UInt64 = 0,
    timeBudget: Double? = nil
  ) {
    self.steps = steps
    self.batch = batch
    self.learningRate = learningRate
    self.stateSpaceLearningRate = stateSpaceLearningRate
    self.weightDecay = weightDecay
    self.warmupSteps = warmupSteps
    self.gradientClip = gradientClip
    self.seed = seed
    self.timeBudget = timeBudget
  }

  /// Checks every field.
  public func validate() throws {
    guard steps >= 1, batch >= 1, warmupSteps >= 0 else {
      throw TrainingError.invalidState("steps and batch must be ≥ 1, warm-up ≥ 0")
    }
    try validateOptimizerSettings(
      learningRate: learningRate, stateSpaceLearningRate: stateSpaceLearningRate, gradientClip: gradientClip,
      weightDecay: weightDecay)
    if let timeBudget, !(timeBudget > 0) {
      throw TrainingError.invalidState("the time budget must be positive, got \(timeBudget)")
    }
  }
}

/// What a training run on a task did.
public struct TaskTrainingLog: Sendable, Equatable {
  /// The batch loss of every step taken.
  public var losses: [Float]
  /// Wall-clock seconds of the steps.
  public var seconds: Double
  /// Training tokens processed per second.
  public var tokensPerSecond: Double
}

/// The model vocabulary a token task needs: its input tokens and its output classes share
/// one embedding and read-out (`max(V_in, classes)`).
/// - Throws: for tasks with real-valued inputs or outputs.
public func tokenVocabulary(of task: any SequenceTask) throws -> Int {
  guard case .tokens(let vocabulary) = task.input, case .classes(let classes) = task.output else {
    throw TrainingError.invalidState(
      "\(task.name.rawValue) has real-valued inputs or outputs; token models need a token task")
  }
  return max(vocabulary, classes)
}

/// The input and output channels a feature model needs for a task with real-valued inputs and
/// outputs (adding: 2 → 1, delay: 1 → 1, reconstruct: 1 → window): a model with
/// `inputChannels = inputs` and `vocabulary = outputs` (see `Models/SequenceModel`).
/// - Throws: ``TrainingError/invalidState(_:)`` for tasks with token inputs or class outputs.
public func featureChannels(of task: any SequenceTask) throws -> (inputs: Int, outputs: Int) {
  guard case .features(let inputs) = task.input, case .values(let outputs) = task.output else {
    throw TrainingError.invalidState(
      "\(task.name.rawValue) has token inputs or class outputs; feature models need real-valued inputs and outputs")
  }
  return (inputs, outputs)
}

/// Checks that a model reading `inputChannels` features (`nil`: tokens) into `vocabulary` outputs
/// reads and writes what `task` needs: tokens with a vocabulary of at least (`exactVocabulary`:
/// exactly) ``tokenVocabulary(of:)``, or features with ``featureChannels(of:)`` exactly.
func checkModelShape(inputChannels: Int?, vocabulary: Int, fits task: any SequenceTask, exactVocabulary: Bool = false)
  throws
{
  if case .features = task.input {
    let (inputs, outputs) = try featureChannels(of: task)
    guard inputChannels == inputs, vocabulary == outputs else {
      throw TrainingError.invalidState(
        "\(task.name.rawValue) needs a model with \(inputs) input channels and \(outputs) outputs; this one has "
          + "\(inputChannels.map { "\($0) input channels" } ?? "token inputs") and \(vocabulary) outputs")
    }
  } else {
    let needed = try tokenVocabulary(of: task)
    guard inputChannels == nil, exactVocabulary ? vocabulary == needed : vocabulary >= needed else {
      throw TrainingError.invalidState(
        "\(task.name.rawValue) needs a token model of vocabulary \(exactVocabulary ? "" : "≥ ")\(needed); this one has "
          + "\(inputChannels.map { "\($0) input channels" } ?? "vocabulary \(vocabulary)")")
    }
  }
}

/// Trains `model` on the `train` split of a task with AdamW, through the step loop ``TrainingRun``
/// shares: step `s` reads batch `s` of `task.batch(_:split:index:seed:)` at the settings' seed and
/// draws its dropout masks from a generator seeded with `seed + 2`, so a run is a pure function of
/// the settings.
///
/// Token tasks (a token model, vocabulary ≥ ``tokenVocabulary(of:)``) minimise the mean
/// cross-entropy over the scored positions; feature tasks (a feature model with
/// ``featureChannels(of:)``) the mean squared error over the scored positions only
/// (``scoredMeanSquaredError(_:batch:on:)``). See ``taskLoss(_:batch:on:training:generator:)``.
///
/// As process `reducer.rank` of a data-parallel run (`reducer.processCount` = `K > 1`), the
/// process trains on its ``DataParallelShard`` of every batch and the gradients are summed over the
/// processes (as in ``TrainingRun``), so every process ends with the parameters of the
/// single-process run up to float32 summation-order rounding. A time budget then ends the run
/// at the first step at which any process's clock has passed it (one summed flag per step), so
/// all processes take the same steps.
///
/// - Parameters:
///   - model: the model; its parameters are updated in place.
///   - task: a token or feature task the model fits.
///   - settings: the optimisation settings (validated first).
///   - reducer: sums gradients over the processes (default: this process alone).
///   - progress: called after every step with the step (1-based) and its loss (the global
///     batch's loss in a data-parallel run).
/// - Throws: ``TrainingError/invalidState(_:)`` for a model that does not fit the task or a
///   batch that `K` does not divide, ``TrainingError/nonFiniteLoss(step:detail:)`` for a NaN or
///   infinite loss or gradient; the reducer's communication errors.
public func train(
  _ model: any SequenceModel, on task: any SequenceTask, settings: TaskTrainingSettings,
  reducer: any GradientReducer = SingleProcessReducer(), progress: (Int, Float) -> Void = { _, _ in }
) throws -> TaskTrainingLog {
  try settings.validate()
  try checkModelShape(inputChannels: model.inputChannels, vocabulary: model.vocabulary, fits: task)
  _ = try DataParallelShard.rows(batch: settings.batch, rank: reducer.rank, processCount: reducer.processCount)
  var loop = TrainingLoop(
    model: model, task: task,
    optimizer: AdamW(
      groups: ParameterGroups(
        learningRate: settings.learningRate, weightDecay: settings.weightDecay,
        stateSpaceLearningRate: settings.stateSpaceLearningRate)),
    batchSize: settings.batch, steps: settings.steps, warmupSteps: settings.warmupSteps,
    gradientClip: settings.gradientClip, dataSeed: settings.seed, dropoutSeed: settings.seed &+ 2,
    reducer: reducer)
  var losses: [Float] = []
  let started = Date()
  while loop.step < settings.steps {
    if try timeBudgetSpent(settings.timeBudget, since: started, reducer: reducer) { break }
    let loss = try loop.advance()
    losses.append(loss)
    progress(loop.step, loss)
  }
  let seconds = Date().timeIntervalSince(started)
  return TaskTrainingLog(
    losses: losses, seconds: seconds,
    tokensPerSecond: Double(losses.count * settings.batch * task.length) / max(seconds, 1e-9))
}

/// Whether a run started at `started` has spent `budget` seconds (never, without a budget): on
/// any process of the run, so that all processes agree (`Σ_r [elapsed_r ≥ budget] > 0`; one
/// process's own clock in a single-process run).
private func timeBudgetSpent(_ budget: Double?, since started: Date, reducer: any GradientReducer) throws -> Bool {
  guard let budget else { return false }
  var spent: [Float] = [Date().timeIntervalSince(started) >= budget ? 1 : 0]
  try reducer.sum(&spent)
  return spent[0] > 0
}

/// The task's metric (`task.metric`) for `model` on `examples` instances of `split` (default
/// `test`; never seen in training: the splits are disjoint by construction), at `length`
/// (default: the task's), in parallel mode without dropout:
/// - `TaskMetric/accuracy` (token tasks): the fraction of scored positions whose
///   arg-max logit is the target (higher is better);
/// - `TaskMetric/meanSquaredError` (feature tasks): the mean over every scored position
///   and output channel of all the instances of `(ŷ − y)²`, pooled with
///   `TaskBatch/meanSquaredError(predictions:layout:)` (lower is better);
/// - `TaskMetric/bitsPerByte` (`TextTask`): ``bitsPerByte(of:on:split:windows:length:batch:)``
///   over the first `examples` consecutive windows of `split` (deterministic: `seed` is
///   unused; lower is better).
/// - Throws: ``TrainingError/invalidState(_:)`` for a model that does not fit the task.
public func evaluate(
  _ model: any SequenceModel, on task: any SequenceTask, examples: Int, seed: UInt64, split: Split = .test,
  length: Int? = nil, batch: Int = 16
) throws -> Double {
  guard examples >= 1, batch >= 1 else { throw TrainingError.invalidState("evaluation needs examples and batch ≥ 1") }
  if let text = task as? TextTask {
    return try bitsPerByte(of: model, on: text, split: split, windows: examples, length: length, batch: batch).value
  }
  try checkModelShape(inputChannels: model.inputChannels, vocabulary: model.vocabulary, fits: task)
  var accuracy = Accuracy(correct: 0, total: 0)
  var squaredError = SquaredError(sum: 0, count: 0)
  var index = 0
  var remaining = examples
  var unused = SeededGenerator(seed: 0)
  while remaining > 0 {
    let size = min(batch, remaining)
    let instances = try task.batch(size, split: split, index: index, seed: seed, length: length ?? task.length)
    let tape = Tape(recordsGradients: false)
    switch instances.inputs {
    case .tokens(let tokens):
      let logits = tape.value(try model.logits(tokens, on: tape, training: false, generator: &unused))
      accuracy = accuracy + (try instances.accuracy(logits: logits.values, classes: model.vocabulary))
    case .features:
      let outputs = try model.outputs(
        features: featureTensor(of: instances), on: tape, training: false, generator: &unused)
      squaredError =
        squaredError
        + (try instances.meanSquaredError(predictions: tape.value(outputs).values, layout: .everyPosition))
    }
    remaining -= size
    index += 1
  }
  return task.metric == .meanSquaredError ? squaredError.mean : accuracy.value
}
