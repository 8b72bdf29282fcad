// # RL fine-tuning: GRPO and PPO on 2-digit addition, for an S4D and a transformer policy
//
// Runtime: about 3 minutes on 2 cores (release build; most of it is RL sampling and the supervised baseline).
// Run: `swift run -c release notebook-rl-fine-tuning [output-folder]`
// (default output folder: `notebook-output/rl-fine-tuning/`), or `make notebooks`.
//
// Reinforcement learning from a verifiable reward is how a decoder is tuned after supervised training. This
// notebook asks, at a scale that runs in minutes, whether the same RL code fine-tunes a state space model the way
// it fine-tunes a transformer: an S4D and a transformer policy are trained with teacher forcing on 2-digit
// addition until they are right about half of the time, and then, from that same checkpoint, with GRPO
// (group-relative advantages, no critic) and with PPO (a critic, GAE, per-token KL penalty, the PPO-max
// stabilisers), both sampling the same number of completions per step. Everything runs through the library:
// `Reinforcement`'s `SupervisedAnswerTrainer`, `GRPOTrainer` and `PPOTrainer` (what `ssm rl --algorithm
// sft|grpo|ppo` drives; `Scripts/rl-experiment.sh` is the longer command-line version, BENCHMARKS.md its result).

import Autodiff
import Foundation
import Generation
import Models
import NotebookSupport
import Platform
import Reinforcement
import Reports
import Training

BLASKernelSelection.upgradeIfGeneric()
let started = Date()

let output = NotebookPage.outputFolder(name: "rl-fine-tuning")
var page = try NotebookPage(folder: output)
let format = NumberFormat(significantDigits: 3)

// ## The task and the held-out score
//
// `AdditionTask(digits: 2)`: the prompt `a b + c d =` is six tokens (digits 0–9, `+` = 10, `=` = 11), the answer
// the three digits of the sum. A problem belongs to the split that owns the hash of its prompt, so the 256
// held-out test problems are prompts no training step ever draws. The reward of a completion is 1 when it is
// exactly the answer (`ExactMatchReward`), else 0. The held-out score is the exact match of the greedy answers
// to those 256 problems: one problem is 0.4 points, and the binomial standard error near 50 % is about 3 points.

let task = try AdditionTask(digits: 2)
let heldOut = try task.problems(256, split: .test, index: 0, seed: 7)
let reward = ExactMatchReward(task: task)

/// The fraction of the held-out problems whose greedy completion is the answer.
func heldOutExactMatch<Model: SequenceModel>(_ model: Model) throws -> Double {
  let options = GenerationOptions(maxNewTokens: task.answerLength)
  let correct = try heldOut.filter {
    try generate(model, prompt: $0.prompt, options: options).first?.tokens == $0.answer
  }
  return Double(correct.count) / Double(heldOut.count)
}

/// AdamW at `rate` for every parameter (state space parameters too), no weight decay.
func adamW(_ rate: Float) -> any Optimizer {
  OptimizerConfiguration.adamW.makeOptimizer(
    groups: ParameterGroups(learningRate: rate, weightDecay: 0, stateSpaceLearningRate: rate))
}

/// Puts `snapshot`'s values back into `model`'s parameters.
func restore<Model: SequenceModel>(_ model: Model, to snapshot: ParameterSnapshot) {
  for (parameter, value) in zip(model.parameters, snapshot.values) { parameter.value = value }
}

// ## The plan of one family
//
// 1. **Supervised stage.** 32 training problems per step, teacher-forced answers (the answers' mean negative
//    log-likelihood given the prompt), AdamW at 3e-3. Every `evaluateEvery` steps the held-out score is taken; the
//    stage stops at the first score of at least 45 % (the issue asks for an imperfect checkpoint at 40–70 %).
// 2. **GRPO** from that checkpoint: 8 training prompts per step, 8 completions each (temperature 1), group
//    advantages `(r − mean)/(std + 1e-4)`, the clipped ratio (ε = 0.2), token-level (`dapo`) aggregation, β = 0,
//    one update per batch, AdamW at 3e-4.
// 3. **PPO** from the same checkpoint with the same sampling budget (8 × 8 completions per step): a separate critic
//    (a copy of the checkpoint's trunk with a zero value head), per-token KL penalty β = 0.05 to the checkpoint,
//    GAE (γ = 1, λ = 0.95), whitened advantages, rewards normalised and clipped at 5, a clipped value loss
//    (ε_V = 0.2, c_V = 0.1), 4 epochs of 1 minibatch, AdamW at 3e-4 for policy and critic.
// 4. **Continuing the supervised stage instead**, from the same checkpoint and with its optimiser state, for as
//    long (training time, evaluations excluded) as GRPO and as PPO took: the baseline an RL gain should be read
//    against.
//
// Every RL run takes the held-out score every 20 steps; RL prompts come from the train split with another seed
// than the supervised stage's.

