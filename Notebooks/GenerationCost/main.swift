// # Generation cost: per-token latency against context
//
// Runtime: about 1 minute on 2 cores (release build; most of it reads the 16 384-token contexts).
// Run: `swift run -c release notebook-generation-cost [output-folder]`
// (default output folder: `notebook-output/generation-cost/`), or `make notebooks`.
//
// Generating one token costs an S4 model O(H·N) — its state has a fixed size — and a GRU O(H²), whatever
// the context. A transformer attends to every cached key and value, so its cost grows linearly with the
// context. This notebook measures it for models of the benchmark size (d = 128, 2 layers, byte vocabulary).

import Dispatch
import Foundation
import Models
import NotebookSupport
import Platform
import Reports
import SeededRandom

BLASKernelSelection.upgradeIfGeneric()
let started = Date()
let output = NotebookPage.outputFolder(name: "generation-cost")
var page = try NotebookPage(folder: output)
let format = NumberFormat(significantDigits: 3)
let contexts = [256, 1024, 4096, 16_384]

// ## The models
//
// The three families at d = 128 with 2 blocks: S4D with N = 64, a transformer with 4 heads, MLP 4× and
// rotary positions (its KV cache grows by doubling), a residual GRU.

let models: [(String, any SequenceModel)] = [
  ("S4D", try S4Model(.init(vocabulary: 256, width: 128, depth: 2, stateSize: 64), seed: 0)),
  ("transformer", try TransformerModel(.init(vocabulary: 256, width: 128, depth: 2, heads: 4), seed: 0)),
  ("GRU", try GRUModel(.init(vocabulary: 256, width: 128, depth: 2), seed: 0)),
]

// ## Measuring
//
// For each context: read it with `prefill` in chunks of 1024, take 16 untimed steps (caches and allocator
// settle after the large prefill), then time 64 single-token steps; the median of 5 such runs, each after a
// fresh prefill.

func secondsPerToken<Model: SequenceModel>(_ model: Model, context: Int) throws -> Double {
  var generator = SeededGenerator(seed: 1)
  let token = { (generator: inout SeededGenerator) in Int(generator.next() % 256) }
  var times: [Double] = []
  for _ in 0..<5 {
    var state = try model.initialState(batchSize: 1)
    for start in stride(from: 0, to: context, by: 1024) {
      _ = try model.prefill([(start..<min(start + 1024, context)).map { _ in token(&generator) }], state: &state)
    }
    for _ in 0..<16 { _ = try model.step([token(&generator)], state: &state) }
    let begin = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<64 { _ = try model.step([token(&generator)], state: &state) }
    times.append(Double(DispatchTime.now().uptimeNanoseconds - begin) * 1e-9 / 64)
  }
  return times.sorted()[2]
}

var latency: [String: [Double]] = [:]
for (name, model) in models {
  latency[name] = try contexts.map { context in
    let seconds = try secondsPerToken(model, context: context)
    print("\(name) after \(context) tokens: \(format.string(seconds * 1e6)) µs per token")
    return seconds
  }
}

page.text("# Generation cost against context")
var table = try Table(
  headers: ["model", "parameters"] + contexts.map { "context \($0)" },
  alignments: [.left, .right] + contexts.map { _ in .right })
for (name, model) in models {
  try table.append(
    [name, "\(model.parameterCount)"]
      + latency[name]!.map { format.string($0 * 1e6) + " µs" })
}
page.table(table)

try page.figure(
  "latency.svg",
  svg: try LineChart(
    title: "Per-token generation latency vs context (d = 128, 2 layers)",
    xAxis: .init(label: "context (tokens)", scale: .log10, ticks: contexts.map(Double.init)),
    yAxis: .init(label: "µs per token", scale: .log10),
    series: models.map { name, _ in
      LineChart.Series(name: name, x: contexts.map(Double.init), y: latency[name]!.map { $0 * 1e6 })
    }
  ).svg(),
  caption: "Median time per generated token after a context of the given length, batch 1")

// ## What the numbers say

let growth = { (name: String) in latency[name]!.last! / latency[name]!.first! }
page.text(
  "From a context of \(contexts.first!) to \(contexts.last!) tokens the per-token cost changes by "
    + "×\(format.string(growth("S4D"))) for S4D, ×\(format.string(growth("GRU"))) for the GRU and "
    + "×\(format.string(growth("transformer"))) for the transformer, whose attention reads every cached position.")
page.text("Generated in \(format.string(Date().timeIntervalSince(started))) s.")
print("generation cost: \(try page.write().path)")
