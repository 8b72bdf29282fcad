// # Language modelling: S4D vs a transformer vs a GRU on bytes of text
//
// Runtime: about 5 minutes on 2 cores (release build; nearly all of it is the three training budgets).
// Run: `swift run -c release notebook-language-modelling [output-folder]`
// (default output folder: `notebook-output/language-modelling/`), or `make notebooks`.
//
// Byte-level language modelling on the text task's default corpus (Debian's fortunes, split by document into
// train / validation / test): every model reads 256 bytes and predicts each next one. Three families at the
// same parameter count get the same wall-clock training budget; the notebook records how held-out bits per
// byte fall with training time, how the code length of a byte depends on how much context precedes it in
// its window (does the loss keep falling with more context?), and what each model writes when prompted.

import Autodiff
import Comparison
import Foundation
import Generation
import Models
import NotebookSupport
import Platform
import Reports
import SeededRandom
import Tasks
import Training

BLASKernelSelection.upgradeIfGeneric()
let started = Date()
// The machine's load when the run starts (Linux): wall-clock budgets buy fewer steps on a busy machine.
let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first

let output = NotebookPage.outputFolder(name: "language-modelling")
var page = try NotebookPage(folder: output)
let format = NumberFormat(significantDigits: 3)

// ## The plan
//
// Context 256 bytes, batch 16, two blocks per model, each family sized to ~150 000 parameters (within ±2 %,
// `ModelFamily.matched`). AdamW at learning rate 3e-3 (state space parameters 1e-3, no decay), 20 warm-up
// steps then cosine decay, for `trainingSeconds` of training each. The clock stops a run (`timeBudget`); the
// cosine schedule needs a step count in advance, so it is planned over 1.5 × the steps that fit the budget at
// the family's step time, measured on a throwaway copy (steps 2–6 of a 6-step run; the first step also pays
// for one-time set-up). The margin lets the clock, not the step count, end the run on a machine whose load
// changes; the learning rate has decayed to about a third of its peak (the cosine at two thirds of its span)
// when it does.

let length = 256
let parameterBudget = 150_000
let depth = 2
let trainingSeconds = 85.0
let checkpoints = 9
let validationWindows = 32
let families: [(name: String, family: ModelFamily)] = [("S4D", .s4d), ("transformer", .transformer), ("GRU", .gru)]
let task = try TextTask(length: length)

func settings(steps: Int, timeBudget: Double? = nil) -> TaskTrainingSettings {
  TaskTrainingSettings(
    steps: steps, batch: 16, learningRate: 3e-3, stateSpaceLearningRate: 1e-3, seed: 0, timeBudget: timeBudget)
}

/// Validation bits per byte on the fixed first `validationWindows` windows of the validation split.
func validationBits(_ model: any SequenceModel) throws -> Double {
  try bitsPerByte(of: model, on: task, split: .validation, windows: validationWindows).value
}

// ## Training against the clock
//
// Validation bits per byte (the first 32 consecutive validation windows, 8 192 bytes) is measured before
// training, every `trainingSeconds / 9` seconds of training and at the end. The evaluations run inside the
// training call, whose clock counts them, so its time budget is `trainingSeconds` plus 9 times the duration of
// the first evaluation; the x-axis is the training time with the measured evaluation time taken out.

struct TrainedModel {
  let name: String
  let match: ParameterMatch
  let model: any SequenceModel
  /// The steps the schedule was planned over, and the calibrated seconds per step that set them.
  let plannedSteps: Int
  let secondsPerStep: Double
  let log: TaskTrainingLog
  /// (training seconds without evaluation, validation bits per byte), from before training to the end.
  let curve: [(x: Double, y: Double)]
}

