// # Speculative decoding: an S4D draft and a transformer draft for a transformer target
//
// Runtime: about 4.5 minutes on 2 cores (release build; about 60 % of it trains the three models).
// Run: `swift run -c release notebook-speculative-decoding [output-folder]`
// (default output folder: `notebook-output/speculative-decoding/`), or `make notebooks`.
//
// Speculative decoding (Leviathan et al. 2023; Chen et al. 2023) lets a cheap draft model propose `k` tokens and
// the target model check all of them in one pass: draft token `d_i` is kept with probability
// `min(1, p_i(d_i)/q_i(d_i))` (`p` the target's distribution, `q` the draft's), at the first rejection one token
// is drawn from `norm(max(0, p_i − q_i))`, and when all `k` are kept a bonus token is drawn from `p_{k+1}`. The
// output then has exactly the law of decoding with the target alone, whatever the draft. A state space draft is
// attractive because its step costs the same after any context, while a transformer target's step grows with
// the context it attends to. This notebook trains a byte-level transformer target and two drafts (an S4D and a
// smaller transformer) on the same text, shows on a small case that the output law is the target's, and measures
// tokens per second against the target alone after held-out contexts of 512 to 8 192 bytes. Everything runs
// through the library: `Training`'s `train`, `Generation`'s `SpeculativeDecoder`, `speculativeGenerate`,
// `SequentialDecoder` and `generate` (the timing follows `ssm bench speculative`).

import Autodiff
import Dispatch
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
// The machine's load when the run starts (Linux): timings on a shared machine move with it.
let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first

let output = NotebookPage.outputFolder(name: "speculative-decoding")
var page = try NotebookPage(folder: output)
let format = NumberFormat(significantDigits: 3)

// ## The models
//
// The text task's default corpus (Debian's fortunes, bytes, vocabulary 257 with the document separator), windows
// of 256 bytes, batch 16. All three models read the same windows in the same order (batch `s` of the train split
// at seed 0 for step `s`) with AdamW at learning rate 3e-3 (state space parameters 1e-3), 20 warm-up steps and
// cosine decay, each for a fixed number of steps chosen so that the three runs together take about half of the
// notebook's time:
//
// - target: transformer, d = 128, 4 heads, 2 blocks, MLP 4×, rotary positions;
// - S4D draft: H = 128, N = 64, 2 blocks (the size of `ssm bench decode`);
// - transformer draft: d = 64, 2 heads, 1 block, rotary positions.
//
// Test bits per byte are measured on the first `testWindows` consecutive windows of the test split.

let length = 256
let testWindows = 128
let task = try TextTask(length: length)

struct TrainedModel {
  let name: String
  let configuration: String
  let model: any SequenceModel
  let steps: Int
  let seconds: Double
  let testBitsPerByte: Double
}

/// `model` trained for `steps` steps on the task, and its test bits per byte.
func trained(_ name: String, _ configuration: String, _ model: any SequenceModel, steps: Int) throws -> TrainedModel {
  let log = try train(model, on: task, settings: TaskTrainingSettings(steps: steps, batch: 16, seed: 0))
  let bits = try bitsPerByte(of: model, on: task, split: .test, windows: testWindows).value
  print("\(name): \(steps) steps in \(format.string(log.seconds)) s, test \(format.string(bits)) bits per byte")
  return TrainedModel(
    name: name, configuration: configuration, model: model, steps: steps, seconds: log.seconds,
    testBitsPerByte: bits)
}

let targetModel = try TransformerModel(.init(vocabulary: TextTask.vocabulary, width: 128, depth: 2, heads: 4), seed: 0)
let targetEntry = try trained("target", "transformer, d = 128, 4 heads, 2 blocks", targetModel, steps: 250)
let draftEntries = [
  try trained(
    "S4D draft", "S4D, H = 128, N = 64, 2 blocks",
    try S4Model(.init(vocabulary: TextTask.vocabulary, width: 128, depth: 2, stateSize: 64), seed: 1), steps: 400),
  try trained(
    "transformer draft", "transformer, d = 64, 2 heads, 1 block",
    try TransformerModel(.init(vocabulary: TextTask.vocabulary, width: 64, depth: 1, heads: 2), seed: 2),
    steps: 500),
]

// ## Exactness: the law of the output
//
// Context: the 14 bytes `The secret of `. With sampling at T = 1 and no other processor, the target's law of the
// first two new bytes is `P(a, b) = p(a) p(b | a)`, `p` the softmax of the target's logits: `p(a)` from the
// context, `p(· | a)` from the context followed by `a` (all 257 of them in one batch). Speculative decoding with a
// draft length of 2 and 3 new tokens draws both bytes through the acceptance rule: the first round proposes
// `d_1, d_2`; the first byte is `d_1` kept or a residual draw, the second `d_2` kept or a residual draw, or, when
// `d_1` was rejected, the next round's draft token kept or its residual draw. For each
// draft, `exactnessSamples` speculative samples (seeds 0, 1, …; each runs a copy of one decoder that has read the
// context, which is the same as a fresh decoder because the models' states are values) give an empirical law
// `P̂`, compared with `P` by the total-variation distance `TV(P̂, P) = ½ Σ_x |P̂(x) − P(x)|`, for the first byte
// alone and for the pair.
//
// An empirical law is never exactly `P`: `N` exact draws from `P` leave a TV that shrinks like `1/√N`. The
// Monte-Carlo reference is that distance itself: `exactnessReplicates` sets of `N` draws straight from `P` (by
// inversion), whose TV to `P` has a mean and a 99th percentile. Speculative decoding that followed `P` has a TV
// from the same distribution. The contrast is the draft's own law `Q(a, b) = q(a) q(b | a)`, at its exact TV from
// `P`: a sampler that followed the draft would land near it.

