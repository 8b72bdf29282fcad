// # Multi-token heads: Medusa on a transformer and an S4D
//
// Runtime: about 4 minutes on 2 cores (release build; 203–264 s in four runs at load 1.2–3.8, about 85 % of it
// training).
// Run: `swift run -c release notebook-multi-token-heads [output-folder]`
// (default output folder: `notebook-output/multi-token-heads/`), or `make notebooks`.
//
// Medusa (Cai et al. 2024) puts `K` extra heads on a trained backbone. The backbone's last hidden state `h_t` at
// position `t` gives its own next-token logits `z_0 = h_t U + c`; head `k` (`k = 1 … K`) reads the same `h_t` and
// predicts token `t + k + 1` with
//
//     z_k = (h_t + SiLU(h_t W_k + b_k)) U_k + c_k,
//
// its residual block `W_k, b_k` starting at zero and `U_k, c_k` as a copy of the output layer `U, c` (so an untrained
// head repeats the backbone's next-token guess). Medusa-1 trains only the heads, on the frozen backbone, with the
// loss `Σ_k λ_k CE_k`, `λ_k = 0.8^{k−1}`, `CE_k` the cross-entropy of head `k` against token `t + k + 1`.
//
// Decoding proceeds in passes. A pass draws the root `r` (the backbone's own next token) from the decoding
// distribution `p`, puts the heads' top candidates below it as a tree (`MedusaTree`: a path `[i₁, …, i_d]` is the
// `i₁`-th token of head 1, then the `i₂`-th of head 2, …), reads the whole tree in one backbone pass
// (`SequenceModel.readTree`: one pass with a tree attention mask for the transformer, a forked state per node for
// the S4D) and emits the root and the longest accepted path below it. A candidate `x` is accepted when its parent is
// and, under the parent's distribution `p`: greedy, `x = argmax p` (so the output is plain greedy decoding's);
// sampling, the typical-acceptance rule `p(x) > min(ε, δ e^{−H(p)})` (`H` the entropy in nats, `ε = 0.09`,
// `δ = 0.3`), which keeps the heads' tokens rather than draws from `p` and so changes the output law. A pass emits
// between 1 and `depth + 1` tokens; their mean over passes is the mean accepted length, the quantity that has to
// pay for a pass costing more than a step.
//
// This notebook trains a byte-level transformer and an S4D on the fortunes text, three Medusa-1 heads on each, and
// measures, through the library (`TrainingRun` with `RunConfiguration.medusa`, `medusaAccuracy`, `medusaGenerate`,
// `MedusaDecoder`, `generate`): each head's top-1 accuracy; whether greedy Medusa reproduces greedy decoding; the
// mean accepted length of four trees at T = 0 and T = 1; tokens per second against plain decoding; and, by exact
// enumeration and by sampling, how typical acceptance changes the law of the first two sampled tokens.

import Autodiff
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

let output = NotebookPage.outputFolder(name: "multi-token-heads")
var page = try NotebookPage(folder: output)
let format = NumberFormat(significantDigits: 3)

// ## The models
//
// The text task's default corpus (Debian's fortunes, bytes, vocabulary 257 with the document separator), windows
// of 256 bytes, batch 16, AdamW at learning rate 3e-3 (state space parameters 1e-3), 20 warm-up steps and cosine
// decay, each run a `TrainingRun` (batch `s` of the train split for step `s`):
//
// - transformer: d = 128, 4 heads, 2 blocks, MLP 4×, rotary positions;
// - S4D: H = 128, N = 64, 2 blocks.
//
// Then a Medusa-1 run per backbone (`RunConfiguration.medusa = MedusaConfiguration(heads: 3)`, decay 0.8, started
// from the backbone's checkpoint, which stays frozen) trains three heads on other batches (seed 1). Test bits per
// byte are measured on the first `testWindows` consecutive windows of the test split.

let length = 256
let testWindows = 64
let headCount = 3
let task = try TextTask(length: length)
let vocabulary = TextTask.vocabulary
let runs = FileManager.default.temporaryDirectory.appendingPathComponent(
  "notebook-multi-token-heads-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")

struct TrainedBackbone {
  let name: String
  let configuration: String
  let model: any SequenceModel
  let heads: MedusaHeads
  let steps: Int
  let seconds: Double
  let headSteps: Int
  let headSeconds: Double
  /// Mean Medusa loss `Σ_k λ_k CE_k` over the first and the last 20 head-training steps.
  let headLoss: (first: Double, last: Double)
  let testBitsPerByte: Double
}

/// A backbone of `model` trained for `steps` steps, then `headCount` Medusa-1 heads on it for `headSteps` steps.
func trained(_ name: String, _ configuration: String, _ model: ModelConfiguration, steps: Int, headSteps: Int)
  throws -> TrainedBackbone
{
  let backboneFolder = runs.appendingPathComponent(name)
  let backbone = try TrainingRun(
    directory: backboneFolder,
    configuration: RunConfiguration(
      task: TaskConfiguration(.text, length: length), model: model, batch: 16, steps: steps, warmupSteps: 20,
      seed: 0, checkpointEvery: steps),
    resume: false)
  let backboneSeconds = try seconds { try backbone.run() }
  let medusa = try TrainingRun(
    directory: runs.appendingPathComponent(name + "-medusa"),
    configuration: RunConfiguration(
      task: TaskConfiguration(.text, length: length), model: model, batch: 16, steps: headSteps, warmupSteps: 20,
      seed: 1, checkpointEvery: headSteps, initializedFrom: TrainingRun.checkpointURL(in: backboneFolder).path,
      medusa: MedusaConfiguration(heads: headCount)),
    resume: false)
  var losses: [Double] = []
  let headSeconds = try seconds { try medusa.run { losses.append(Double($0.loss)) } }
  let window = min(20, losses.count)
  let bits = try bitsPerByte(of: medusa.model, on: task, split: .test, windows: testWindows).value
  print(
    "\(name): \(steps) steps in \(format.string(backboneSeconds)) s (test \(format.string(bits)) bits per byte), "
      + "\(headCount) heads in \(headSteps) steps, \(format.string(headSeconds)) s")
  return TrainedBackbone(
    name: name, configuration: configuration, model: medusa.model, heads: medusa.medusaHeads!, steps: steps,
    seconds: backboneSeconds, headSteps: headSteps, headSeconds: headSeconds,
    headLoss: (
      losses.prefix(window).reduce(0, +) / Double(window), losses.suffix(window).reduce(0, +) / Double(window)
    ),
    testBitsPerByte: bits)
}

let transformerEntry = try trained(
  "transformer", "transformer, d = 128, 4 heads, 2 blocks",
  .transformer(.init(vocabulary: vocabulary, width: 128, depth: 2, heads: 4)), steps: 300, headSteps: 200)
let s4dEntry = try trained(
  "S4D", "S4D, H = 128, N = 64, 2 blocks", .s4(.init(vocabulary: vocabulary, width: 128, depth: 2, stateSize: 64)),
  steps: 300, headSteps: 200)
let backbones = [transformerEntry, s4dEntry]
try? FileManager.default.removeItem(at: runs)