func trainAgainstTheClock(name: String, family: ModelFamily) throws -> TrainedModel {
  let match = try family.matched(
    vocabulary: TextTask.vocabulary, parameterBudget: parameterBudget, depth: depth, length: length)
  var stamps: [Date] = []
  _ = try train(try match.configuration.build(seed: 0), on: task, settings: settings(steps: 6)) { _, _ in
    stamps.append(Date())
  }
  let secondsPerStep = stamps.last!.timeIntervalSince(stamps.first!) / Double(stamps.count - 1)
  let plannedSteps = max(1, Int(1.5 * trainingSeconds / secondsPerStep))
  let model = try match.configuration.build(seed: 0)
  let firstEvaluation = Date()
  var curve = [(x: 0.0, y: try validationBits(model))]
  let timeBudget = trainingSeconds + Double(checkpoints) * Date().timeIntervalSince(firstEvaluation)
  let interval = trainingSeconds / Double(checkpoints)
  var evaluating = 0.0
  var nextCheckpoint = interval
  var failure: (any Error)?
  let begin = Date()
  let log = try train(model, on: task, settings: settings(steps: plannedSteps, timeBudget: timeBudget)) { _, _ in
    let elapsed = Date().timeIntervalSince(begin) - evaluating
    guard failure == nil, elapsed >= nextCheckpoint, nextCheckpoint < trainingSeconds - interval / 2 else { return }
    let evaluationBegin = Date()
    do {
      curve.append((elapsed, try validationBits(model)))
    } catch {
      failure = error
    }
    evaluating += Date().timeIntervalSince(evaluationBegin)
    while nextCheckpoint <= elapsed { nextCheckpoint += interval }
  }
  if let failure { throw failure }
  curve.append((log.seconds - evaluating, try validationBits(model)))
  print(
    "\(name): \(match.parameters) parameters, \(log.losses.count) of \(plannedSteps) planned steps in "
      + "\(format.string(curve.last!.x)) s of training, validation \(format.string(curve.last!.y)) bits per byte")
  return TrainedModel(
    name: name, match: match, model: model, plannedSteps: plannedSteps, secondsPerStep: secondsPerStep, log: log,
    curve: curve)
}

let trained = try families.map { try trainAgainstTheClock(name: $0.name, family: $0.family) }

// ## Bits per byte against the position in the window
//
// Every consecutive 256-byte window of the test split is read from an empty state, so the byte at position `t`
// is predicted from the `t` bytes before it. `TaskBatch.bitsPerByteByPosition` gives the code length of each
// position over a batch of windows; the notebook keeps the scores of each batch of 16 windows apart (a *group*:
// independent stretches of test text, used below to estimate the noise). Summed over the groups and positions
// they are the test bits per byte of the whole split.

/// The code length of each position of the test windows, per group of 16 consecutive windows: `[group][t]`.
func testScoresByGroup(_ model: any SequenceModel) throws -> [[BitsPerByte]] {
  let count = task.consecutiveWindowCount(of: .test)
  var unused = SeededGenerator(seed: 0)
  return try stride(from: 0, to: count, by: 16).map { start in
    let windows = try task.consecutiveWindows(start..<min(start + 16, count), of: .test)
    guard let tokens = windows.tokens else { throw TaskError.shapeMismatch("text windows hold tokens") }
    let tape = Tape(recordsGradients: false)
    let logits = tape.value(try model.logits(tokens, on: tape, training: false, generator: &unused))
    return try windows.bitsPerByteByPosition(logits: logits.values, classes: model.vocabulary)
  }
}

let testGroups = try trained.map { try testScoresByGroup($0.model) }
let testByPosition = testGroups.map { groups in
  groups.dropFirst().reduce(groups[0]) { total, group in zip(total, group).map(+) }
}
let testBits = testByPosition.map { $0.reduce(BitsPerByte(bits: 0, bytes: 0), +) }

/// The pooled bits per byte over `positions`.
func pooled(_ scores: [BitsPerByte], _ positions: Range<Int>) -> Double {
  scores[positions].reduce(BitsPerByte(bits: 0, bytes: 0), +).value
}