let exactnessPrompt = Array("The secret of ".utf8).map(Int.init)
let exactnessSamples = 20_000
let exactnessReplicates = 200
let vocabulary = TextTask.vocabulary

struct ExactnessResult {
  let draft: String
  /// Counts of the first two emitted tokens as `a · V + b`, and of the first alone.
  let pairCounts: [Int: Int]
  let firstCounts: [Int: Int]
  let draftLaw: [Double]
  /// Accepted over drafted tokens.
  let acceptedShare: Double
  let seconds: Double
}

let targetPairLaw = try twoTokenLaw(targetModel, after: exactnessPrompt).flatMap { $0 }
let targetFirstLaw = firstTokenMarginal(targetPairLaw, vocabulary: vocabulary)

/// `exactnessSamples` speculative samples with `draft` after `exactnessPrompt`.
@MainActor
func speculativeSamples<Draft: SequenceModel>(_ draft: Draft, name: String) throws -> ExactnessResult {
  let options = GenerationOptions(maxNewTokens: 3, strategy: .sampling(SamplingParameters(temperature: 1)))
  let fresh = try SpeculativeDecoder(
    target: targetModel, draft: draft, prompt: exactnessPrompt, options: options,
    speculation: SpeculativeParameters(draftLength: .fixed(2)))
  var pairs: [Int: Int] = [:]
  var firsts: [Int: Int] = [:]
  var (drafted, accepted) = (0, 0)
  let time = try seconds {
    for sample in 0..<exactnessSamples {
      var decoder = fresh
      var draws = SeededGenerator(seed: UInt64(sample))
      let result = try decoder.run(draws: &draws)
      let tokens = result.generation.tokens
      pairs[tokens[0] * vocabulary + tokens[1], default: 0] += 1
      firsts[tokens[0], default: 0] += 1
      drafted += result.draftedTokens
      accepted += result.acceptedDraftTokens
    }
  }
  print("\(name): \(exactnessSamples) speculative samples in \(format.string(time)) s")
  return ExactnessResult(
    draft: name, pairCounts: pairs, firstCounts: firsts,
    draftLaw: try twoTokenLaw(draft, after: exactnessPrompt).flatMap { $0 },
    acceptedShare: Double(accepted) / Double(drafted), seconds: time)
}

let exactness = try draftEntries.map { try speculativeSamples($0.model, name: $0.name) }
let reference = referenceDistances(
  targetPairLaw, vocabulary: vocabulary, samples: exactnessSamples, replicates: exactnessReplicates)

// Greedy decoding takes the target's argmax at every position, so its output should be the target's greedy
// output token for token: 64 new bytes after the same context, by `generate` with the target alone and by
// `speculativeGenerate` with each draft at k = 4 (the speed runs below compare every greedy run as well).

let greedyOptions = GenerationOptions(maxNewTokens: 64)
let targetGreedy = try generate(targetModel, prompt: exactnessPrompt, options: greedyOptions)[0].tokens

/// The greedy speculative continuation of `exactnessPrompt` with `draft` at k = 4.
@MainActor
func speculativeGreedy<Draft: SequenceModel>(_ draft: Draft) throws -> [Int] {
  try speculativeGenerate(
    target: targetModel, draft: draft, prompt: exactnessPrompt, options: greedyOptions,
    speculation: SpeculativeParameters(draftLength: .fixed(4)))[0].generation.tokens
}

let draftGreedy = try draftEntries.map { try speculativeGreedy($0.model) }

// ## Speed
//
// For each context length `c`, the context is the window `S[o ..< o + c]` of the test split's byte stream `S` at
// an offset `o` drawn from seed `c` (as `ssm bench speculative --text-context`). Each configuration (draft, T ∈
// {0 (greedy), 1}, draft length k ∈ {1, 2, 4, 8}) decodes `newTokens` new bytes (no stop token) in one untimed
// warm-up run and `timedRuns` timed runs; run `r` samples with seed `r`, the draft like the target (`q` the
// draft's softmax at the same temperature; one-hot at its argmax when greedy). In every run:
//
// - target alone: a `SequentialDecoder` choosing each token from one `step` of the target;
// - speculative: a `SpeculativeDecoder` running its rounds (one `round` call at a time, as its `run` does).
//
// Reading the context is untimed for both (each run starts from a copy of a state that has read it; the first
// write to that copy pays the same copy of the caches in both). Seconds per token are the median run's time over
// its tokens; the speedup is target-alone over speculative. Counted over the timed runs: the share of drafted
// tokens that were accepted (what `ssm bench speculative` reports), the per-token acceptance rate `α` = accepted
// over *verified* draft tokens (a round verifies its draft up to and including the first rejection; the tokens
// after it are dropped unjudged), and the mean tokens per target pass, emitted tokens over verification passes.
// If each verified draft token were accepted independently with probability `α`, a round would emit
// `1 + α + … + α^k = (1 − α^{k+1}) / (1 − α)` tokens in expectation.