// ## 1. Per-head accuracy
//
// `medusaAccuracy` scores head `k` at every position `t` of `accuracyExamples` random windows of the test split
// (seed 5): top-1 accuracy, `argmax z_k(h_t) = x_{t+k+1}`. Beside it, on the same windows, the backbone's own
// next-token accuracy (`argmax z_0(h_t) = x_{t+1}`, offset 1) and untrained heads (copies of the output layer, so
// head `k` guesses `x_{t+k+1}` with the backbone's guess of `x_{t+1}`): what training the heads added.

let accuracyExamples = 64
let accuracySeed: UInt64 = 5

/// The backbone's next-token top-1 accuracy on the windows `medusaAccuracy` reads (`accuracyExamples` windows of
/// the test split at `accuracySeed`, in batches of 16).
func nextTokenAccuracy(_ model: any SequenceModel) throws -> Double {
  var score = Accuracy(correct: 0, total: 0)
  var unused = SeededGenerator(seed: 0)
  for index in 0..<(accuracyExamples / 16) {
    let batch = try task.batch(16, split: .test, index: index, seed: accuracySeed, length: length)
    let tape = Tape(recordsGradients: false)
    let logits = tape.value(try model.logits(batch.tokens!, on: tape, training: false, generator: &unused))
    score = score + (try batch.accuracy(logits: logits.values, classes: vocabulary))
  }
  return score.value
}

struct HeadAccuracy {
  /// Offset 1 (the backbone), then heads 1 … K.
  let trained: [Double]
  /// Offset 1 (the backbone), then untrained heads 1 … K.
  let untrained: [Double]
}

let accuracies = try backbones.map { entry -> HeadAccuracy in
  let backbone = try nextTokenAccuracy(entry.model)
  let (weight, bias) = entry.model.outputLayer!
  let untrainedHeads = try MedusaHeads(count: headCount, outputWeight: weight, outputBias: bias)
  let trained = try medusaAccuracy(
    entry.heads, on: entry.model, task: task, examples: accuracyExamples, seed: accuracySeed)
  let untrained = try medusaAccuracy(
    untrainedHeads, on: entry.model, task: task, examples: accuracyExamples, seed: accuracySeed)
  return HeadAccuracy(trained: [backbone] + trained.map(\.value), untrained: [backbone] + untrained.map(\.value))
}

// ## 2–3. Greedy identity and mean accepted length
//
// `promptCount` held-out prompts of `promptLength` bytes (windows of the test split at seeds 1, 2, …), each
// continued by `promptNewTokens` bytes with `generate` (greedy) and with `medusaGenerate` for four trees:
//
// - `chain(1)`, `chain(2)`, `chain(3)`: the top token of the first 1, 2, 3 heads in a row (2, 3, 4 nodes with the
//   root);
// - `compact(3)`: the top three tokens of head 1, the top two of head 2 below head 1's first and its top token below
//   head 1's second, head 3's top token below the chain of first tokens (8 nodes).
//
// Greedy: the Medusa output should equal the plain output token for token. Mean accepted length = emitted tokens
// over passes, pooled over the prompts, greedy (T = 0) and sampling at T = 1 (prompt `i` with seed `i`, typical
// acceptance with the published `ε = 0.09`, `δ = 0.3`). A pass verifies `nodes − 1` candidates; the share of
// verified candidates that were accepted is the other count of the table.

let promptCount = 32
let promptLength = 64
let promptNewTokens = 64
let testStream = task.stream(of: .test)
let prompts = (0..<promptCount).map { streamWindow(testStream, length: promptLength, seed: UInt64(1 + $0)) }
let trees: [(name: String, tree: MedusaTree)] = [
  ("chain(1)", .chain(depth: 1)), ("chain(2)", .chain(depth: 2)), ("chain(3)", .chain(depth: 3)),
  ("compact(3)", .compact(heads: headCount)),
]
let temperatures = [0.0, 1.0]

/// Greedy decoding, or sampling at `temperature` (no other processor), `newTokens` new tokens, seed `seed`.
func decodingOptions(temperature: Double, newTokens: Int, seed: UInt64) -> GenerationOptions {
  GenerationOptions(
    maxNewTokens: newTokens,
    strategy: temperature == 0 ? .greedy : .sampling(SamplingParameters(temperature: temperature)), seed: seed)
}

/// `T = 0 (greedy)` or `T = 1`.
func temperatureName(_ temperature: Double) -> String {
  temperature == 0 ? "T = 0 (greedy)" : "T = \(format.string(temperature))"
}

struct TreeCounts {
  let backbone: String
  let tree: String
  let nodes: Int
  let temperature: Double
  /// Prompts whose Medusa output equalled plain greedy decoding's (greedy only).
  let identical: Int?
  let emitted: Int
  let passes: Int
  let verified: Int
  let accepted: Int

  /// Mean accepted length: tokens per pass.
  var tokensPerPass: Double { Double(emitted) / Double(passes) }
}

/// Experiments 2 and 3 for one backbone.
func acceptedLengths<Model: SequenceModel>(_ model: Model, heads: MedusaHeads, name: String) throws -> [TreeCounts] {
  let plain = try prompts.map {
    try generate(model, prompt: $0, options: decodingOptions(temperature: 0, newTokens: promptNewTokens, seed: 0))[0]
      .tokens
  }
  var counts: [TreeCounts] = []
  for temperature in temperatures {
    for (treeName, tree) in trees {
      var (identical, emitted, passes, verified, accepted) = (0, 0, 0, 0, 0)
      for (index, prompt) in prompts.enumerated() {
        let result = try medusaGenerate(
          model, heads: heads, prompt: prompt,
          options: decodingOptions(temperature: temperature, newTokens: promptNewTokens, seed: UInt64(index)),
          medusa: MedusaParameters(tree: tree))[0]
        if result.generation.tokens == plain[index] { identical += 1 }
        emitted += result.generation.tokens.count
        passes += result.targetPasses
        verified += result.draftedTokens
        accepted += result.acceptedDraftTokens
      }
      let entry = TreeCounts(
        backbone: name, tree: treeName, nodes: tree.nodeCount, temperature: temperature,
        identical: temperature == 0 ? identical : nil, emitted: emitted, passes: passes, verified: verified,
        accepted: accepted)
      print(
        "\(name), \(treeName), \(temperatureName(temperature)): \(format.string(entry.tokensPerPass)) tokens per pass"
          + (temperature == 0 ? ", greedy identical on \(identical) of \(promptCount) prompts" : ""))
      counts.append(entry)
    }
  }
  return counts
}

/// The greedy Medusa continuation of `prompt` with `tree`, one array of emitted tokens per pass.
func passSegments<Model: SequenceModel>(_ model: Model, heads: MedusaHeads, prompt: [Int], tree: MedusaTree) throws
  -> [[Int]]
{
  var decoder = try MedusaDecoder(
    model: model, heads: heads, prompt: prompt,
    options: decodingOptions(temperature: 0, newTokens: promptNewTokens, seed: 0), medusa: MedusaParameters(tree: tree))
  var draws = SeededGenerator(seed: 0)
  var segments: [[Int]] = []
  while !decoder.finished {
    let before = decoder.emitted.count
    try decoder.pass(draws: &draws)
    segments.append(Array(decoder.emitted[before...]))
  }
  return segments
}