// Each position holds about one byte per test window (~900), so single positions are noisy; the chart pools
// them in bins of equal width on the log axis (four per octave of `t + 1`), each drawn at the geometric mean of
// its `t + 1`.
let bins: [Range<Int>] = {
  var edges = [0]
  var bound = 1.0
  while edges.last! < length {
    bound *= pow(2, 0.25)
    let edge = min(length, Int(bound.rounded(.down)))
    if edge > edges.last! { edges.append(edge) }
  }
  return zip(edges, edges.dropFirst()).map { $0..<$1 }
}()

// ## Samples
//
// Greedy decoding and sampling (temperature 0.8, top-p 0.95, seed 1) of up to 160 bytes after three prompts,
// stopping at the document separator.

let prompts = ["The secret of ", "Q:\tWhy did the ", "You will "]
let newBytes = 160
let decodings: [(name: String, options: GenerationOptions)] = [
  ("greedy", GenerationOptions(maxNewTokens: newBytes, stopTokens: [TextTask.separator])),
  (
    "sampled (T = 0.8, top-p 0.95, seed 1)",
    GenerationOptions(
      maxNewTokens: newBytes, stopTokens: [TextTask.separator],
      strategy: .sampling(SamplingParameters(temperature: 0.8, topP: 0.95)), seed: 1)
  ),
]

/// `tokens` as text for a fenced code block: valid UTF-8 as is (tabs and newlines kept), other control
/// characters as `\u{XX}`, the document separator as `⟨end⟩`.
func displayed(_ tokens: [Int]) -> String {
  let text = String(decoding: tokens.filter { $0 < 256 }.map(UInt8.init), as: UTF8.self)
  let escaped = text.unicodeScalars.map { scalar -> String in
    (scalar.value < 32 && scalar != "\n" && scalar != "\t") || scalar.value == 127
      ? "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" : String(scalar)
  }.joined()
  return escaped + (tokens.last == TextTask.separator ? "⟨end⟩" : "")
}

/// A fenced code block holding `text`: the fence is one backtick longer than the longest run in `text`.
func codeBlock(_ text: String) -> String {
  var longest = 0
  var run = 0
  for character in text {
    run = character == "`" ? run + 1 : 0
    longest = max(longest, run)
  }
  let fence = String(repeating: "`", count: max(3, longest + 1))
  return "\(fence)text\n\(text)\n\(fence)"
}

/// A prompt as an inline code span, tabs shown as `\t` (the prompts hold no backtick).
func codeSpan(_ prompt: String) -> String { "`" + prompt.replacingOccurrences(of: "\t", with: "\\t") + "`" }

var samples: [String: [[String]]] = [:]
let generationBegin = Date()
for entry in trained {
  samples[entry.name] = try prompts.map { prompt in
    try decodings.map { _, options in
      let result = try generate(entry.model, prompt: prompt.utf8.map(Int.init), options: options)
      return displayed(result[0].tokens)
    }
  }
}
let generationSeconds = Date().timeIntervalSince(generationBegin)

// ## The page

page.text("# Language modelling on bytes of text")
page.text(
  "Byte-level language models on Debian's fortunes (the `TextTask` corpus, \(task.documentCount(of: .train)) "
    + "training documents, \(task.stream(of: .train).count) training tokens; test split "
    + "\(task.consecutiveWindowCount(of: .test)) windows of \(length) bytes). Each family was sized to about "
    + "\(parameterBudget) parameters (\(depth) blocks) and trained for \(format.string(trainingSeconds)) s of "
    + "wall-clock time on batches of 16 windows of \(length) bytes with AdamW (learning rate 3e-3, state space "
    + "parameters 1e-3, 20 warm-up steps, cosine decay planned over 1.5 × the steps the budget was expected to "
    + "fit, so that the clock ends the run). "
    + "Test bits per byte cover every consecutive window of the test split; document separators are not scored.")