let contexts = [512, 2048, 4096, 8192]
let temperatures = [0.0, 1.0]
let draftLengths = [1, 2, 4, 8]
let newTokens = 64
let timedRuns = 3

struct SpeedMeasurement {
  let context: Int
  let temperature: Double
  let draft: String
  let k: Int
  /// Median seconds per token.
  let targetAlone: Double
  let speculative: Double
  /// Accepted over drafted tokens.
  let acceptedShare: Double
  /// Accepted over verified draft tokens.
  let acceptance: Double
  let tokensPerPass: Double
  /// Greedy runs: whether every speculative output equalled the target-alone output of the same run.
  let identical: Bool?

  var speedup: Double { targetAlone / speculative }
  /// `1 + α + … + α^k`.
  var expectedTokensPerPass: Double { (0...k).reduce(0) { $0 + pow(acceptance, Double($1)) } }
}

/// Greedy decoding or sampling at `temperature` with seed `seed`, `newTokens` new tokens, no stop token.
func decodingOptions(temperature: Double, seed: UInt64) -> GenerationOptions {
  GenerationOptions(
    maxNewTokens: newTokens,
    strategy: temperature == 0 ? .greedy : .sampling(SamplingParameters(temperature: temperature)), seed: seed)
}

/// Every configuration of `draft` after `prompt`.
@MainActor
func speedSweep<Draft: SequenceModel>(_ draft: Draft, name: String, prompt: [Int], prefilled: TransformerModel.State)
  throws -> [SpeedMeasurement]
{
  var measurements: [SpeedMeasurement] = []
  for temperature in temperatures {
    for k in draftLengths {
      let fresh = try SpeculativeDecoder(
        target: targetModel, draft: draft, prompt: prompt, options: decodingOptions(temperature: temperature, seed: 0),
        speculation: SpeculativeParameters(draftLength: .fixed(k)))
      var (targetTimes, speculativeTimes): ([Double], [Double]) = ([], [])
      var (drafted, accepted, verified, emitted, passes) = (0, 0, 0, 0, 0)
      var identical = true
      for run in -1..<timedRuns {
        let options = decodingOptions(temperature: temperature, seed: UInt64(max(run, 0)))
        let alone = try timedSequentialDecoding(targetModel, prefilled: prefilled, prompt: prompt, options: options)
        var decoder = fresh
        var draws = SeededGenerator(seed: options.seed)
        var runVerified = 0
        let time = try seconds {
          while !decoder.finished {
            let (draftedBefore, acceptedBefore) = (decoder.draftedTokens, decoder.acceptedDraftTokens)
            try decoder.round(draws: &draws)
            let roundAccepted = decoder.acceptedDraftTokens - acceptedBefore
            runVerified += roundAccepted < decoder.draftedTokens - draftedBefore ? roundAccepted + 1 : roundAccepted
          }
        }
        guard run >= 0 else { continue }
        targetTimes.append(alone.seconds / Double(alone.tokens.count))
        speculativeTimes.append(time / Double(decoder.emitted.count))
        drafted += decoder.draftedTokens
        accepted += decoder.acceptedDraftTokens
        verified += runVerified
        emitted += decoder.emitted.count
        passes += decoder.targetPasses
        identical = identical && decoder.emitted == alone.tokens
      }
      let measurement = SpeedMeasurement(
        context: prompt.count, temperature: temperature, draft: name, k: k, targetAlone: median(targetTimes),
        speculative: median(speculativeTimes), acceptedShare: Double(accepted) / Double(drafted),
        acceptance: Double(accepted) / Double(verified), tokensPerPass: Double(emitted) / Double(passes),
        identical: temperature == 0 ? identical : nil)
      print(
        "context \(prompt.count), T = \(format.string(temperature)), \(name), k = \(k): "
          + "\(format.string(measurement.targetAlone * 1e6)) → \(format.string(measurement.speculative * 1e6)) µs "
          + "per token (\(format.string(measurement.speedup))×), α = \(format.string(measurement.acceptance))")
      measurements.append(measurement)
    }
  }
  return measurements
}

// What one verification pass costs: the target reading `k + 1` tokens (the first bytes of `The secret of `; which
// bytes does not change the work) in one `prefill` from a state that has read the context, against one step (a
// `prefill` of one token takes the target's tape-free step), each the median of
// `passRepetitions` timed calls after an untimed one, the state rewound to the context after every call. Target
// alone pays one step per token; a speculative round pays one pass of `k + 1` tokens and `k` draft steps for
// `1 + α + … + α^k` tokens.