// ## 4. Speed
//
// Context: `speedContextLength` held-out bytes (the test split's window at seed 1000), then `speedNewTokens` new
// bytes, so the run ends at the training length. For each backbone, T ∈ {0, 1} and tree, one untimed warm-up run and
// `timedRuns` timed runs; run `r` samples with seed `r`, and in each run:
//
// - plain: a `SequentialDecoder` choosing each token from one `step` (`timedSequentialDecoding`), from a copy of a
//   state that has read the context but its last byte;
// - Medusa: a copy of a `MedusaDecoder` that has read the context, running its passes (`run`).
//
// Reading the context is untimed for both. Seconds per token are the median run's time over its tokens; the speedup
// is plain over Medusa. Since Medusa emits `L` tokens per pass on average (the mean accepted length), the speedup
// is `L · t_step / t_pass`, `t_pass` the time of one pass (tree reading, the heads, choosing and accepting). To see
// where `t_pass` goes, each run is followed by `costRepetitions` timed calls of each part after the context:
// `readTree` of the tree (its nodes the backbone's argmax and the heads' top tokens), `state(after:of:)` for the path
// to the tree's last node (the state a pass continues from) and the heads on one hidden state
// (`MedusaHeads.logits(hidden:)`); their medians over the timed runs are given in units of the plain time per token.
// The rest of `t_pass` is the decoder's own work: ranking the heads' tokens, the distribution of every node and the
// acceptance rule. The parts are timed at the context's end (128 bytes) while the passes run at contexts 128 to 256,
// so the split is approximate (for the transformer, whose tree reading grows with the context, the rest includes
// that growth).

let speedContextLength = 128
let speedNewTokens = 128
let timedRuns = 9
let costRepetitions = 9

struct SpeedMeasurement {
  let backbone: String
  let tree: String
  let nodes: Int
  let temperature: Double
  /// Median seconds per token.
  let plain: Double
  let medusa: Double
  let tokensPerPass: Double
  /// Median seconds of `readTree` after the context.
  let treeReading: Double
  /// Median seconds of `state(after:of:)` for the path to the tree's last (deepest) node.
  let stateUpdate: Double
  /// Median seconds of the heads on one hidden state.
  let heads: Double
  /// Greedy runs: whether every Medusa output equalled the plain output of the same run.
  let identical: Bool?

  var speedup: Double { plain / medusa }
  /// Mean seconds of one Medusa pass: seconds per token × tokens per pass.
  var pass: Double { medusa * tokensPerPass }
}

/// Experiment 4 for one backbone, and the heads' median seconds on one hidden state.
func speed<Model: SequenceModel>(_ model: Model, heads: MedusaHeads, name: String) throws -> (
  [SpeedMeasurement], heads: Double
) {
  let context = streamWindow(testStream, length: speedContextLength, seed: 1000)
  var prefilled = try model.initialState(batchSize: 1)
  _ = try model.prefill([Array(context.dropLast())], state: &prefilled)
  var afterContext = try model.initialState(batchSize: 1)
  let (logits, hidden) = try model.prefillWithHiddenStates([context], state: &afterContext)
  let width = hidden.shape[hidden.shape.count - 1]
  let lastHidden = Array(hidden.values[((context.count - 1) * width)...])
  let root = Categorical.argmax(logits.values[((context.count - 1) * vocabulary)...].map(Double.init))
  let headTokens = try heads.logits(hidden: lastHidden).map { row in
    row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }
  }
  var measurements: [SpeedMeasurement] = []
  for temperature in temperatures {
    for (treeName, tree) in trees {
      let tokens = try tree.tokens(root: root, topTokens: headTokens)
      let reading = try model.readTree(tokens, parents: tree.parents, from: afterContext)
      let deepest = Array(
        sequence(first: tree.nodeCount - 1) { tree.parents[$0] >= 0 ? tree.parents[$0] : nil }.reversed())
      var (readingTimes, stateTimes, headTimes): ([Double], [Double], [Double]) = ([], [], [])
      let fresh = try MedusaDecoder(
        model: model, heads: heads, prompt: context,
        options: decodingOptions(temperature: temperature, newTokens: speedNewTokens, seed: 0),
        medusa: MedusaParameters(tree: tree))
      var (plainTimes, medusaTimes): ([Double], [Double]) = ([], [])
      var (emitted, passes) = (0, 0)
      var identical = true
      for run in -1..<timedRuns {
        let options = decodingOptions(temperature: temperature, newTokens: speedNewTokens, seed: UInt64(max(run, 0)))
        let alone = try timedSequentialDecoding(model, prefilled: prefilled, prompt: context, options: options)
        var decoder = fresh
        var draws = SeededGenerator(seed: options.seed)
        var result: SpeculativeGenerationResult?
        let time = try seconds { result = try decoder.run(draws: &draws) }
        let parts = try (0..<costRepetitions).map { _ in
          (
            try seconds { _ = try model.readTree(tokens, parents: tree.parents, from: afterContext) },
            try seconds { _ = try model.state(after: deepest, of: reading) },
            try seconds { _ = try heads.logits(hidden: lastHidden) }
          )
        }
        guard run >= 0, let result else { continue }
        readingTimes += parts.map(\.0)
        stateTimes += parts.map(\.1)
        headTimes += parts.map(\.2)
        plainTimes.append(alone.seconds / Double(alone.tokens.count))
        medusaTimes.append(time / Double(result.generation.tokens.count))
        emitted += result.generation.tokens.count
        passes += result.targetPasses
        identical = identical && result.generation.tokens == alone.tokens
      }
      let measurement = SpeedMeasurement(
        backbone: name, tree: treeName, nodes: tree.nodeCount, temperature: temperature, plain: median(plainTimes),
        medusa: median(medusaTimes), tokensPerPass: Double(emitted) / Double(passes),
        treeReading: median(readingTimes), stateUpdate: median(stateTimes), heads: median(headTimes),
        identical: temperature == 0 ? identical : nil)
      print(
        "\(name), \(treeName), \(temperatureName(temperature)): \(format.string(measurement.plain * 1e6)) → "
          + "\(format.string(measurement.medusa * 1e6)) µs per token (\(format.string(measurement.speedup))×), "
          + "\(format.string(measurement.tokensPerPass)) tokens per pass")
      measurements.append(measurement)
    }
  }
  return (measurements, median(measurements.map(\.heads)))
}

