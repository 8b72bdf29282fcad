import ArgumentParser
import Foundation
import Generation
import MessagePassing
import Models
import Reinforcement
import Tasks
import Training

/// `ssm rl`: reinforcement-learning fine-tuning of a supervised checkpoint on a verifiable task.
struct RLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rl",
    abstract: "Fine-tune a checkpoint on a verifiable task with GRPO; checkpoints atomically and resumes exactly.",
    discussion:
      "Each step samples --group-size completions of --prompts training prompts, rewards exact matches of the "
      + "answer and makes one GRPO update. Writes OUT/metrics.jsonl (one line per step), OUT/checkpoint.safetensors "
      + "(every --checkpoint-every steps and at the end), held-out exact match on the test split every "
      + "--evaluate-every steps and at the end, and OUT/reward-kl.svg at the end. --resume continues from the "
      + "checkpoint and ends with the same parameters as an uninterrupted run. Under mpirun -np K (K dividing "
      + "--prompts) each process samples and scores its share of the prompts and the gradients are summed: the "
      + "same completions and, up to float32 rounding, the same parameters as one process.")

  /// The RL algorithm.
  enum Algorithm: String, CaseIterable, ExpressibleByArgument {
    case grpo, ppo
  }

  /// The verifiable task.
  enum VerifiableTaskName: String, CaseIterable, ExpressibleByArgument {
    case addition
  }

  @Option(help: "grpo or ppo (ppo is refused: its trainer is not built).") var algorithm: Algorithm
  @Option(help: "The supervised checkpoint.safetensors (written by ssm train) to fine-tune.") var checkpoint: String
  @Option(help: "The verifiable task: addition (tokens 0–9, + and =; the model needs ≥ 12 tokens).")
  var task: VerifiableTaskName
  @Option(help: "addition: digits of each operand.") var digits = 2
  @Option(help: "Optimisation steps.") var steps: Int
  @Option(help: "Prompts per step.") var prompts = 4
  @Option(help: "Completions G ≥ 2 sampled per prompt.") var groupSize = 8
  @Option(help: "KL coefficient β ≥ 0 to the frozen checkpoint (k3 estimator).") var klBeta = 0.0
  @Option(help: "Clip ε of the ratio, in [0, 1).") var clip = 0.2
  @Option(help: "Loss aggregation: grpo, bnpo, dr_grpo or dapo.") var lossType: LossAggregation = .dapo
  @Option(help: "AdamW learning rate (state space parameters too).") var learningRate: Float = 1e-4
  @Option(help: "Seed of prompts and sampling.") var seed: UInt64 = 0
  @Option(help: "Steps between checkpoints.") var checkpointEvery = 10
  @Option(help: "Steps between held-out evaluations (0: only at the end).") var evaluateEvery = 0
  @Option(help: "Held-out test-split problems per evaluation.") var evaluationExamples = 64
  @Option(help: "The run directory.") var out: String
  @Flag(help: "Continue the run in --out from its last checkpoint.") var resume = false

  func validate() throws {
    guard groupSize >= 2 else { throw ValidationError("--group-size must be at least 2, got \(groupSize)") }
    guard klBeta.isFinite, klBeta >= 0 else { throw ValidationError("--kl-beta must be ≥ 0, got \(klBeta)") }
    guard clip.isFinite, clip >= 0, clip < 1 else { throw ValidationError("--clip must lie in [0, 1), got \(clip)") }
    guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
    guard prompts >= 1 else { throw ValidationError("--prompts must be at least 1") }
    guard checkpointEvery >= 1 else { throw ValidationError("--checkpoint-every must be at least 1") }
    guard evaluateEvery >= 0 else { throw ValidationError("--evaluate-every must be ≥ 0") }
    guard evaluationExamples >= 1 else { throw ValidationError("--evaluation-examples must be at least 1") }
    guard learningRate.isFinite, learningRate > 0 else { throw ValidationError("--learning-rate must be > 0") }
  }

  func run() throws {
    guard algorithm == .grpo else {
      throw InputError.inapplicableOption("--algorithm ppo is not available: only grpo has a trainer")
    }
    let additionTask = try AdditionTask(digits: digits)
    let source = URL(fileURLWithPath: checkpoint)
    let (model, _) = try TrainingRun.model(fromCheckpoint: source)
    guard model.inputChannels == nil, model.vocabulary >= additionTask.vocabulary else {
      let reads = model.inputChannels.map { "\($0) real-valued channels" } ?? "\(model.vocabulary) tokens"
      throw InputError.inapplicableOption(
        "the checkpoint's model reads \(reads); the \(task.rawValue) task needs a token model with at least "
          + "\(additionTask.vocabulary) tokens")
    }
    guard let communicator = try MPICommunicator.joinIfLaunched() else {
      return try fineTune(model, on: additionTask, reducer: SingleProcessReducer())
    }
    try fineTune(model, on: additionTask, across: communicator)
  }

  /// Runs (or resumes) the GRPO fine-tuning of `model` in ``out``, alone or as process
  /// `reducer.rank` of a data-parallel run (process 0 writes the metrics, checkpoints and chart).
  func fineTune<Model: SequenceModel, Task: VerifiableTask>(
    _ model: Model, on verifiableTask: Task, reducer: any GradientReducer
  ) throws {
    let configuration = GRPOConfiguration(
      groupSize: groupSize, maxCompletionLength: verifiableTask.answerLength,
      surrogate: try ClippedSurrogate(epsilon: clip), beta: klBeta, lossAggregation: lossType)
    let optimizer = OptimizerConfiguration.adamW.makeOptimizer(
      groups: ParameterGroups(learningRate: learningRate, weightDecay: 0, stateSpaceLearningRate: learningRate))
    // The reference policy is the supervised checkpoint: the trainer snapshots it before a resume loads later parameters.
    let trainer = try GRPOTrainer(
      model: model, reward: ExactMatchReward(task: verifiableTask), optimizer: optimizer, configuration: configuration,
      reducer: reducer)
    let run = try RLRunDirectory(URL(fileURLWithPath: out))
    let isWriter = reducer.rank == 0
    var step = 0
    if resume {
      step = try run.restore(model.parameters, optimizer: optimizer)
    } else {
      if isWriter { try run.startMetrics() }
      let before = try heldOutExactMatch(model, on: verifiableTask, reducer: reducer)
      if isWriter {
        FileHandle.standardError.write(Data(String(format: "held-out exact match before: %.3f\n", before).utf8))
      }
    }
    guard step <= steps else { throw ValidationError("the checkpoint is at step \(step), beyond --steps \(steps)") }
    if isWriter { try run.truncateMetrics(after: step) }
    let progress = ProgressLine(totalSteps: steps)
    while step < steps {
      let problems = try verifiableTask.problems(prompts, split: .train, index: step, seed: seed)
      let metrics = try trainer.step(
        prompts: problems.map(\.prompt), seed: seed &+ 1_000_003 &* UInt64(step + 1))
      step += 1
      var evaluation: Double?
      if (evaluateEvery > 0 && step % evaluateEvery == 0) || step == steps {
        evaluation = try heldOutExactMatch(model, on: verifiableTask, reducer: reducer)
      }
      guard isWriter else { continue }
      try run.appendMetrics(RLStepRecord(step: step, metrics: metrics, heldOutExactMatch: evaluation))
      progress.report(step: step, rewardMean: metrics.rewardMean, evaluation: evaluation)
      if step % checkpointEvery == 0 || step == steps {
        try run.saveCheckpoint(model.parameters, optimizer: optimizer, step: step)
      }
    }
    guard isWriter else { return }
    try run.writeChart()
    print("fine-tuned \(step) steps; checkpoint \(run.checkpointURL.path)")
  }

  /// The fraction of ``evaluationExamples`` test-split problems whose greedy completion is the
  /// answer. Process `r` of `K` decodes problems `r, r + K, r + 2K, …` and the counts are summed
  /// (exactly: integers), so every process returns the single-process fraction.
  func heldOutExactMatch<Model: SequenceModel, Task: VerifiableTask>(
    _ model: Model, on verifiableTask: Task, reducer: any GradientReducer
  ) throws -> Double {
    let problems = try verifiableTask.problems(evaluationExamples, split: .test, index: 0, seed: seed &+ 7)
    let options = GenerationOptions(maxNewTokens: verifiableTask.answerLength)
    var correct = 0
    for index in stride(from: reducer.rank, to: problems.count, by: reducer.processCount) {
      let completion = try generate(model, prompt: problems[index].prompt, options: options)
      if completion.first?.tokens == problems[index].answer { correct += 1 }
    }
    let total = try reducer.sum([Double(correct)])[0]
    return total / Double(problems.count)
  }
}

extension LossAggregation: ExpressibleByArgument {}