let passRepetitions = 9

/// Median seconds of the target reading `count` tokens in one `prefill` after `prefilled`.
@MainActor
func passSeconds(prefilled: TransformerModel.State, count: Int) throws -> Double {
  var state = prefilled
  let chunk = Array(exactnessPrompt.prefix(count))
  var times: [Double] = []
  for repetition in 0...passRepetitions {
    let time = try seconds { _ = try targetModel.prefill([chunk], state: &state) }
    try state.rewind(to: prefilled.position)
    if repetition > 0 { times.append(time) }
  }
  return median(times)
}

// What each model writes after each context on its own: `continuationBytes` greedy bytes by `generate` from the
// target and from each draft (untimed), beside the last `contextEnding` bytes of the context.

let continuationBytes = 32
let contextEnding = 24

var speed: [SpeedMeasurement] = []
/// `(context, its last bytes, the greedy continuations of the target and each draft)`.
var continuations: [(context: Int, ending: [Int], outputs: [[Int]])] = []
/// `passCost[c][n]`: median seconds of the target reading `n` tokens in one `prefill` after context `c`.
var passCost: [Int: [Int: Double]] = [:]
let testStream = task.stream(of: .test)

/// The held-out context of `length` bytes: `S[o ..< o + length]`, `o` drawn from seed `length`.
func contextWindow(length: Int) -> [Int] { streamWindow(testStream, length: length, seed: UInt64(length)) }

let speedBegin = Date()
for context in contexts {
  let prompt = contextWindow(length: context)
  var prefilled = try targetModel.initialState(batchSize: 1)
  _ = try targetModel.prefill([Array(prompt.dropLast())], state: &prefilled)
  passCost[context] = try Dictionary(
    uniqueKeysWithValues: ([1] + draftLengths.map { $0 + 1 }).map {
      ($0, try passSeconds(prefilled: prefilled, count: $0))
    })
  for entry in draftEntries {
    speed += try speedSweep(entry.model, name: entry.name, prompt: prompt, prefilled: prefilled)
  }
  let greedy = GenerationOptions(maxNewTokens: continuationBytes)
  continuations.append(
    (
      context, Array(prompt.suffix(contextEnding)),
      try ([targetEntry] + draftEntries).map { try generate($0.model, prompt: prompt, options: greedy)[0].tokens }
    ))
}
let speedSeconds = Date().timeIntervalSince(speedBegin)

// ## Reading long contexts
//
// Every context above is longer than the 256-byte windows the models were trained on. How well each model still
// predicts text that far in: the code length `−log₂ p(x_{t+1} | x_{≤t})` of every byte of the longest context,
// read in one `prefill` from an empty state (byte targets only, as the task's bits per byte), pooled over ranges
// of the position `t`.

let positionRanges = [0..<256, 256..<512, 512..<1024, 1024..<2048, 2048..<4096, 4096..<(contexts.last! - 1)]

/// Bits per byte of `model` over each of `positionRanges` when it reads `tokens` from an empty state.
func bitsPerByteByPosition<Model: SequenceModel>(_ model: Model, reading tokens: [Int]) throws -> [Double] {
  var state = try model.initialState(batchSize: 1)
  let logits = try model.prefill([Array(tokens.dropLast())], state: &state).values
  return positionRanges.map { range in
    let scored = range.filter { tokens[$0 + 1] != TextTask.separator }
    let bits = scored.reduce(0.0) { total, position in
      let row = logits[(position * vocabulary)..<((position + 1) * vocabulary)].map(Double.init)
      return total - Categorical.logSoftmax(row)[tokens[position + 1]] / log(2)
    }
    return bits / Double(scored.count)
  }
}

let longestContext = contextWindow(length: contexts.last!)
let positionBits = try ([targetEntry] + draftEntries).map {
  try bitsPerByteByPosition($0.model, reading: longestContext)
}

// ## The page

page.text("# Speculative decoding: an S4D draft and a transformer draft for a transformer target")
page.text(
  "Byte-level models on Debian's fortunes (the `TextTask` corpus; windows of \(length) bytes, batch 16, the same "
    + "windows in the same order for all three, AdamW at 3e-3 with warm-up and cosine decay). Test bits per byte "
    + "over the first \(testWindows) windows of the test split (\(testWindows * length) bytes):")
var modelTable = try Table(
  headers: ["model", "configuration", "parameters", "steps", "training time", "test bits per byte"],
  alignments: [.left, .left, .right, .right, .right, .right])
for entry in [targetEntry] + draftEntries {
  try modelTable.append([
    entry.name, entry.configuration, "\(entry.model.parameterCount)", "\(entry.steps)",
    format.string(entry.seconds) + " s", format.string(entry.testBitsPerByte),
  ])
}
page.table(modelTable)

page.text("## Exactness: the law of the output")