struct RLRun {
  let algorithm: String
  /// (RL step, held-out exact match), step 0 the checkpoint.
  var heldOut: [(step: Int, match: Double)] = []
  /// Per step: mean sampled reward, mean k3 KL to the checkpoint (PPO), mean sampling entropy.
  var rewards: [Double] = []
  var kl: [Double] = []
  var entropy: [Double] = []
  /// Training seconds, evaluations excluded.
  var seconds = 0.0

  var final: Double { heldOut.last!.match }
  var best: (step: Int, match: Double) { heldOut.max { $0.match < $1.match }! }
}

struct FamilyResult {
  let name: String
  let parameterCount: Int
  var supervisedCurve: [(step: Int, match: Double)] = []
  var supervisedSeconds = 0.0
  var runs: [RLRun] = []
  /// For each RL run, in order: the supervised steps continued from the checkpoint for its training time, and the
  /// held-out exact match they reached.
  var continued: [(steps: Int, match: Double)] = []

  var supervisedSteps: Int { supervisedCurve.last!.step }
  var before: Double { supervisedCurve.last!.match }
}

let rlSteps = 100
let evaluateRLEvery = 20
let promptsPerStep = 8
let samplesPerPrompt = 8

/// The whole plan for one family; `makeModel(seed)` builds a fresh policy of the family.
func study<Model: SequenceModel>(
  _ name: String, makeModel: (UInt64) throws -> Model, evaluateEvery: Int, maximumSupervisedSteps: Int
) throws -> FamilyResult {
  let model = try makeModel(0)
  var result = FamilyResult(name: name, parameterCount: model.parameterCount)

  // 1. Supervised stage.
  let supervised = SupervisedAnswerTrainer(model: model, optimizer: adamW(3e-3))
  let initial = try heldOutExactMatch(model)
  result.supervisedCurve.append((0, initial))
  var step = 0
  while step < maximumSupervisedSteps {
    let begin = Date()
    for _ in 0..<evaluateEvery {
      _ = try supervised.step(problems: try task.problems(32, split: .train, index: step, seed: 0))
      step += 1
    }
    result.supervisedSeconds += Date().timeIntervalSince(begin)
    let match = try heldOutExactMatch(model)
    result.supervisedCurve.append((step, match))
    if result.before >= 0.45 { break }
  }
  print("\(name): supervised \(step) steps, held-out \(result.before) (\(format.string(result.supervisedSeconds)) s)")
  let checkpoint = ParameterSnapshot(model.parameters)

  // 2.–3. GRPO and PPO from the checkpoint, with the same prompts and seeds.
  for algorithm in ["GRPO", "PPO"] {
    restore(model, to: checkpoint)
    var run = RLRun(algorithm: algorithm)
    run.heldOut.append((0, result.before))
    let rlStep: ([[Int]], UInt64) throws -> (reward: Double, kl: Double, entropy: Double)
    if algorithm == "GRPO" {
      let trainer = try GRPOTrainer(
        model: model, reward: reward, optimizer: adamW(3e-4),
        configuration: GRPOConfiguration(groupSize: samplesPerPrompt, maxCompletionLength: task.answerLength))
      rlStep = { prompts, seed in
        let metrics = try trainer.step(prompts: prompts, seed: seed)
        return (metrics.rewardMean, metrics.meanKL.last ?? 0, metrics.meanEntropy)
      }
    } else {
      let trainer = try PPOTrainer(
        model: model, critic: try Critic(copying: model, into: try makeModel(1)), reward: reward,
        optimizer: adamW(3e-4), criticOptimizer: adamW(3e-4),
        configuration: PPOConfiguration(samplesPerPrompt: samplesPerPrompt, maxCompletionLength: task.answerLength))
      rlStep = { prompts, seed in
        let metrics = try trainer.step(prompts: prompts, seed: seed)
        return (metrics.rewardMean, metrics.meanKL, metrics.meanEntropy)
      }
    }
    for step in 0..<rlSteps {
      let prompts = try task.problems(promptsPerStep, split: .train, index: step, seed: 1).map(\.prompt)
      let begin = Date()
      let metrics = try rlStep(prompts, 1_000_003 &* UInt64(step + 1))
      run.seconds += Date().timeIntervalSince(begin)
      run.rewards.append(metrics.reward)
      run.kl.append(metrics.kl)
      run.entropy.append(metrics.entropy)
      if (step + 1) % evaluateRLEvery == 0 {
        let match = try heldOutExactMatch(model)
        run.heldOut.append((step + 1, match))
      }
    }
    print("\(name) \(algorithm): held-out \(result.before) → \(run.final) (\(format.string(run.seconds)) s)")
    result.runs.append(run)
  }

  // 4. The supervised stage continued for each RL run's training time (the shorter budget first).
  restore(model, to: checkpoint)
  result.continued = Array(repeating: (0, 0), count: result.runs.count)
  var (seconds, steps) = (0.0, 0)
  for index in result.runs.indices.sorted(by: { result.runs[$0].seconds < result.runs[$1].seconds }) {
    while seconds < result.runs[index].seconds {
      let begin = Date()
      _ = try supervised.step(problems: try task.problems(32, split: .train, index: step + steps, seed: 0))
      seconds += Date().timeIntervalSince(begin)
      steps += 1
    }
    let match = try heldOutExactMatch(model)
    result.continued[index] = (steps, match)
  }
  print("\(name) continued supervised: \(result.continued)")
  return result
}