// ## 5. Typical acceptance and the law of the output
//
// Context: the 14 bytes `The secret of `; sampling at T = 1 (no other processor), 2 new bytes, Medusa with the
// `compact(3)` tree, which a budget of 2 new tokens cuts to its depth-1 nodes: head 1's top three tokens
// `c_1, c_2, c_3`, fixed by the context (the heads read `h` at its last byte). Plain sampling draws the pair
// `(a, b)` from `P(a, b) = p(a) p(b | a)`. Medusa draws the root `a ~ p` and accepts the candidates with
// `p(c_i | a) > τ(a) = min(ε, δ e^{−H(p(· | a))})`; if any is, `b` is the accepted one of largest `p(c_i | a)` (the
// first on a tie), else `b` is drawn from `p(· | a)` in the next pass. So Medusa's law is, exactly,
//
//     M(a, b) = p(a) · 1{b = c*(a)}   if A(a) = {i : p(c_i | a) > τ(a)} ≠ ∅,   else   p(a) p(b | a),
//
// its first-token marginal is `p` (the root is an exact draw), and `TV(M, P) = Σ_{a : A(a) ≠ ∅} p(a) (1 − p(c*(a) | a))`:
// wherever a candidate is accepted, the second byte becomes deterministic instead of a draw from `p(· | a)`. `P` is
// computed from the backbone's parallel logits after the context and after each of its 257 continuations, `M` from
// it and the heads' top tokens.
//
// Sampling: `lawSamples` Medusa samples (seeds `2n …`), and two independent sets of `lawSamples` plain samples
// (seeds `0 …` and `n …`, `timedSequentialDecoding` from a state that has read the context): empirical laws
// `M̂`, `P̂_A`, `P̂_B`. Their total-variation distances `TV(f, g) = ½ Σ_x |f(x) − g(x)|`, for the pair and for the
// first byte alone, against the Monte-Carlo reference of exact sampling: `lawReplicates` sets of `lawSamples` exact
// draws from `P` (by inversion), whose TV to `P` has a 99th percentile; `TV(P̂_A, P̂_B)` is the noise floor of
// comparing two samplers of the same law at this `n`.

let lawPrompt = Array("The secret of ".utf8).map(Int.init)
let lawSamples = 20_000
let lawReplicates = 200
let lawTree = MedusaTree.compact(heads: headCount)

struct LawStudy {
  let backbone: String
  /// `P` and `M` over pairs flattened as `a · V + b`.
  let exact: [Double]
  let medusaLaw: [Double]
  /// Head 1's top tokens `c_1 …` after the context.
  let candidates: [Int]
  /// `Σ_a p(a) 1{A(a) ≠ ∅}`: the probability that the first pass accepts a candidate.
  let acceptance: Double
  /// `Σ_a p(a) τ(a)`: the typical-acceptance threshold averaged over the first byte.
  let meanThreshold: Double
  /// Empirical pair and first-byte counts: Medusa, plain A, plain B.
  let medusaPairs: [Int: Int]
  let medusaFirsts: [Int: Int]
  let plainPairs: [[Int: Int]]
  let plainFirsts: [[Int: Int]]
  /// Medusa samples whose first pass emitted both bytes.
  let onePass: Int
  /// 99th percentiles of exact sampling's TV to `P` (pair, first byte) and of TV to `M` (pair).
  let reference99: (pair: Double, first: Double, medusaPair: Double)
  let seconds: Double
}

/// Experiment 5 for one backbone.
func lawStudy<Model: SequenceModel>(_ model: Model, heads: MedusaHeads, name: String) throws -> LawStudy {
  let start = Date()
  let p = try nextTokenLaws(model, after: [lawPrompt])[0]
  let conditional = try nextTokenLaws(model, after: (0..<vocabulary).map { lawPrompt + [$0] })
  var state = try model.initialState(batchSize: 1)
  let (_, hidden) = try model.prefillWithHiddenStates([lawPrompt], state: &state)
  let width = hidden.shape[hidden.shape.count - 1]
  let headLogits = try heads.logits(hidden: Array(hidden.values[((lawPrompt.count - 1) * width)...]))[0]
  let ranked = headLogits.indices.sorted {
    headLogits[$0] != headLogits[$1] ? headLogits[$0] > headLogits[$1] : $0 < $1
  }
  let candidates = lawTree.truncated(maximumDepth: 1).paths.map { ranked[$0[0]] }
  let typical = MedusaParameters().typicalAcceptance
  var (exact, medusaLaw) = ([Double](), [Double]())
  var (acceptance, meanThreshold) = (0.0, 0.0)
  for a in 0..<vocabulary {
    let threshold = typical.threshold(conditional[a])
    meanThreshold += p[a] * threshold
    let accepted = candidates.filter { conditional[a][$0] > threshold }
    let chosen = accepted.max { conditional[a][$0] < conditional[a][$1] }.flatMap { best in
      accepted.first { conditional[a][$0] == conditional[a][best] }
    }
    exact += conditional[a].map { p[a] * $0 }
    if let chosen {
      acceptance += p[a]
      medusaLaw += (0..<vocabulary).map { $0 == chosen ? p[a] : 0 }
    } else {
      medusaLaw += conditional[a].map { p[a] * $0 }
    }
  }

  let fresh = try MedusaDecoder(
    model: model, heads: heads, prompt: lawPrompt, options: decodingOptions(temperature: 1, newTokens: 2, seed: 0),
    medusa: MedusaParameters(tree: lawTree))
  var (medusaPairs, medusaFirsts) = ([Int: Int](), [Int: Int]())
  var onePass = 0
  for sample in 0..<lawSamples {
    var decoder = fresh
    var draws = SeededGenerator(seed: UInt64(2 * lawSamples + sample))
    let result = try decoder.run(draws: &draws)
    let tokens = result.generation.tokens
    medusaPairs[tokens[0] * vocabulary + tokens[1], default: 0] += 1
    medusaFirsts[tokens[0], default: 0] += 1
    if result.targetPasses == 1 { onePass += 1 }
  }
  var prefilled = try model.initialState(batchSize: 1)
  _ = try model.prefill([Array(lawPrompt.dropLast())], state: &prefilled)
  var (plainPairs, plainFirsts) = ([[Int: Int]](), [[Int: Int]]())
  for set in 0..<2 {
    var (pairs, firsts) = ([Int: Int](), [Int: Int]())
    for sample in 0..<lawSamples {
      let tokens = try timedSequentialDecoding(
        model, prefilled: prefilled, prompt: lawPrompt,
        options: decodingOptions(temperature: 1, newTokens: 2, seed: UInt64(set * lawSamples + sample))
      ).tokens
      pairs[tokens[0] * vocabulary + tokens[1], default: 0] += 1
      firsts[tokens[0], default: 0] += 1
    }
    plainPairs.append(pairs)
    plainFirsts.append(firsts)
  }
  let reference = referenceDistances(exact, vocabulary: vocabulary, samples: lawSamples, replicates: lawReplicates)
  let medusaReference = referenceDistances(
    medusaLaw, vocabulary: vocabulary, samples: lawSamples, replicates: lawReplicates, seed: 98)
  let study = LawStudy(
    backbone: name, exact: exact, medusaLaw: medusaLaw, candidates: candidates, acceptance: acceptance,
    meanThreshold: meanThreshold,
    medusaPairs: medusaPairs, medusaFirsts: medusaFirsts, plainPairs: plainPairs, plainFirsts: plainFirsts,
    onePass: onePass,
    reference99: (
      quantile(reference.pair, 0.99), quantile(reference.first, 0.99), quantile(medusaReference.pair, 0.99)
    ),
    seconds: Date().timeIntervalSince(start))
  print("\(name): law of the first two bytes, \(3 * lawSamples) samples in \(format.string(study.seconds)) s")
  return study
}