let pairMean = reference.pair.reduce(0, +) / Double(reference.pair.count)
let firstMean = reference.first.reduce(0, +) / Double(reference.first.count)
let (pair99, first99) = (quantile(reference.pair, 0.99), quantile(reference.first, 0.99))
var exactnessTable = try Table(
  headers: [
    "draft", "accepted / drafted", "TV(P̂, P), first byte", "TV(P̂, P), pair", "TV(Q, P), first byte", "TV(Q, P), pair",
  ],
  alignments: [.left, .right, .right, .right, .right, .right])
var exactnessVerdicts: [String] = []
for result in exactness {
  let firstDistance = totalVariation(counts: result.firstCounts, total: exactnessSamples, law: targetFirstLaw)
  let pairDistance = totalVariation(counts: result.pairCounts, total: exactnessSamples, law: targetPairLaw)
  let draftFirst = totalVariation(firstTokenMarginal(result.draftLaw, vocabulary: vocabulary), targetFirstLaw)
  let draftPair = totalVariation(result.draftLaw, targetPairLaw)
  try exactnessTable.append([
    result.draft, format.string(result.acceptedShare), format.string(firstDistance), format.string(pairDistance),
    format.string(draftFirst), format.string(draftPair),
  ])
  let within = firstDistance <= first99 && pairDistance <= pair99
  exactnessVerdicts.append(
    "with the \(result.draft), TV(P̂, P) is \(format.string(firstDistance)) for the first byte and "
      + "\(format.string(pairDistance)) for the pair: "
      + (within
        ? "both within the 99th percentiles of exact sampling"
        : "**not** within the 99th percentiles of exact sampling (first byte "
          + (firstDistance <= first99 ? "within" : "above") + ", pair " + (pairDistance <= pair99 ? "within" : "above")
          + ")")
      + "; the draft's own law is at TV \(format.string(draftFirst)) (first byte) and \(format.string(draftPair)) "
      + "(pair), \(format.string(draftFirst / first99))× and \(format.string(draftPair / pair99))× those percentiles"
      + (draftFirst > first99 || draftPair > pair99
        ? ", so a sampler that followed the draft instead of the target would have been caught"
        : ", so at this N the test could not have told the draft's law from the target's"))
}
page.text(
  "Context `The secret of ` (14 bytes, the last a space), sampling at T = 1, draft length 2, 3 new bytes; "
    + "\(exactnessSamples) speculative samples per draft ("
    + exactness.map { format.string($0.seconds) + " s" }.joined(separator: " and ") + "). "
    + "`P` is the target's exact law of the first two bytes, `P̂` the speculative samples' empirical law, `Q` the "
    + "draft's exact law. Exact sampling "
    + "(\(exactnessReplicates) sets of \(exactnessSamples) draws from `P`) leaves TV(P̂, P) at "
    + "\(format.string(firstMean)) on average for the first byte (99th percentile \(format.string(first99))) and "
    + "\(format.string(pairMean)) for the pair (99th percentile \(format.string(pair99))).")
page.table(exactnessTable)
page.text("In this run, " + exactnessVerdicts.joined(separator: "; ") + ".")

let topTokens = targetFirstLaw.indices.sorted { targetFirstLaw[$0] > targetFirstLaw[$1] }.prefix(12)
let firstByteChart = LineChart(
  title: "First byte after \"The secret of \": target, drafts and speculative samples",
  xAxis: .init(label: "byte, by the target's probability (rank)", ticks: (1...topTokens.count).map(Double.init)),
  yAxis: .init(label: "probability"),
  series: [
    .init(
      name: "target p (exact)",
      points: topTokens.enumerated().map { (Double($0.offset + 1), targetFirstLaw[$0.element]) }, mark: .line)
  ]
    + exactness.flatMap { result in
      let draftFirst = firstTokenMarginal(result.draftLaw, vocabulary: vocabulary)
      return [
        LineChart.Series(
          name: "\(result.draft) q (exact)",
          points: topTokens.enumerated().map { (Double($0.offset + 1), draftFirst[$0.element]) }, mark: .markers),
        LineChart.Series(
          name: "speculative, \(result.draft) (N = \(exactnessSamples))",
          points: topTokens.enumerated().map {
            (Double($0.offset + 1), Double(result.firstCounts[$0.element, default: 0]) / Double(exactnessSamples))
          }, mark: .markers),
      ]
    })
try page.figure(
  "first-byte-law.svg", svg: try firstByteChart.svg(),
  caption: "The \(topTokens.count) most likely first bytes ("
    + topTokens.map { "`\(byteLabel($0))`" }.joined(separator: " ")
    + "): the target's probability, each draft's, and the frequency among the speculative samples")

/// Whether `tokens` equal the target's greedy output, or the first new byte where they differ.
func greedyComparison(_ tokens: [Int]) -> String {
  guard tokens != targetGreedy else { return "identical, token for token." }
  let difference = tokens.indices.first { $0 >= targetGreedy.count || tokens[$0] != targetGreedy[$0] }
  return "**differs**, first at new byte \((difference ?? tokens.count) + 1)."
}