// ## The runs
//
// S4D: 2 blocks, H = 64 channels, N = 64 (S4D-Lin, ZOH). Transformer: 2 blocks, d = 64, 4 heads, rotary positions.
// Both read and write the task's 12 tokens. The transformer learns addition more slowly per supervised step at
// this size, so its stage is checked every 100 steps, the S4D's every 25.

let families = [
  try study(
    "S4D",
    makeModel: { try S4Model(.init(vocabulary: task.vocabulary, width: 64, depth: 2, stateSize: 64), seed: $0) },
    evaluateEvery: 25, maximumSupervisedSteps: 800),
  try study(
    "transformer",
    makeModel: { try TransformerModel(.init(vocabulary: task.vocabulary, width: 64, depth: 2, heads: 4), seed: $0) },
    evaluateEvery: 100, maximumSupervisedSteps: 4000),
]

// ## The page

/// A rate as a percentage with one decimal.
func percent(_ rate: Double) -> String { String(format: "%.1f %%", 100 * rate) }

/// A signed difference of rates in percentage points.
func points(_ difference: Double) -> String { String(format: "%+.1f points", 100 * difference) }

page.text("# RL fine-tuning: GRPO and PPO on 2-digit addition, for an S4D and a transformer policy")
page.text(
  "Task: 2-digit addition as tokens (`a b + c d =` → the three digits of the sum), reward 1 for an exact answer. "
    + "Held-out score: greedy exact match on \(heldOut.count) test-split problems (one problem = "
    + "\(format.string(100.0 / Double(heldOut.count))) points). "
    + families.map {
      "\($0.name) (\($0.parameterCount) parameters): supervised stage of \($0.supervisedSteps) steps "
        + "(\(format.string($0.supervisedSeconds)) s) to \(percent($0.before))"
    }.joined(separator: "; ")
    + ". GRPO and PPO then ran \(rlSteps) steps each from that checkpoint, \(promptsPerStep) prompts × "
    + "\(samplesPerPrompt) completions per step.")

var table = try Table(
  headers: [
    "policy", "supervised steps", "before", "GRPO after (best)", "PPO after (best)", "GRPO / PPO time",
    "supervised, continued for GRPO's / PPO's time",
  ],
  alignments: [.left, .right, .right, .right, .right, .right, .right])
for family in families {
  let cells = family.runs.map { "\(percent($0.final)) (\(percent($0.best.match)) at \($0.best.step))" }
  let continued = family.continued.map { "\(percent($0.match)) (+\($0.steps) steps)" }
  try table.append(
    [family.name, "\(family.supervisedSteps)", percent(family.before)] + cells
      + [
        family.runs.map { format.string($0.seconds) + " s" }.joined(separator: " / "),
        continued.joined(separator: " / "),
      ]
  )
}
page.table(table)

let allRuns = families.flatMap { family in family.runs.map { (family: family, run: $0) } }

let matchChart = LineChart(
  title: "Held-out exact match during RL fine-tuning",
  xAxis: .init(label: "RL step"), yAxis: .init(label: "greedy exact match, \(heldOut.count) held-out problems"),
  series: allRuns.map { item in
    .init(
      name: "\(item.family.name) \(item.run.algorithm)",
      points: item.run.heldOut.map { (Double($0.step), $0.match) })
  })
try page.figure(
  "held-out-exact-match.svg", svg: try matchChart.svg(),
  caption: "Held-out exact match against RL step, from the supervised checkpoint (step 0)")