/// Experiments 2–5 for one backbone.
struct BackboneStudy {
  let counts: [TreeCounts]
  let segments: [[Int]]
  let speed: [SpeedMeasurement]
  let headSeconds: Double
  let law: LawStudy
}

/// Every experiment after training, on `model` (a concrete family, so the decoders are specialised to it).
func study<Model: SequenceModel>(_ model: Model, entry: TrainedBackbone) throws -> BackboneStudy {
  let counts = try acceptedLengths(model, heads: entry.heads, name: entry.name)
  let segments = try passSegments(model, heads: entry.heads, prompt: prompts[0], tree: trees[3].tree)
  let (measurements, headSeconds) = try speed(model, heads: entry.heads, name: entry.name)
  let law = try lawStudy(model, heads: entry.heads, name: entry.name)
  return BackboneStudy(counts: counts, segments: segments, speed: measurements, headSeconds: headSeconds, law: law)
}

let studies = [
  try study(transformerEntry.model as! TransformerModel, entry: transformerEntry),
  try study(s4dEntry.model as! S4Model, entry: s4dEntry),
]

// ## The page

page.text("# Multi-token heads: Medusa on a transformer and an S4D")
page.text(
  "Byte-level models on Debian's fortunes (the `TextTask` corpus; windows of \(length) bytes, batch 16, AdamW at "
    + "3e-3 with warm-up and cosine decay), then \(headCount) Medusa-1 heads on each frozen backbone (loss "
    + "Σ_k 0.8^{k−1} CE_k). Test bits per byte over the first \(testWindows) windows of the test split "
    + "(\(testWindows * length) bytes); Medusa loss averaged over the first and the last 20 head-training steps:")
var modelTable = try Table(
  headers: [
    "backbone", "configuration", "parameters", "steps", "training time", "test bits per byte", "head parameters",
    "head steps", "head training time", "Medusa loss, first → last",
  ],
  alignments: [.left, .left, .right, .right, .right, .right, .right, .right, .right, .right])
for entry in backbones {
  try modelTable.append([
    entry.name, entry.configuration, "\(entry.model.parameterCount)", "\(entry.steps)",
    format.string(entry.seconds) + " s", format.string(entry.testBitsPerByte),
    "\(entry.heads.parameters.reduce(0) { $0 + $1.value.count })", "\(entry.headSteps)",
    format.string(entry.headSeconds) + " s",
    format.string(entry.headLoss.first) + " → " + format.string(entry.headLoss.last),
  ])
}
page.table(modelTable)

page.text("## 1. Per-head accuracy")
let offsets = (1...(headCount + 1)).map(Double.init)
let accuracyChart = LineChart(
  title: "Top-1 accuracy of the backbone (offset 1) and of Medusa heads 1–\(headCount) (offsets 2–\(headCount + 1))",
  xAxis: .init(label: "token predicted: t + offset (h read at t)", ticks: offsets),
  yAxis: .init(label: "top-1 accuracy on held-out text", range: 0...1),
  series: zip(backbones, accuracies).flatMap { entry, accuracy in
    [
      LineChart.Series(name: "\(entry.name), trained heads", x: offsets, y: accuracy.trained),
      LineChart.Series(
        name: "\(entry.name), untrained heads (the backbone's next-token guess)", x: offsets, y: accuracy.untrained),
    ]
  })
try page.figure(
  "head-accuracy.svg", svg: try accuracyChart.svg(),
  caption: "Top-1 accuracy against the offset of the predicted token, trained heads and untrained ones (copies of "
    + "the output layer), \(accuracyExamples) held-out windows of \(length) bytes")
var accuracyTable = try Table(
  headers: ["backbone", "next byte (backbone)"]
    + (1...headCount).map { "head \($0) (t + \($0 + 1))" } + (1...headCount).map { "untrained head \($0)" },
  alignments: [.left] + Array(repeating: .right, count: 1 + 2 * headCount))
for (entry, accuracy) in zip(backbones, accuracies) {
  try accuracyTable.append(
    [entry.name] + accuracy.trained.map(format.string) + accuracy.untrained.dropFirst().map(format.string))
}
page.table(accuracyTable)
let falling = accuracies.filter { accuracy in zip(accuracy.trained, accuracy.trained.dropFirst()).allSatisfy { $0 > $1 }
}
page.text(
  "Head k guesses a byte k + 1 ahead without seeing the k bytes between; accuracy "
    + (falling.count == accuracies.count
      ? "falls with the offset for both backbones. " : "does not fall with the offset for every backbone. ")
    + "Training the heads beyond the copied output layer matters: "
    + zip(backbones, accuracies).map { entry, accuracy in
      "\(entry.name): head 1 \(format.string(accuracy.trained[1])) against \(format.string(accuracy.untrained[1])) "
        + "untrained, head \(headCount) \(format.string(accuracy.trained[headCount])) against "
        + "\(format.string(accuracy.untrained[headCount]))"
    }.joined(separator: "; ") + ".")

page.text("## 2–3. Greedy identity and mean accepted length")
let allCounts = studies.flatMap(\.counts)
let greedyCounts = allCounts.filter { $0.temperature == 0 }
let identicalTotal = greedyCounts.reduce(0) { $0 + $1.identical! }
page.text(
  "\(promptCount) held-out prompts of \(promptLength) bytes, \(promptNewTokens) new bytes each. **Greedy identity:** "
    + "the Medusa output equalled plain greedy decoding's in \(identicalTotal) of "
    + "\(greedyCounts.count * promptCount) (prompt, backbone, tree) cases ("
    + greedyCounts.map { "\($0.backbone) \($0.tree): \($0.identical!) of \(promptCount)" }.joined(separator: ", ")
    + ")."
    + (identicalTotal == greedyCounts.count * promptCount
      ? ""
      : " A difference can only come from rounding: the tree pass computes the logits in another order than a "
        + "step, which matters at exact ties of the argmax."))
var countTable = try Table(
  headers: [
    "backbone", "tree", "nodes", "greedy identical", "tokens per pass, T = 0", "accepted / verified, T = 0",
    "tokens per pass, T = 1", "accepted / verified, T = 1",
  ],
  alignments: [.left, .left, .right, .right, .right, .right, .right, .right])
for greedy in greedyCounts {
  let sampled = allCounts.first { $0.temperature == 1 && $0.backbone == greedy.backbone && $0.tree == greedy.tree }!
  try countTable.append([
    greedy.backbone, "`\(greedy.tree)`", "\(greedy.nodes)", "\(greedy.identical!) of \(promptCount)",
    format.string(greedy.tokensPerPass), format.string(Double(greedy.accepted) / Double(greedy.verified)),
    format.string(sampled.tokensPerPass), format.string(Double(sampled.accepted) / Double(sampled.verified)),
  ])
}
page.table(countTable)
let nodeTicks = trees.map { Double($0.tree.nodeCount) }
let lengthChart = LineChart(
  title: "Mean accepted length against the tree's size",
  xAxis: .init(
    label: "nodes per pass (chain(1), chain(2), chain(3), compact(3))", scale: .log10, ticks: nodeTicks),
  yAxis: .init(label: "tokens per pass"),
  series: backbones.flatMap { entry in
    temperatures.map { temperature in
      LineChart.Series(
        name: "\(entry.name), \(temperatureName(temperature))",
        points: allCounts.filter { $0.backbone == entry.name && $0.temperature == temperature }
          .map { (Double($0.nodes), $0.tokensPerPass) })
    }
  })