var table = try Table(
  headers: [
    "model", "configuration", "parameters", "steps (planned)", "s per step", "training time", "test bits per byte",
  ],
  alignments: [.left, .left, .right, .right, .right, .right, .right])
for (entry, score) in zip(trained, testBits) {
  let size = entry.match.size
  try table.append([
    entry.name, "width \(size.width)" + (size.inner.map { ", inner \($0)" } ?? ""),
    "\(entry.match.parameters) (\(ParameterMatch.percentage(entry.match.deviation)))",
    "\(entry.log.losses.count) (\(entry.plannedSteps))", format.string(entry.secondsPerStep),
    format.string(entry.curve.last!.x) + " s", format.string(score.value),
  ])
}
page.table(table)
let ranking = zip(trained, testBits).sorted { $0.1.value < $1.1.value }
  .map { "\($0.0.name) \(format.string($0.1.value))" }
let seenFraction = trained.map { Double($0.log.losses.count * 16 * length) / Double(task.stream(of: .train).count) }
page.text(
  "Ranked by test bits per byte: " + ranking.joined(separator: ", ") + ". Each model saw at most "
    + "\(format.string(100 * seenFraction.max()!)) % of one pass over the training stream, so these are the first "
    + "minutes of training: the ranking says which family learns fastest per second of wall-clock time on this "
    + "\(ProcessInfo.processInfo.activeProcessorCount)-core machine at this size, not which is best at convergence. "
    + (loadAverage.map { "The machine's load average was \($0) when the run started; other" } ?? "Other")
    + " work on the machine changes the step counts, and with them the numbers, from run to run.")
page.text(
  "*s per step* is the calibration on a throwaway copy (steps 2–6) that planned the schedule; *training time* "
    + "is the run's time without its evaluations (the x-axis of the first chart), and *steps* those it took "
    + "within the clock. The *inner* size is the S4D state size N or the transformer's MLP width.")

try page.figure(
  "bits-per-byte-vs-time.svg",
  svg: try LineChart(
    title: "Validation bits per byte vs training time (~\(parameterBudget / 1000)k parameters, context \(length))",
    xAxis: .init(label: "training time (s)"),
    yAxis: .init(label: "bits per byte (32 validation windows)", scale: .log10, ticks: [3, 3.5, 4, 5, 6, 7, 8]),
    series: trained.map { LineChart.Series(name: $0.name, points: $0.curve) }
  ).svg(),
  caption: "Validation bits per byte on 8 192 fixed bytes against wall-clock training time (evaluation excluded)")

try page.figure(
  "bits-per-byte-vs-position.svg",
  svg: try LineChart(
    title: "Test bits per byte vs position in the window",
    xAxis: .init(label: "position t + 1 (the byte after t bytes of context)", scale: .log10),
    yAxis: .init(label: "bits per byte"),
    series: zip(trained, testByPosition).map { entry, scores in
      LineChart.Series(
        name: entry.name,
        points: bins.map { bin in
          (x: exp((log(Double(bin.lowerBound + 1)) + log(Double(bin.upperBound))) / 2), y: pooled(scores, bin))
        })
    }
  ).svg(),
  caption: "Code length of a test byte against its position in the 256-byte window, pooled over every test window "
    + "in bins of a quarter octave")

// ## Does the loss keep falling with context?
//
// The table and paragraph below are computed from this run: the test bits per byte pooled over ranges of
// positions, and the difference between each range and the last, `t ∈ [128, 256)`. Its noise comes from the
// groups of windows: with `d_g` the difference within group `g` (the same windows on both sides, so how hard a
// stretch of text is cancels), the standard error is `sd(d_g) / √G` over the `G` groups. A difference counts
// when it exceeds twice its standard error.

/// Bits with three decimals, signed when `signed`.
func bits(_ value: Double, signed: Bool = false) -> String { String(format: signed ? "%+.3f" : "%.3f", value) }

