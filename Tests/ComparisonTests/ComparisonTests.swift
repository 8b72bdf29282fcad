import Comparison
import Foundation
import Models
import Reports
import Tasks
import TestSupport
import Testing
import Training

/// A plan small enough for a unit test: copying at length 24 (delay 4), two families, 6 steps.
/// The budget is one every family reaches within 2 % at depth 1 on copying and adding (the GRU,
/// sized by its width alone, misses some budgets this small: 4 000 lies 3.5 % from its nearest).
private func tinyPlan(models: [ModelFamily] = [.s4d, .gru], budget: Int = 4_200, seed: UInt64 = 1)
  -> ComparisonPlan
{
  ComparisonPlan(
    tasks: [.copying], models: models, lengths: [24], depth: 1, parameterBudget: budget,
    training: TaskTrainingSettings(steps: 6, batch: 4, seed: seed), evaluationExamples: 16, latencyContexts: [8])
}

@Suite("ssm compare: parameter matching, resumable runs, reports")
struct ComparisonTests {
  @Test func invalidPlans() throws {
    var plan = tinyPlan()
    plan.lengths = [8]
    #expect(throws: ComparisonError.self) { try plan.validate() }  // copying needs ≥ 20
    plan = tinyPlan()
    plan.tasks = [.adding, .delay, .reconstruct]
    try plan.validate()  // real-valued tasks: feature models
    plan.lengths = [8]
    #expect(throws: ComparisonError.self) { try plan.validate() }  // delay needs ≥ 16
    plan = tinyPlan()
    plan.models = [.s4d, .s4d]
    #expect(throws: ComparisonError.self) { try plan.validate() }
    plan = tinyPlan()
    plan.training.steps = 0
    #expect(throws: (any Error).self) { try plan.validate() }
    // An impossible budget is one error, naming the family, before any training.
    let directory = temporaryPath("ssm-compare")
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect {
      try ComparisonRunner(plan: tinyPlan(budget: 5), directory: directory).run()
    } throws: { error in
      guard case .budgetImpossible(.s4d, 5, _) = error as? ComparisonError else { return false }
      return true
    }
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("results.json").path))
  }

  // Every cell records the fields of the results contract; a rerun recomputes nothing; the
  // same seed in another folder reproduces every number; another plan in the folder is refused.
  @Test func resumableAndReproducible() throws {
    let (first, second) = (temporaryPath("ssm-compare"), temporaryPath("ssm-compare"))
    defer {
      try? FileManager.default.removeItem(at: first)
      try? FileManager.default.removeItem(at: second)
    }
    var lines: [String] = []
    let results = try ComparisonRunner(plan: tinyPlan(), directory: first) { lines.append($0) }.run()
    #expect(results.cells.count == 2 && results.cells.allSatisfy { $0.error == nil && $0.steps == 6 })
    #expect(results.latency.count == 2)
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: first.appendingPathComponent("results.json")))
    let cells = try #require((json as? [String: Any])?["cells"] as? [[String: Any]])
    for key in [
      "task", "model", "length", "metric", "value", "parameters", "parameterDeviation", "configuration",
      "trainSeconds", "seed", "gitRevision",
    ] {
      #expect(cells.allSatisfy { $0[key] != nil }, "missing \(key)")
    }
    for (cell, json) in zip(results.cells, cells) {
      let deviation = Double(cell.parameters - 4_200) / 4_200
      #expect(cell.parameterDeviation == deviation && abs(deviation) <= 0.02)
      // Written as JSON text and parsed back: equal up to the parser's last-digit rounding.
      #expect(abs(try #require(json["parameterDeviation"] as? Double) - deviation) <= 1e-12)
      let configuration = try #require(cell.configuration)
      #expect(try configuration.build(seed: 0).parameters.reduce(0) { $0 + $1.value.count } == cell.parameters)
    }
    lines.removeAll()
    let again = try ComparisonRunner(plan: tinyPlan(), directory: first) { lines.append($0) }.run()
    #expect(lines.isEmpty, "a finished comparison reran: \(lines)")
    #expect(again.cells == results.cells)
    let repeated = try ComparisonRunner(plan: tinyPlan(), directory: second).run()
    #expect(zip(repeated.cells, results.cells).allSatisfy { $0.value == $1.value && $0.losses == $1.losses })
    #expect(throws: ComparisonError.self) { try ComparisonRunner(plan: tinyPlan(seed: 2), directory: first).run() }
  }

  // A cell sized otherwise than the matching sizes it now (results of other code; here a cell
  // without a recorded configuration, as older results have) is run again; the others are kept.
  @Test func differentlySizedCellsAreRerun() throws {
    let directory = temporaryPath("ssm-compare")
    defer { try? FileManager.default.removeItem(at: directory) }
    var results = try ComparisonRunner(plan: tinyPlan(), directory: directory).run()
    results.cells[0].configuration = nil
    try JSONEncoder().encode(results).write(to: directory.appendingPathComponent("results.json"))
    var lines: [String] = []
    let rerun = try ComparisonRunner(plan: tinyPlan(), directory: directory) { lines.append($0) }.run()
    #expect(lines.filter { $0.hasPrefix("[") } == ["[1/2] copying · s4d · L = 24"])
    #expect(rerun.cells.allSatisfy { $0.configuration != nil })
  }

  // A failed cell is kept in results.json with its error and retried (only it) on the next run.
  @Test func failedCellsAreRetried() throws {
    let directory = temporaryPath("ssm-compare")
    defer { try? FileManager.default.removeItem(at: directory) }
    var results = try ComparisonRunner(plan: tinyPlan(), directory: directory).run()
    results.cells[1].error = "simulated crash"
    results.cells[1].value = nil
    try JSONEncoder().encode(results).write(to: directory.appendingPathComponent("results.json"))
    var lines: [String] = []
    let rerun = try ComparisonRunner(plan: tinyPlan(), directory: directory) { lines.append($0) }.run()
    #expect(lines.filter { $0.hasPrefix("[") } == ["[2/2] copying · gru · L = 24"])
    #expect(rerun.cells.allSatisfy { $0.error == nil && $0.value != nil })
  }

  // Feature tasks: every family is matched to the budget as a feature model (input channels
  // from the task, one output value), the cells record the mean squared error, and the report
  // says "MSE" (lower is better) in its table, chart and summary. No latency: it is measured on
  // token generation.
  @Test func addingComparison() throws {
    let directory = temporaryPath("ssm-compare")
    defer { try? FileManager.default.removeItem(at: directory) }
    let plan = ComparisonPlan(
      tasks: [.adding], models: [.s4d, .transformer, .gru], lengths: [16], depth: 1, parameterBudget: 4_000,
      training: TaskTrainingSettings(steps: 6, batch: 4, seed: 1), evaluationExamples: 16, latencyContexts: [8])
    for model in plan.models {
      let configuration = try model.matched(
        vocabulary: 1, parameterBudget: 4_000, depth: 1, length: 16, inputChannels: 2
      ).configuration
      #expect(configuration.inputChannels == 2 && configuration.vocabulary == 1)
    }
    var lines: [String] = []
    let results = try ComparisonRunner(plan: plan, directory: directory) { lines.append($0) }.run()
    #expect(results.cells.count == 3)
    for cell in results.cells {
      #expect(cell.error == nil, "\(cell.error ?? "")")
      #expect(cell.metric == .meanSquaredError)
      let value = try #require(cell.value)
      #expect(value.isFinite && value > 0)
    }
    #expect(results.latency.isEmpty)
    #expect(lines.contains { $0.contains("MSE") })
    let report = ComparisonReport(results: results)
    let page = try String(contentsOf: report.write(to: directory), encoding: .utf8)
    #expect(page.contains("MSE (lower is better)"))
    for name in ["mse-adding.svg", "loss-adding-L16.svg"] {
      #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
      #expect(page.contains("(\(name))"))
    }
    let chart = try String(contentsOf: directory.appendingPathComponent("mse-adding.svg"), encoding: .utf8)
    #expect(chart.contains("MSE (lower is better)"))
    let summary = try report.summary().plainText()
    #expect(summary.split(separator: "\n").first?.contains("MSE") == true)
    #expect(summary.split(separator: "\n").first?.contains("accuracy") == false)
  }

  // A plan mixing a token task and a feature task: each cell has its task's metric, the
  // summary names the metric per row, and the latency comes from the token task.
  @Test func mixedMetrics() throws {
    let directory = temporaryPath("ssm-compare")
    defer { try? FileManager.default.removeItem(at: directory) }
    var plan = tinyPlan(models: [.s4d])
    plan.tasks = [.copying, .adding]
    let results = try ComparisonRunner(plan: plan, directory: directory).run()
    #expect(results.cells.map(\.metric) == [.accuracy, .meanSquaredError])
    #expect(results.cells.allSatisfy { $0.error == nil })
    #expect(results.latency.count == 1)
    let lines = try ComparisonReport(results: results).summary().plainText().split(separator: "\n")
    #expect(lines.first?.contains("metric") == true)
    #expect(lines.contains { $0.contains("copying") && $0.contains("accuracy") })
    #expect(lines.contains { $0.contains("adding") && $0.contains("MSE") })
  }

  // Length generalisation: every cell's model is also tested at the extra lengths, and the report
  // has their table.
  @Test func otherEvaluationLengths() throws {
    let directory = temporaryPath("ssm-compare")
    defer { try? FileManager.default.removeItem(at: directory) }
    var plan = tinyPlan(models: [.s4d])
    plan.evaluationLengths = [40, 64]
    plan.latencyContexts = []
    let results = try ComparisonRunner(plan: plan, directory: directory).run()
    let scores = try #require(results.cells.first?.otherLengths)
    #expect(scores.map(\.length) == [40, 64] && scores.allSatisfy { (0...1).contains($0.value) })
    let page = try String(contentsOf: ComparisonReport(results: results).write(to: directory), encoding: .utf8)
    #expect(page.contains("tested at 64"))
    plan.evaluationLengths = [8]  // below copying's minimum
    #expect(throws: ComparisonError.self) { try plan.validate() }
  }

  @Test func reportShowsTheRunsNumbers() throws {
    let directory = temporaryPath("ssm-compare")
    defer { try? FileManager.default.removeItem(at: directory) }
    let results = try ComparisonRunner(plan: tinyPlan(), directory: directory).run()
    let report = ComparisonReport(results: results)
    let page = try String(contentsOf: report.write(to: directory), encoding: .utf8)
    for name in ["accuracy-copying.svg", "loss-copying-L24.svg", "latency.svg"] {
      #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
      #expect(page.contains("(\(name))"))
    }
    // Every cell's count and its deviation from the budget, computed here from the two numbers.
    let summary = try report.summary().plainText().split(separator: "\n")
    #expect(summary.count == 2 + results.cells.count)
    #expect(summary.first?.contains("vs budget") == true)
    for cell in results.cells {
      #expect(page.contains(NumberFormat(significantDigits: 3).string(cell.value!)))
      let percent = Double(cell.parameters - 4_200) / 42
      let deviation = (percent >= 0.05 ? "+" : percent <= -0.05 ? "-" : "") + String(format: "%.1f %%", abs(percent))
      #expect(page.contains("| \(cell.parameters) (\(deviation)) |"), "\(cell.parameters) \(deviation)")
      #expect(summary.contains { $0.contains(cell.model.name) && $0.contains(deviation) })
    }
    #expect(page.contains("4200 parameters within ±2 %"))
  }
}