try page.figure(
  "accepted-length.svg", svg: try lengthChart.svg(),
  caption: "Mean accepted length (tokens per pass) of each tree, \(promptCount) prompts × \(promptNewTokens) bytes")
let bestLength = allCounts.max { $0.tokensPerPass < $1.tokensPerPass }!
/// Accepted over verified candidates.
func acceptedShare(_ counts: TreeCounts) -> Double { Double(counts.accepted) / Double(counts.verified) }
let higherAtOne = greedyCounts.filter { greedy in
  acceptedShare(allCounts.first { $0.temperature == 1 && $0.backbone == greedy.backbone && $0.tree == greedy.tree }!)
    > acceptedShare(greedy)
}
page.text(
  "The longest mean accepted length: \(format.string(bestLength.tokensPerPass)) tokens per pass (\(bestLength.backbone), "
    + "`\(bestLength.tree)`, \(temperatureName(bestLength.temperature))). "
    + backbones.map { entry in
      let chain3 = temperatures.map { temperature in
        allCounts.first { $0.backbone == entry.name && $0.tree == "chain(3)" && $0.temperature == temperature }!
      }
      return "\(entry.name), `chain(3)`: \(format.string(chain3[0].tokensPerPass)) at T = 0 and "
        + "\(format.string(chain3[1].tokensPerPass)) at T = 1"
    }.joined(separator: "; ")
    + ". The share of verified candidates accepted was higher at T = 1 than at T = 0 for "
    + "\(higherAtOne.count) of \(greedyCounts.count) (backbone, tree) pairs: greedy verification accepts only the "
    + "argmax, while typical acceptance accepts any candidate above min(ε, δ e^{−H}), which for the flat "
    + "distributions of byte-level models is far below ε = 0.09 (after `The secret of ` and a sampled first byte, "
    + "section 5, the threshold averaged "
    + studies.map { "\(format.string($0.law.meanThreshold)) for the \($0.law.backbone)" }.joined(separator: " and ")
    + "). Tokens per pass grow with the tree, but each added node is accepted less often: the share of verified "
    + "candidates accepted falls from `chain(1)` to `compact(3)`.")
page.text(
  "The first prompt (its last 32 bytes: \(inlineCode(Array(prompts[0].suffix(32))))) continued greedily by Medusa with "
    + "`compact(3)`, the tokens of each pass between `│` (a pass emits its root and the accepted candidates; `⏎` a "
    + "line break, `⇥` a tab):")
var segmentTable = try Table(headers: ["backbone", "passes", "continuation"], alignments: [.left, .right, .left])
for (entry, backboneStudy) in zip(backbones, studies) {
  let marked = backboneStudy.segments.map { $0 }.joined(separator: Array("│".utf8).map(Int.init))
  try segmentTable.append([entry.name, "\(backboneStudy.segments.count)", inlineCode(Array(marked))])
}
page.table(segmentTable)

page.text("## 4. Speed")
let allSpeed = studies.flatMap(\.speed)
let greedySpeed = allSpeed.filter { $0.temperature == 0 }
let plainTimes = allSpeed.map(\.plain)
page.text(
  "Context of \(speedContextLength) held-out bytes, \(speedNewTokens) new bytes per run, \(timedRuns) timed runs per "
    + "configuration (medians), plain and Medusa timed in the same loop. Greedy Medusa output equalled the plain "
    + "output of the same run in \(greedySpeed.filter { $0.identical == true }.count) of \(greedySpeed.count) "
    + "configurations (all \(timedRuns) runs each). Timing noise: the plain time per token, the same work measured "
    + "again for each tree, ranged "
    + backbones.flatMap { entry in
      temperatures.map { temperature in
        let times = allSpeed.filter { $0.backbone == entry.name && $0.temperature == temperature }.map(\.plain)
        return "from \(format.string(times.min()! * 1e6)) to \(format.string(times.max()! * 1e6)) µs for the "
          + "\(entry.name) at \(temperatureName(temperature))"
      }
    }.joined(separator: ", ")
    + " (sampling a token costs more than taking the argmax: the warpers and the draw work on all "
    + "\(vocabulary) logits)."
    + (loadAverage.map { " The machine's load average was \($0) when the notebook started." } ?? ""))
/// Seconds of one pass not spent in `readTree`, `state(after:of:)` or the heads.
func otherSeconds(_ cell: SpeedMeasurement) -> Double { cell.pass - cell.treeReading - cell.stateUpdate - cell.heads }
var speedTable = try Table(
  headers: [
    "backbone", "T", "tree", "plain (tokens/s)", "Medusa (tokens/s)", "speedup", "tokens per pass",
    "pass ÷ plain token", "readTree", "state(after:)", "heads", "rest of the pass",
  ],
  alignments: [.left, .right, .left] + Array(repeating: .right, count: 9))
for cell in allSpeed {
  try speedTable.append([
    cell.backbone, format.string(cell.temperature), "`\(cell.tree)`", format.string(1 / cell.plain),
    format.string(1 / cell.medusa), format.string(cell.speedup), format.string(cell.tokensPerPass),
    format.string(cell.pass / cell.plain), format.string(cell.treeReading / cell.plain),
    format.string(cell.stateUpdate / cell.plain), format.string(cell.heads / cell.plain),
    format.string(otherSeconds(cell) / cell.plain),
  ])
}
page.text(
  "The last five columns are in units of the plain time per token of the same configuration: one pass, and its "
    + "parts (`readTree`, `state(after:)` and the heads timed after the context, between the runs; the rest is what "
    + "remains of the pass).")
page.table(speedTable)
let speedups = allSpeed.map(\.speedup) + [1]
let speedChart = LineChart(
  title: "Medusa's speedup over plain decoding",
  xAxis: .init(label: "nodes per pass (chain(1), chain(2), chain(3), compact(3))", scale: .log10, ticks: nodeTicks),
  yAxis: .init(
    label: "tokens/s Medusa ÷ tokens/s plain", scale: .log10,
    range: (speedups.min()! / 1.25)...(speedups.max()! * 1.25)),
  series: backbones.flatMap { entry in
    temperatures.map { temperature in
      LineChart.Series(
        name: "\(entry.name), \(temperatureName(temperature))",
        points: allSpeed.filter { $0.backbone == entry.name && $0.temperature == temperature }
          .map { (Double($0.nodes), $0.speedup) })
    }
  } + [.init(name: "break-even (1×)", points: [(nodeTicks.first!, 1), (nodeTicks.last!, 1)], mark: .line)])
try page.figure(
  "speedup.svg", svg: try speedChart.svg(),
  caption: "Speedup of Medusa decoding over plain decoding per tree, backbone and temperature")