/// `pooled(earlier) − pooled(later)` over every group, and twice its standard error from the spread of the
/// per-group differences.
func gain(_ groups: [[BitsPerByte]], from earlier: Range<Int>, to later: Range<Int>) -> (gain: Double, noise: Double) {
  let whole = groups.dropFirst().reduce(groups[0]) { total, group in zip(total, group).map(+) }
  let differences = groups.map { pooled($0, earlier) - pooled($0, later) }
  let mean = differences.reduce(0, +) / Double(differences.count)
  let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(differences.count - 1)
  return (pooled(whole, earlier) - pooled(whole, later), 2 * (variance / Double(differences.count)).squareRoot())
}

let ranges = [0..<1, 1..<8, 8..<32, 32..<64, 64..<128, 128..<256]
let rangeName = { (range: Range<Int>) in
  range.count == 1 ? "t = \(range.lowerBound)" : "t ∈ [\(range.lowerBound), \(range.upperBound))"
}
var contextTable = try Table(
  headers: ["model"] + ranges.map(rangeName), alignments: [.left] + ranges.map { _ in .right })
for (entry, scores) in zip(trained, testByPosition) {
  try contextTable.append([entry.name] + ranges.map { bits(pooled(scores, $0)) })
}
page.text("Test bits per byte by position `t` (the bytes of context before the scored byte), pooled over ranges:")
page.table(contextTable)

let last = ranges.last!
let verdicts = zip(trained, testGroups).map { entry, groups in
  let comparisons = ranges.dropFirst().dropLast().map { range in
    let (value, noise) = gain(groups, from: range, to: last)
    return (range: range, gain: value, noise: noise)
  }
  let listed = comparisons.map { "\(bits($0.gain, signed: true)) ± \(bits($0.noise)) from \(rangeName($0.range))" }
  let conclusion: String
  if let furthest = comparisons.lastIndex(where: { $0.gain > $0.noise }) {
    conclusion =
      furthest == comparisons.count - 1
      ? "the loss still falls in the second half of the window"
      : "\(rangeName(comparisons[furthest].range)) is the last range measurably above \(rangeName(last)); "
        + "from \(rangeName(comparisons[furthest + 1].range)) on the loss falls no further beyond the noise"
  } else {
    conclusion = "no range from t = 1 on lies above the last beyond the noise"
  }
  let below = comparisons.filter { -$0.gain > $0.noise }.map { rangeName($0.range) }
  return "**\(entry.name)** " + listed.joined(separator: ", ") + ": " + conclusion
    + (below.isEmpty
      ? ""
      : " (\(below.joined(separator: ", ")) lies below the last beyond the noise: there, less context, lower loss)")
}
page.text(
  "The fall in code length from each range to \(rangeName(last)) (± two standard errors over the "
    + "\(testGroups[0].count) groups of 16 test windows): " + verdicts.joined(separator: ". ")
    + ". This is one training run per family.")

page.text("## Samples")
page.text(
  "Continuations of \(prompts.count) prompts, up to \(newBytes) bytes each; each block starts with the prompt; "
    + "`⟨end⟩` marks the document separator (the model ending the fortune), control characters other than tab "
    + "and newline are shown as "
    + "`\\u{XX}`. Generation took \(format.string(generationSeconds)) s in all.")
for (p, prompt) in prompts.enumerated() {
  page.text("### Prompt: \(codeSpan(prompt))")
  for entry in trained {
    for (d, decoding) in decodings.enumerated() {
      page.text(
        "**\(entry.name)**, \(decoding.name):\n\n"
          + codeBlock(displayed(prompt.utf8.map(Int.init)) + samples[entry.name]![p][d]))
    }
  }
}

page.text(
  "Produced by `make notebooks` (or `swift run -c release notebook-language-modelling`) in "
    + "\(format.string(Date().timeIntervalSince(started))) s.")
print("language modelling: \(try page.write().path)")
