// # Long-range memory: S4D vs a transformer vs a GRU on the copying task
//
// Runtime: about 1–2 minutes on 2 cores (release build).
// Run: `swift run -c release notebook-long-range-memory [output-folder]`
// (default output folder: `notebook-output/long-range-memory/`), or `make notebooks`.
//
// The copying task (Arjovsky et al. 2016; used in the HiPPO paper) shows 10 tokens from 8 symbols, then a
// delay of blanks, then 10 recall markers: the model must reproduce the tokens after the delay. Remembering
// them is trivial for a model with an explicit memory of the right time scale and hard for a gated RNN,
// whose state decays unless its gates learn to hold it exactly. This notebook runs a small version of
// `ssm compare` (the same runner, `ComparisonRunner`) and writes its table and charts.

import Comparison
import Foundation
import NotebookSupport
import Platform
import Reports
import Tasks
import Training

BLASKernelSelection.upgradeIfGeneric()
let started = Date()
let output = NotebookPage.outputFolder(name: "long-range-memory")
var page = try NotebookPage(folder: output)
let format = NumberFormat(significantDigits: 3)

// ## The plan
//
// Three lengths (delays 12, 44 and 108 blanks), three families sized to ~30 000 parameters each (2 blocks),
// 300 AdamW steps of 16 sequences for every cell, state space parameters at learning rate 0.01, and 256
// held-out test instances per cell. The runner writes `results.json` into this notebook's folder, so a second
// run of the notebook reuses the finished cells.

let plan = ComparisonPlan(
  tasks: [.copying], models: [.s4d, .transformer, .gru], lengths: [32, 64, 128], depth: 2, parameterBudget: 30_000,
  training: TaskTrainingSettings(steps: 300, batch: 16, learningRate: 3e-3, stateSpaceLearningRate: 1e-2, seed: 0),
  evaluationExamples: 256, latencyContexts: [])
let results = try ComparisonRunner(plan: plan, directory: output.appendingPathComponent("comparison")) {
  print($0)
}.run()
let report = ComparisonReport(results: results)
try report.write(to: output.appendingPathComponent("comparison"))

page.text("# Long-range memory on the copying task")
page.text(
  "Every model was sized to about \(plan.parameterBudget) parameters and trained for \(plan.training.steps) "
    + "steps with the same settings; accuracy is measured on held-out test instances. The runner's own report, "
    + "with the loss curves, is in [comparison/report.md](comparison/report.md).")
page.table(try report.summary())

// ## Accuracy against the delay

try page.figure(
  "accuracy-copying.svg",
  svg: try String(contentsOf: output.appendingPathComponent("comparison/accuracy-copying.svg"), encoding: .utf8),
  caption: "Test accuracy on copying against sequence length (the delay is the length minus 20)")

// ## What the numbers say
//
// The paragraph below is computed from this run's cells.

let longest = plan.lengths.max()!
let atLongest = results.cells.filter { $0.length == longest && $0.value != nil }
  .sorted { $0.value! > $1.value! }
  .map { "\($0.model.name) \(format.string($0.value!))" }
page.text(
  "At length \(longest) (a delay of \(longest - 20) blanks) the test accuracies are: "
    + atLongest.joined(separator: ", ")
    + ". Chance is 1/8 = 0.125. A model whose memory holds the tokens over the delay copies them all; the "
    + "gated RNN, trained with the same budget, does not keep them.")
page.text("Generated in \(format.string(Date().timeIntervalSince(started))) s.")
print("long-range memory: \(try page.write().path)")