let greedyComparisons = zip(draftEntries, draftGreedy).map { entry, tokens in
  "Speculative with the \(entry.name) (k = 4): " + greedyComparison(tokens)
}
page.text(
  "Greedy decoding, 64 new bytes after the same context, target alone:\n\n" + codeBlock(exactnessPrompt + targetGreedy)
    + "\n\n" + greedyComparisons.joined(separator: " "))

page.text("## Speed")
let greedyRuns = speed.filter { $0.temperature == 0 }
let identicalRuns = greedyRuns.filter { $0.identical == true }
page.text(
  "Contexts of \(contexts.map(String.init).joined(separator: ", ")) held-out bytes; \(newTokens) new bytes per "
    + "run, \(timedRuns) timed runs per configuration (medians), \(format.string(speedSeconds)) s for the whole "
    + "sweep. All three models were trained on \(length)-byte windows, so every context here is longer than any "
    + "the models were trained on. In the greedy configurations the speculative output equalled the target-alone "
    + "output in \(identicalRuns.count) of \(greedyRuns.count) configurations (all \(timedRuns) runs each). "
    + "Timing noise: the target-alone time per token, the same work measured again in each configuration, ranged "
    + contexts.map { context in
      let times = speed.filter { $0.context == context }.map(\.targetAlone)
      return
        "from \(format.string(times.min()! * 1e6)) to \(format.string(times.max()! * 1e6)) µs at context \(context)"
    }.joined(separator: ", ") + "."
    + (loadAverage.map { " The machine's load average was \($0) when the notebook started." } ?? ""))

let draftNames = draftEntries.map(\.name)

/// `T = 0 (greedy)` or `T = 1`.
func temperatureName(_ temperature: Double) -> String {
  temperature == 0 ? "T = 0 (greedy)" : "T = \(format.string(temperature))"
}

let speedups = speed.map(\.speedup) + [1]
let speedupRange = (speedups.min()! / 1.25)...(speedups.max()! * 1.25)
for name in draftNames {
  let chart = LineChart(
    title: "Speedup over the target alone, \(name)",
    xAxis: .init(label: "draft length k", scale: .log10, ticks: draftLengths.map(Double.init)),
    yAxis: .init(label: "tokens/s speculative ÷ tokens/s target alone", scale: .log10, range: speedupRange),
    series: contexts.flatMap { context in
      temperatures.map { temperature in
        LineChart.Series(
          name: "context \(context), \(temperatureName(temperature))",
          points: speed.filter { $0.draft == name && $0.context == context && $0.temperature == temperature }
            .map { (Double($0.k), $0.speedup) })
      }
    } + [.init(name: "break-even (1×)", points: [(1, 1), (8, 1)], mark: .line)])
  try page.figure(
    "speedup-\(name.split(separator: " ")[0].lowercased()).svg", svg: try chart.svg(),
    caption: "Speedup against draft length, \(name): one line per context and temperature")
}

let acceptanceChart = LineChart(
  title: "Per-token acceptance rate against draft length",
  xAxis: .init(label: "draft length k", scale: .log10, ticks: draftLengths.map(Double.init)),
  yAxis: .init(label: "α = accepted / verified draft tokens", range: 0...1),
  series: draftNames.flatMap { name in
    temperatures.map { temperature in
      LineChart.Series(
        name: "\(name), \(temperatureName(temperature))",
        points: draftLengths.map { k in
          let cells = speed.filter { $0.draft == name && $0.temperature == temperature && $0.k == k }
          return (Double(k), cells.reduce(0) { $0 + $1.acceptance } / Double(cells.count))
        })
    }
  })
try page.figure(
  "acceptance.svg", svg: try acceptanceChart.svg(),
  caption: "Per-token acceptance rate α against draft length, the mean of its values at the \(contexts.count) contexts")

let largestExpected = speed.map(\.expectedTokensPerPass).max()!
let passChart = LineChart(
  title: "Mean tokens per target pass: measured against (1 − α^{k+1}) / (1 − α)",
  xAxis: .init(label: "expected from the measured α and k"), yAxis: .init(label: "measured"),
  series: draftNames.flatMap { name in
    temperatures.map { temperature in
      LineChart.Series(
        name: "\(name), \(temperatureName(temperature))",
        points: speed.filter { $0.draft == name && $0.temperature == temperature }
          .map { ($0.expectedTokensPerPass, $0.tokensPerPass) }, mark: .markers)
    }
  } + [.init(name: "measured = expected", points: [(1, 1), (largestExpected, largestExpected)], mark: .line)])
try page.figure(
  "tokens-per-pass.svg", svg: try passChart.svg(),
  caption: "Measured mean tokens per verification pass against the value expected from the measured acceptance "
    + "rate, one point per configuration")

/// A pass of `k + 1` tokens after `context` in units of one step (a pass of one token) there.
@MainActor
func passInSteps(context: Int, k: Int) -> Double { passCost[context]![k + 1]! / passCost[context]![1]! }

