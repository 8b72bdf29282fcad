import ArgumentParser
import Checkpoint
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
    abstract:
      "Fine-tune a checkpoint on a verifiable task with GRPO or PPO (or sft); checkpoints atomically and resumes exactly.",
    discussion:
      "Each step samples --group-size completions of --prompts training prompts, rewards exact matches of the "
      + "answer and updates the policy (sft instead minimises the answers' negative log-likelihood given the "
      + "prompt, teacher forcing): GRPO with group-relative advantages; PPO with a critic (a copy of the "
      + "checkpoint's trunk with a value head, or the policy's own trunk with --critic shared), per-token KL "
      + "penalties, GAE(--gamma, --lambda), whitened advantages, normalised and clipped rewards, a clipped value "
      + "loss and --epochs passes of --minibatches updates. Writes OUT/metrics.jsonl (one line per step), "
      + "OUT/checkpoint.safetensors (every --checkpoint-every steps and at the end; with PPO the critic and its "
      + "optimiser too), held-out exact match on the test split every --evaluate-every steps and at the end, and "
      + "OUT/reward-kl.svg at the end. --resume continues from the checkpoint and ends with the same parameters as "
      + "an uninterrupted run. GRPO under mpirun -np K (K dividing --prompts): each process samples and scores its "
      + "share of the prompts and the gradients are summed: the same completions and, up to float32 rounding, the "
      + "same parameters as one process; PPO runs in one process.")

  /// The RL algorithm.
  enum Algorithm: String, CaseIterable, ExpressibleByArgument {
    /// Supervised fine-tuning on the answers (teacher forcing): the stage before RL.
    case sft
    case grpo, ppo
  }

  /// The verifiable task.
  enum VerifiableTaskName: String, CaseIterable, ExpressibleByArgument {
    case addition
  }

  @Option(help: "grpo, ppo, or sft (supervised fine-tuning on the train split's answers, the stage before RL).")
  var algorithm: Algorithm
  @Option(help: "The supervised checkpoint.safetensors (written by ssm train) to fine-tune.") var checkpoint: String
  @Option(help: "The verifiable task: addition (tokens 0–9, + and =; the model needs ≥ 12 tokens).")
  var task: VerifiableTaskName
  @Option(help: "addition: digits of each operand.") var digits = 2
  @Option(help: "Optimisation steps.") var steps: Int
  @Option(help: "Prompts per step.") var prompts = 4
  @Option(help: "Completions sampled per prompt (GRPO: the group, ≥ 2; PPO: ≥ 1).") var groupSize = 8
  @Option(
    help: ArgumentHelp(
      "KL coefficient β ≥ 0 to the frozen checkpoint (GRPO: k3 in the loss, default 0; PPO: in the reward, default 0.05).",
      valueName: "β"))
  var klBeta: Double?
  @Option(help: "Clip ε of the ratio, in [0, 1).") var clip = 0.2
  @Option(help: "GRPO: loss aggregation grpo, bnpo, dr_grpo or dapo (default dapo).") var lossType: LossAggregation?
  @Option(help: "Passes μ over each generation batch (default GRPO 1, PPO 4).") var epochs: Int?
  @Option(help: "PPO: minibatches (updates) per pass (default 1).") var minibatches: Int?
  @Option(help: "PPO: discount γ in [0, 1] (default 1).") var gamma: Double?
  @Option(help: "PPO: GAE λ in [0, 1] (default 0.95).") var lambda: Double?
  @Option(help: "PPO: value clip ε_V ≥ 0 (default 0.2).") var valueClip: Double?
  @Option(help: "PPO: value loss coefficient c_V ≥ 0 (default 0.1).") var valueCoefficient: Double?
  @Option(help: "PPO: normalise rewards by their running statistics and clip to ±C; 0 keeps raw rewards (default 5).")
  var rewardClip: Double?
  @Option(help: "PPO-ptx: coefficient c_ptx ≥ 0 of the supervised loss on the step's problems (default 0).")
  var ptxCoefficient: Double?
  @Option(
    help: "PPO: the critic's trunk, separate (a copy of the checkpoint) or shared (the policy's; default separate).")
  var critic: CriticTrunk?
  @Option(help: "AdamW learning rate (state space parameters too).") var learningRate: Float = 1e-4
  @Option(help: "PPO: the critic's AdamW learning rate (default --learning-rate).") var criticLearningRate: Float?
  @Option(help: "Seed of prompts and sampling.") var seed: UInt64 = 0
  @Option(help: "Steps between checkpoints.") var checkpointEvery = 10
  @Option(help: "Steps between held-out evaluations (0: only at the end).") var evaluateEvery = 0
  @Option(help: "Held-out test-split problems per evaluation.") var evaluationExamples = 64
  @Option(help: "The run directory.") var out: String
  @Flag(help: "Continue the run in --out from its last checkpoint.") var resume = false

  func validate() throws {
    let ppoOptions: [(String, Bool)] = [
      ("--minibatches", minibatches != nil), ("--gamma", gamma != nil), ("--lambda", lambda != nil),
      ("--value-clip", valueClip != nil), ("--value-coefficient", valueCoefficient != nil),
      ("--reward-clip", rewardClip != nil), ("--ptx-coefficient", ptxCoefficient != nil), ("--critic", critic != nil),
      ("--critic-learning-rate", criticLearningRate != nil),
    ]
    if algorithm != .ppo, let name = ppoOptions.first(where: \.1)?.0 {
      throw ValidationError("\(name) applies to --algorithm ppo only")
    }
    if algorithm != .grpo, lossType != nil { throw ValidationError("--loss-type applies to --algorithm grpo only") }
    if algorithm == .sft, let name = [("--kl-beta", klBeta != nil), ("--epochs", epochs != nil)].first(where: \.1)?.0 {
      throw ValidationError("\(name) applies to --algorithm grpo and ppo only")
    }
    let smallestGroup = algorithm == .grpo ? 2 : 1
    guard groupSize >= smallestGroup else {
      throw ValidationError(
        "--group-size must be at least \(smallestGroup) for \(algorithm.rawValue), got \(groupSize)")
    }
    try requireNonNegative(klBeta, "--kl-beta")
    guard clip.isFinite, clip >= 0, clip < 1 else { throw ValidationError("--clip must lie in [0, 1), got \(clip)") }
    guard (epochs ?? 1) >= 1 else { throw ValidationError("--epochs must be at least 1") }
    guard (minibatches ?? 1) >= 1, (minibatches ?? 1) <= prompts * groupSize else {
      throw ValidationError("--minibatches must lie in 1…\(prompts * groupSize) (the completions per step)")
    }
    for (name, value) in [("--gamma", gamma), ("--lambda", lambda)] {
      if let value, !(0...1).contains(value) { throw ValidationError("\(name) must lie in [0, 1], got \(value)") }
    }
    try requireNonNegative(valueClip, "--value-clip")
    try requireNonNegative(valueCoefficient, "--value-coefficient")
    try requireNonNegative(rewardClip, "--reward-clip")
    try requireNonNegative(ptxCoefficient, "--ptx-coefficient")
    guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
    guard prompts >= 1 else { throw ValidationError("--prompts must be at least 1") }
    guard checkpointEvery >= 1 else { throw ValidationError("--checkpoint-every must be at least 1") }
    guard evaluateEvery >= 0 else { throw ValidationError("--evaluate-every must be ≥ 0") }
    guard evaluationExamples >= 1 else { throw ValidationError("--evaluation-examples must be at least 1") }
    for (name, rate) in [("--learning-rate", learningRate), ("--critic-learning-rate", criticLearningRate ?? 1)] {
      guard rate.isFinite, rate > 0 else { throw ValidationError("\(name) must be > 0") }
    }
  }

  /// Throws a `ValidationError` naming `option` unless `value` is absent or finite and ≥ 0.
  private func requireNonNegative(_ value: Double?, _ option: String) throws {
    if let value, !(value.isFinite && value >= 0) { throw ValidationError("\(option) must be ≥ 0, got \(value)") }
  }

  func run() throws {
    let additionTask = try AdditionTask(digits: digits)
    let (model, _) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
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

  /// Runs (or resumes) the fine-tuning of `model` in ``out``, alone or as process `reducer.rank`
  /// of a data-parallel GRPO run (process 0 writes the metrics, checkpoints and chart).
  func fineTune<Model: SequenceModel, Task: VerifiableTask>(
    _ model: Model, on verifiableTask: Task, reducer: any GradientReducer
  ) throws {
    // The reference policy is the supervised checkpoint: the trainer snapshots it before a resume loads later parameters.
    let trainer = try makeTrainer(model, on: verifiableTask, reducer: reducer)
    // The checkpoints keep the supervised checkpoint's run configuration: ssm eval, generate and rl read them.
    let source = try SafeTensors.read(from: URL(fileURLWithPath: checkpoint))
    let run = try RLRunDirectory(URL(fileURLWithPath: out), metadata: source.metadata)
    let isWriter = reducer.rank == 0
    var step = 0
    if resume {
      step = try run.restore(trainer)
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
      var record = try trainer.step(problems: problems, seed: seed &+ 1_000_003 &* UInt64(step + 1))
      step += 1
      record.step = step
      if (evaluateEvery > 0 && step % evaluateEvery == 0) || step == steps {
        record.heldOutExactMatch = try heldOutExactMatch(model, on: verifiableTask, reducer: reducer)
      }
      guard isWriter else { continue }
      try run.appendMetrics(record)
      progress.report(step: step, rewardMean: record.rewardMean, evaluation: record.heldOutExactMatch)
      if step % checkpointEvery == 0 || step == steps { try run.saveCheckpoint(trainer, step: step) }
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
extension CriticTrunk: ExpressibleByArgument {}