/// Means of `values` over consecutive blocks of `size`, at the block's last step.
func blockMeans(_ values: [Double], size: Int = 10) -> [(x: Double, y: Double)] {
  stride(from: 0, to: values.count, by: size).map { start in
    let block = values[start..<min(start + size, values.count)]
    return (Double(start + block.count), block.reduce(0, +) / Double(block.count))
  }
}

let rewardChart = LineChart(
  title: "Mean reward of the sampled completions",
  xAxis: .init(label: "RL step"), yAxis: .init(label: "mean reward (10-step means)"),
  series: allRuns.map { .init(name: "\($0.family.name) \($0.run.algorithm)", points: blockMeans($0.run.rewards)) })
try page.figure(
  "mean-reward.svg", svg: try rewardChart.svg(),
  caption: "Mean reward of the \(promptsPerStep * samplesPerPrompt) sampled completions per step (temperature 1)")

let klChart = LineChart(
  title: "PPO: KL to the supervised checkpoint",
  xAxis: .init(label: "RL step"), yAxis: .init(label: "mean k3 per completion token (nats, 10-step means)"),
  series: allRuns.filter { $0.run.algorithm == "PPO" }.map {
    .init(name: "\($0.family.name) PPO", points: blockMeans($0.run.kl))
  })
try page.figure(
  "ppo-kl.svg", svg: try klChart.svg(),
  caption: "PPO's sampled KL to the supervised checkpoint (β = 0.05); GRPO ran with β = 0 and has no KL term")

let entropyChart = LineChart(
  title: "Entropy of the sampling policy",
  xAxis: .init(label: "RL step"), yAxis: .init(label: "mean entropy per completion token (nats, 10-step means)"),
  series: allRuns.map { .init(name: "\($0.family.name) \($0.run.algorithm)", points: blockMeans($0.run.entropy)) })
try page.figure(
  "entropy.svg", svg: try entropyChart.svg(), caption: "Mean token entropy of the sampling policy against RL step")

// ## What came out
//
// A change counts as a gain or a loss when it exceeds two standard errors of the difference of two held-out
// rates, `2 √(p₀(1 − p₀)/n + p₁(1 − p₁)/n)` (treating them as independent; they are the same problems, so this is
// conservative), else as within noise.

/// Whether `after` is above, below or within noise of `before` on the held-out problems.
func verdict(_ before: Double, _ after: Double) -> String {
  let n = Double(heldOut.count)
  let error = 2 * (before * (1 - before) / n + after * (1 - after) / n).squareRoot()
  let change = after - before
  let word = change > error ? "raised" : change < -error ? "lowered" : "left within noise"
  return "\(word) (\(percent(before)) → \(percent(after)), \(points(change)); two standard errors "
    + String(format: "%.1f", 100 * error) + ")"
}

for family in families {
  let sentences = family.runs.map { run in "\(run.algorithm) \(verdict(family.before, run.final))" }
  let continued = zip(family.runs, family.continued).map { run, continued in
    "for \(run.algorithm)'s \(format.string(run.seconds)) s, \(continued.steps) more supervised steps reached "
      + "\(percent(continued.match)) (RL: \(percent(run.final)))"
  }
  let better = zip(family.runs, family.continued).filter { $0.1.match > $0.0.final }.map(\.0.algorithm)
  let comparison =
    better.isEmpty
    ? "In this run RL did at least as well as the continued supervised stage in the same training time."
    : "Continuing the supervised stage beat " + better.joined(separator: " and ")
      + " in the same training time: on a task whose answers are known, teacher forcing is the more efficient "
      + "teacher; the point of RL here is that the same code fine-tunes both families from a reward alone."
  let ppo = family.runs.first { $0.algorithm == "PPO" }!
  page.text(
    "**\(family.name).** After \(rlSteps) steps from the supervised checkpoint, "
      + sentences.joined(separator: "; ") + ". The sampled reward went from "
      + family.runs.map {
        "\(format.string(blockMeans($0.rewards).first!.y)) to \(format.string(blockMeans($0.rewards).last!.y)) "
          + "(\($0.algorithm))"
      }.joined(separator: " and ") + " over the first and last 10 steps; PPO's KL to the checkpoint ended at "
      + "\(format.string(blockMeans(ppo.kl).last!.y)) nats per token. Continuing the supervised stage instead: "
      + continued.joined(separator: "; ") + ". " + comparison)
}
page.text("Run time: \(format.string(Date().timeIntervalSince(started))) s.")
let url = try page.write()
print("wrote \(url.path)")