let passCostChart = LineChart(
  title: "Cost of one verification pass of the target, in target steps",
  xAxis: .init(
    label: "draft length k (the pass reads k + 1 tokens)", scale: .log10, ticks: draftLengths.map(Double.init)),
  yAxis: .init(label: "pass time ÷ one step's time", scale: .log10),
  series: contexts.map { context in
    LineChart.Series(
      name: "context \(context)",
      points: draftLengths.map { (Double($0), passInSteps(context: context, k: $0)) })
  } + [
    .init(
      name: "k + 1 steps (the most a pass emits)", points: draftLengths.map { (Double($0), Double($0 + 1)) },
      mark: .line)
  ])
try page.figure(
  "verification-pass-cost.svg", svg: try passCostChart.svg(),
  caption: "Time of the target reading k + 1 tokens in one prefill, over one single-token step, after each context")

var speedTable = try Table(
  headers: [
    "context", "T", "draft", "k", "target alone (µs/token)", "speculative (µs/token)", "speedup",
    "accepted / drafted", "α", "tokens per pass", "(1 − α^{k+1})/(1 − α)", "pass ÷ step", "greedy output identical",
  ],
  alignments: [.right, .right, .left, .right, .right, .right, .right, .right, .right, .right, .right, .right, .left])
for cell in speed {
  try speedTable.append([
    "\(cell.context)", format.string(cell.temperature), cell.draft, "\(cell.k)", format.string(cell.targetAlone * 1e6),
    format.string(cell.speculative * 1e6), format.string(cell.speedup), format.string(cell.acceptedShare),
    format.string(cell.acceptance), format.string(cell.tokensPerPass), format.string(cell.expectedTokensPerPass),
    format.string(passInSteps(context: cell.context, k: cell.k)),
    cell.identical.map { $0 ? "yes" : "**no**" } ?? "—",
  ])
}
page.table(speedTable)

// ## What came out
//
// Every sentence below is chosen by the numbers of this run.

/// A configuration in words.
func describe(_ cell: SpeedMeasurement) -> String {
  "the \(cell.draft) at context \(cell.context), \(temperatureName(cell.temperature)), k = \(cell.k)"
}

let best = speed.max { $0.speedup < $1.speedup }!
let faster = speed.filter { $0.speedup > 1 }
page.text(
  "**Best speedup.** \(format.string(best.speedup))× with " + describe(best)
    + " (α = \(format.string(best.acceptance)), "
    + "\(format.string(best.tokensPerPass)) tokens per pass). Speculative decoding was faster than the target alone "
    + "in \(faster.count) of \(speed.count) configurations"
    + (faster.isEmpty
      ? "." : ": " + faster.map { describe($0) + " (\(format.string($0.speedup))×)" }.joined(separator: "; ") + "."))

let pairs = speed.filter { $0.draft == draftNames[0] }.compactMap { s4d in
  speed.first {
    $0.draft == draftNames[1] && $0.context == s4d.context && $0.temperature == s4d.temperature && $0.k == s4d.k
  }
  .map { (s4d: s4d, transformer: $0) }
}
let s4dWins = pairs.filter { $0.s4d.speedup > $0.transformer.speedup }
let bestByDraft = draftNames.map { name in speed.filter { $0.draft == name }.max { $0.speedup < $1.speedup }! }
page.text(
  "**S4D draft against transformer draft.** In \(s4dWins.count) of \(pairs.count) matched configurations (same "
    + "context, temperature and k) the \(draftNames[0]) gave the larger speedup. Best of each: "
    + bestByDraft.map {
      "\($0.draft) \(format.string($0.speedup))× (context \($0.context), \(temperatureName($0.temperature)), "
        + "k = \($0.k))"
    }
    .joined(separator: ", ")
    + ". Mean per-token acceptance rate α over k and T, by context: "
    + contexts.map { context in
      "\(context): "
        + draftNames.map { name in
          let cells = speed.filter { $0.draft == name && $0.context == context }
          return "\(name) \(format.string(cells.reduce(0) { $0 + $1.acceptance } / Double(cells.count)))"
        }.joined(separator: ", ")
    }.joined(separator: "; ") + ".")

let aimCells = speed.filter { $0.draft == draftNames[0] && $0.context == 4096 && $0.temperature == 0 }
let aimBest = aimCells.max { $0.speedup < $1.speedup }!
page.text(
  "**The issue's aim** (≥ 1.8× at context 4 096, T = 0, with an S4D draft): "
    + (aimBest.speedup >= 1.8 ? "met" : "not met")
    + " in this run; the best there was \(format.string(aimBest.speedup))× at k = \(aimBest.k) (α = "
    + "\(format.string(aimBest.acceptance)), \(format.string(aimBest.tokensPerPass)) tokens per pass; "
    + aimCells.map { "k = \($0.k): \(format.string($0.speedup))×" }.joined(separator: ", ") + ").")