let faster = allSpeed.filter { $0.speedup > 1 }
let bestSpeed = allSpeed.max { $0.speedup < $1.speedup }!
page.text(
  "**Speedup.** Medusa was faster than plain decoding in \(faster.count) of \(allSpeed.count) configurations"
    + (faster.isEmpty
      ? ""
      : " ("
        + faster.map { "\($0.backbone) `\($0.tree)` \(temperatureName($0.temperature)): \(format.string($0.speedup))×" }
        .joined(separator: "; ") + ")")
    + "; the best was \(format.string(bestSpeed.speedup))× (\(bestSpeed.backbone), `\(bestSpeed.tree)`, "
    + "\(temperatureName(bestSpeed.temperature)), \(format.string(bestSpeed.tokensPerPass)) tokens per pass), the "
    + "worst \(format.string(allSpeed.map(\.speedup).min()!))×.")

let overheadBound = allSpeed.filter { $0.pass - $0.treeReading > $0.tokensPerPass * $0.plain }
page.text(
  "**Where the time goes.** Plain decoding pays one step per token; Medusa pays one pass per "
    + "\"tokens per pass\" tokens, so its speedup is tokens per pass ÷ (pass ÷ plain token). Reading the tree alone "
    + "cost, in plain tokens, "
    + backbones.map { entry in
      "\(entry.name) "
        + trees.map { name, tree in
          let cells = allSpeed.filter { $0.backbone == entry.name && $0.tree == name }
          let mean = cells.reduce(0) { $0 + $1.treeReading / $1.plain } / Double(cells.count)
          return "\(format.string(mean)) for \(tree.nodeCount) nodes"
        }.joined(separator: ", ")
    }.joined(separator: "; ")
    + " (means over T). The S4D reads a tree by forking its state at every node and stepping it, so n nodes cost "
    + "about n steps. The transformer reads all nodes in one pass with a tree mask, which shares the loading of the "
    + "weights among the nodes; but the weights of models this small ("
    + backbones.map { "\($0.name) \(format.string(Double($0.model.parameterCount) * 4 / 1e6)) MB" }
    .joined(separator: ", ")
    + " in float32) stay in the CPU's caches, so a step is not bound by loading them, and the arithmetic and "
    + "per-call work of n nodes still add up to several steps. Medusa's premise, a tree pass costing about one "
    + "step, holds where a step is bound by reading the weights (large models on accelerators), not here. "
    + "The rest of the pass, the heads (\(zip(backbones, studies).map { "\($0.name) \(format.string($1.headSeconds * 1e6)) µs" }.joined(separator: ", ")) "
    + "on one hidden state), the state update and the decoder's own ranking, processing and acceptance, costs "
    + "more plain tokens than the pass emits in \(overheadBound.count) of \(allSpeed.count) configurations: there "
    + "Medusa would be slower than plain decoding even if reading the tree were free (per node of the tree, the decoder's "
    + "own work, the table's last column, cost "
    + backbones.map { entry in
      let perNode = allSpeed.filter { $0.backbone == entry.name }.map { otherSeconds($0) / Double($0.nodes) * 1e6 }
      return "\(format.string(perNode.min()!))–\(format.string(perNode.max()!)) µs with the \(entry.name)"
    }.joined(separator: " and ")
    + ", against a plain step of "
    + backbones.map { entry in
      "\(format.string(allSpeed.filter { $0.backbone == entry.name }.map(\.plain).reduce(0, +) / Double(trees.count * temperatures.count) * 1e6)) µs"
    }.joined(separator: " and ")
    + "; for the transformer it includes the tree reading's growth with the context, which the parts, timed after "
    + "the \(speedContextLength)-byte context, do not show). The S4D's step is the cheaper "
    + "(\(format.string(allSpeed.filter { $0.backbone == backbones[1].name }.map(\.plain).reduce(0, +) / Double(trees.count * temperatures.count) * 1e6)) µs "
    + "against \(format.string(allSpeed.filter { $0.backbone == backbones[0].name }.map(\.plain).reduce(0, +) / Double(trees.count * temperatures.count) * 1e6)) µs "
    + "for the transformer, mean plain time per token), so the same fixed per-pass work weighs more on it.")

page.text("## 5. Typical acceptance changes the output law")
page.text(
  "Context `The secret of ` (14 bytes), sampling at T = 1, 2 new bytes, Medusa with `compact(3)` cut to head 1's top "
    + "three tokens. `P` is plain sampling's exact law of the pair, `M` Medusa's exact law (the formula above), "
    + "`M̂`, `P̂_A`, `P̂_B` the empirical laws of \(lawSamples) Medusa samples and of two independent sets of "
    + "\(lawSamples) plain samples; the 99th percentiles are those of \(lawReplicates) sets of \(lawSamples) exact "
    + "draws from `P` (from `M` for TV(M̂, M)); mean τ is the threshold min(ε, δ e^{−H(p(· | a))}) averaged over the "
    + "first byte `a ~ p`. Head 1 reads the hidden state at the context's last byte, so its candidates are the same "
    + "whatever first byte was drawn: they are guesses of the second byte made before the first is known.")
var lawTable = try Table(
  headers: [
    "backbone", "head 1's top 3", "mean τ", "P(first pass accepts)", "TV(M, P) exact", "TV(M̂, P) pair",
    "TV(P̂_A, P) pair",
    "TV(P̂_B, P) pair", "99th pct, pair", "TV(P̂_A, P̂_B) pair", "TV(M̂, P̂_A) pair", "TV(M̂, M) pair",
    "99th pct from M", "TV(M̂, P) first byte", "TV(P̂_A, P) first byte", "99th pct, first byte",
  ],
  alignments: [.left, .left] + Array(repeating: .right, count: 14))