let deviations = speed.map { abs($0.tokensPerPass - $0.expectedTokensPerPass) / $0.expectedTokensPerPass }
let worstDeviation = speed[deviations.indices.max { deviations[$0] < deviations[$1] }!]
page.text(
  "**Tokens per pass against the formula.** The measured mean tokens per pass differ from "
    + "(1 − α^{k+1})/(1 − α) by \(format.string(100 * deviations.reduce(0, +) / Double(deviations.count))) % on "
    + "average and by at most \(format.string(100 * deviations.max()!)) % (" + describe(worstDeviation) + ": "
    + "\(format.string(worstDeviation.tokensPerPass)) measured, \(format.string(worstDeviation.expectedTokensPerPass)) "
    + "expected). The formula assumes each draft token is accepted independently with the same probability; the "
    + "last round of a run is also shortened so as not to pass \(newTokens) tokens.")

// Where the time goes: target alone pays one step per token; a speculative round pays one pass of k + 1 tokens
// and k draft steps (and, after a rejection, the draft's rollback) for at most k + 1 tokens. Where the pass alone
// costs at least k + 1 steps, no draft, however good or cheap, can make a round faster than the target alone.

var costTable = try Table(
  headers: ["context", "target step (µs)"] + draftLengths.map { "pass of \($0 + 1) tokens (steps)" }
    + ["most tokens per pass measured"],
  alignments: [.right, .right] + draftLengths.map { _ in .right } + [.left])
for context in contexts {
  let mostTokens = speed.filter { $0.context == context }.max { $0.tokensPerPass < $1.tokensPerPass }!
  try costTable.append(
    ["\(context)", format.string(passCost[context]![1]! * 1e6)]
      + draftLengths.map { format.string(passInSteps(context: context, k: $0)) }
      + [
        "\(format.string(mostTokens.tokensPerPass)) (\(mostTokens.draft), "
          + "T = \(format.string(mostTokens.temperature)), k = \(mostTokens.k))"
      ])
}
let cheapPasses = contexts.flatMap { context in
  draftLengths.filter { passInSteps(context: context, k: $0) < Double($0 + 1) }.map { (context: context, k: $0) }
}
page.text(
  "**Where the time goes.** Target alone pays one step per token; a speculative round pays one verification pass "
    + "of k + 1 tokens, k draft steps and, after a rejection, the draft's rollback, and emits at most k + 1 tokens. "
    + "The pass, in units of one step of the target after the same context:")
page.table(costTable)
page.text(
  "A pass of k + 1 tokens cost less than k + 1 steps in \(cheapPasses.count) of "
    + "\(contexts.count * draftLengths.count) (context, k) pairs"
    + (cheapPasses.isEmpty
      ? ""
      : " ("
        + cheapPasses.map {
          "context \($0.context), k = \($0.k): \(format.string(passInSteps(context: $0.context, k: $0.k))) steps"
        }
        .joined(separator: "; ") + ")")
    + (cheapPasses.count == contexts.count * draftLengths.count
      ? "."
      : ". Wherever it costs at least k + 1 steps, even a draft that costs nothing and is always accepted leaves "
        + "speculative decoding no faster than the target alone: there the verification pass, not the draft, sets "
        + "the speed."))

var continuationTable = try Table(
  headers: ["context", "its last \(contextEnding) bytes", targetEntry.name] + draftNames,
  alignments: [.right, .left, .left] + draftNames.map { _ in .left })
for entry in continuations {
  try continuationTable.append(["\(entry.context)", inlineCode(entry.ending)] + entry.outputs.map(inlineCode))
}
page.text("### Acceptance and the length of the context")
page.text(
  "What each model writes on its own after each context (greedy, \(continuationBytes) bytes; `⏎` a line break, "
    + "`⇥` a tab):")
page.table(continuationTable)

/// `[a, b)` as text.
func rangeName(_ range: Range<Int>) -> String { "[\(range.lowerBound), \(range.upperBound))" }

let modelNames = [targetEntry.name] + draftNames
let positionChart = LineChart(
  title: "Bits per byte against position in the \(contexts.last!)-byte context",
  xAxis: .init(
    label: "position t (range upper bound)", scale: .log10, ticks: positionRanges.map { Double($0.upperBound) }),
  yAxis: .init(label: "bits per byte over the range"),
  series: zip(modelNames, positionBits).map { name, bits in
    LineChart.Series(name: name, points: zip(positionRanges, bits).map { (Double($0.upperBound), $1) })
  })
try page.figure(
  "bits-per-byte-vs-position.svg", svg: try positionChart.svg(),
  caption: "Code length of the longest context's bytes by position, each model reading it from an empty state; "
    + "the models were trained on positions below \(length)")
page.text(
  "Bits per byte of the \(contexts.last!)-byte context's own bytes, first position range "
    + "\(rangeName(positionRanges.first!)) against the last \(rangeName(positionRanges.last!)): "
    + zip(modelNames, positionBits).map { name, bits in
      let change = bits.last! - bits.first!
      return "\(name) \(format.string(bits.first!)) → \(format.string(bits.last!)) ("
        + (change > 0 ? "up" : "down") + " \(format.string(abs(change))))"
    }.joined(separator: ", ") + ".")

page.text(
  "Produced by `make notebooks` (or `swift run -c release notebook-speculative-decoding`) in "
    + "\(format.string(Date().timeIntervalSince(started))) s.")
print("speculative decoding: \(try page.write().path)")