var lawVerdicts: [String] = []
for law in studies.map(\.law) {
  let firstLaw = firstTokenMarginal(law.exact, vocabulary: vocabulary)
  let exactDistance = totalVariation(law.medusaLaw, law.exact)
  let medusaPair = totalVariation(counts: law.medusaPairs, total: lawSamples, law: law.exact)
  let plainPair = law.plainPairs.map { totalVariation(counts: $0, total: lawSamples, law: law.exact) }
  let floor = totalVariation(counts: law.plainPairs[0], total: lawSamples, counts: law.plainPairs[1], total: lawSamples)
  let medusaPlain = totalVariation(
    counts: law.medusaPairs, total: lawSamples, counts: law.plainPairs[0], total: lawSamples)
  let medusaOwn = totalVariation(counts: law.medusaPairs, total: lawSamples, law: law.medusaLaw)
  let medusaFirst = totalVariation(counts: law.medusaFirsts, total: lawSamples, law: firstLaw)
  let plainFirst = totalVariation(counts: law.plainFirsts[0], total: lawSamples, law: firstLaw)
  try lawTable.append([
    law.backbone, law.candidates.map { "`\(byteLabel($0))`" }.joined(separator: " "), format.string(law.meanThreshold),
    format.string(law.acceptance),
    format.string(exactDistance), format.string(medusaPair), format.string(plainPair[0]), format.string(plainPair[1]),
    format.string(law.reference99.pair), format.string(floor), format.string(medusaPlain), format.string(medusaOwn),
    format.string(law.reference99.medusaPair), format.string(medusaFirst), format.string(plainFirst),
    format.string(law.reference99.first),
  ])
  /// Entropy in bits.
  func entropy(_ law: [Double]) -> Double { law.reduce(0) { $1 > 0 ? $0 - $1 * log2($1) : $0 } }
  lawVerdicts.append(
    "**\(law.backbone).** The first pass accepts a candidate with probability \(format.string(law.acceptance)) "
      + "(\(format.string(Double(law.onePass) / Double(lawSamples))) of the Medusa samples took one pass). The exact "
      + "TV between Medusa's pair law and plain sampling's is \(format.string(exactDistance)); the samples show it: "
      + "TV(M̂, P) = \(format.string(medusaPair)) is "
      + (medusaPair > law.reference99.pair
        ? "\(format.string(medusaPair / law.reference99.pair))× the 99th percentile of exact sampling "
          + "(\(format.string(law.reference99.pair))), where the plain sets land (\(format.string(plainPair[0])), "
          + "\(format.string(plainPair[1])))"
        : "**within** the 99th percentile of exact sampling (\(format.string(law.reference99.pair))): at "
          + "\(lawSamples) samples this context does not show the change")
      + ", and TV(M̂, P̂_A) = \(format.string(medusaPlain)) against the noise floor TV(P̂_A, P̂_B) = "
      + "\(format.string(floor)). The samples follow `M` (TV(M̂, M) = \(format.string(medusaOwn)), 99th percentile "
      + "\(format.string(law.reference99.medusaPair))) and the first byte is unchanged (TV \(format.string(medusaFirst)) "
      + "against \(format.string(plainFirst)) for plain sampling, 99th percentile "
      + "\(format.string(law.reference99.first))). The pair's entropy falls from \(format.string(entropy(law.exact))) "
      + "bits under `P` to \(format.string(entropy(law.medusaLaw))) bits under `M`: where a candidate is accepted, "
      + "the second byte is the head's guess, not a draw.")
}
page.table(lawTable)
page.text(lawVerdicts.joined(separator: "\n\n"))
for (entry, law) in zip(backbones, studies.map(\.law)) {
  let top = law.exact.indices.sorted { law.exact[$0] > law.exact[$1] }.prefix(12)
  let ranks = (1...top.count).map(Double.init)
  /// `(rank, probability)` of the top pairs under `values`.
  func points(_ values: (Int) -> Double) -> [(x: Double, y: Double)] {
    top.enumerated().map { (Double($0.offset + 1), values($0.element)) }
  }
  let chart = LineChart(
    title: "\(entry.name): the first two bytes after \"The secret of \", plain sampling and Medusa",
    xAxis: .init(label: "pair, by P (rank)", ticks: ranks),
    yAxis: .init(label: "probability"),
    series: [
      .init(name: "P (plain sampling, exact)", points: points { law.exact[$0] }, mark: .line),
      .init(name: "M (Medusa, exact)", points: points { law.medusaLaw[$0] }, mark: .line),
      .init(
        name: "plain samples P̂_A (n = \(lawSamples))",
        points: points { Double(law.plainPairs[0][$0, default: 0]) / Double(lawSamples) }, mark: .markers),
      .init(
        name: "Medusa samples M̂ (n = \(lawSamples))",
        points: points { Double(law.medusaPairs[$0, default: 0]) / Double(lawSamples) }, mark: .markers),
    ])
  try page.figure(
    "two-byte-law-\(entry.name.lowercased()).svg", svg: try chart.svg(),
    caption: "\(entry.name): the \(top.count) most likely pairs under P ("
      + top.map { "`\(byteLabel($0 / vocabulary))\(byteLabel($0 % vocabulary))`" }.joined(separator: " ")
      + "), their probability under P and M and their frequency in the samples")
}

// ## What came out
//
// A summary whose every number and verdict comes from this run.

page.text("## What came out")
let exactDistances = studies.map { totalVariation($0.law.medusaLaw, $0.law.exact) }
let detected = studies.map(\.law).filter {
  totalVariation(counts: $0.medusaPairs, total: lawSamples, law: $0.exact) > $0.reference99.pair
}
let firstUnchanged = studies.map(\.law).filter {
  totalVariation(
    counts: $0.medusaFirsts, total: lawSamples, law: firstTokenMarginal($0.exact, vocabulary: vocabulary))
    <= $0.reference99.first
}
let lengths = temperatures.map { temperature in allCounts.filter { $0.temperature == temperature }.map(\.tokensPerPass)
}
page.text(
  [
    "- **Heads:** top-1 accuracy of heads 1–\(headCount) "
      + zip(backbones, accuracies).map { entry, accuracy in
        "\(entry.name) " + accuracy.trained.dropFirst().map(format.string).joined(separator: " / ")
          + " (next byte \(format.string(accuracy.trained[0])))"
      }.joined(separator: ", ") + ".",
    "- **Greedy identity:** Medusa's greedy output equalled plain greedy decoding's for \(identicalTotal) of "
      + "\(greedyCounts.count * promptCount) (prompt, backbone, tree) cases.",
    "- **Mean accepted length:** \(format.string(lengths[0].min()!))–\(format.string(lengths[0].max()!)) tokens per "
      + "pass at T = 0 and \(format.string(lengths[1].min()!))–\(format.string(lengths[1].max()!)) at T = 1, growing "
      + "from `chain(1)` to `compact(3)`.",
    "- **Speed:** Medusa was faster than plain decoding in \(faster.count) of \(allSpeed.count) configurations "
      + "(speedups \(format.string(allSpeed.map(\.speedup).min()!))–\(format.string(bestSpeed.speedup))×): a pass "
      + "cost \(format.string(allSpeed.map { $0.pass / $0.plain }.min()!))–"
      + "\(format.string(allSpeed.map { $0.pass / $0.plain }.max()!)) plain tokens and emitted "
      + "\(format.string(allSpeed.map(\.tokensPerPass).min()!))–\(format.string(allSpeed.map(\.tokensPerPass).max()!)). "
      + "On these small CPU models a step is cheap (\(format.string(plainTimes.min()! * 1e6))–"
      + "\(format.string(plainTimes.max()! * 1e6)) µs), so reading a tree costs several steps and the heads and the "
      + "decoder's per-node work are not negligible beside it.",
    "- **Output law:** typical acceptance moved the law of the first two sampled bytes by TV "
      + zip(backbones, exactDistances).map { "\(format.string($1)) (\($0.name))" }.joined(separator: " and ")
      + " from plain sampling's (exact); the Medusa samples were above the 99th percentile of exact sampling for "
      + "\(detected.count) of \(studies.count) backbones, their first byte within it for \(firstUnchanged.count) of "
      + "\(studies.count): the first byte keeps its law, the second becomes the head's guess wherever a candidate is "
      + "accepted.",
  ].joined(separator: "\n"))

page.text(
  "Produced by `make notebooks` (or `swift run -c release notebook-multi-token-heads`) in "
    + "\(format.string(Date().timeIntervalSince(started))) s.")
print("multi-token heads: \(try page.write().path)")
