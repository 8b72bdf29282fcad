import Foundation
import Models
import Reports
import Tasks

/// Writes a comparison's report into its folder: `report.md` (environment, plan, one table and
/// chart per task, training curves, generation latency) and its SVG charts, and renders the
/// summary table for a terminal.
public struct ComparisonReport {
  /// The results to report.
  public let results: ComparisonResults

  /// A report of `results`.
  public init(results: ComparisonResults) { self.results = results }

  private static let format = NumberFormat(significantDigits: 3)

  /// The metric of a task's cells (`Tasks/TaskName/metric`).
  static func metric(of task: TaskName) -> TaskMetric { task.metric }

  /// The short name of a metric in tables and charts (`Tasks/TaskMetric/shortName`).
  static func name(of metric: TaskMetric) -> String { metric.shortName }

  /// One row per cell: task, length, model, metric value, parameters and their deviation from the
  /// budget (as ``ParameterMatch/percentage(_:)`` writes it), training time, steps.
  /// The value column is headed by the metric ("accuracy" or "MSE") when every cell shares one;
  /// a table mixing token and feature tasks heads it "value" and names each row's metric in a
  /// "metric" column.
  public func summary() throws -> Table {
    let metrics = Set(results.cells.map { Self.metric(of: $0.task) })
    let mixed = metrics.count > 1
    let valueHeader = mixed ? ["metric", "value"] : [Self.name(of: metrics.first ?? .accuracy)]
    var table = try Table(
      headers: ["task", "length", "model"] + valueHeader + ["parameters", "vs budget", "train s", "steps"],
      alignments: [.left, .right, .left] + (mixed ? [.left, .right] : [.right]) + [.right, .right, .right, .right])
    for cell in results.cells {
      let value = cell.value.map { Self.format.string($0) } ?? "failed"
      try table.append(
        [cell.task.rawValue, "\(cell.length)", cell.model.name]
          + (mixed ? [Self.name(of: Self.metric(of: cell.task)), value] : [value])
          + ["\(cell.parameters)", deviation(of: cell), Self.format.string(cell.trainSeconds), "\(cell.steps)"])
    }
    return table
  }

  /// A cell's parameter count relative to the plan's budget, `"+0.8 %"` (see
  /// ``ParameterMatch/percentage(_:)``), or `"–"` for a cell whose model was not sized.
  func deviation(of cell: ComparisonCell) -> String {
    guard cell.parameters > 0 else { return "–" }
    return ParameterMatch.percentage(
      ParameterMatch.deviation(parameters: cell.parameters, budget: results.plan.parameterBudget))
  }

  /// Writes `report.md` and the charts into `directory`; returns the report's URL.
  @discardableResult
  public func write(to directory: URL) throws -> URL {
    let plan = results.plan
    let environment = results.environment
    let tolerance = Int((ModelFamily.parameterTolerance * 100).rounded())
    var page = """
      # Long-context comparison

      Every model was sized to \(plan.parameterBudget) parameters within ±\(tolerance) % (\(plan.depth) blocks; each \
      model's count and deviation are under its task), trained for \
      \(plan.training.steps) steps of \(plan.training.batch) sequences\
      \(plan.training.timeBudget.map { " (or \(Self.format.string($0)) s)" } ?? "") with AdamW (learning rate \
      \(plan.training.learningRate), state space parameters \(plan.training.stateSpaceLearningRate)), seed \
      \(plan.training.seed), and evaluated on \(plan.evaluationExamples) instances of the held-out test split.

      Code `\(environment.gitRevision)` on \(environment.machine), \(environment.cores) cores, \
      started \(environment.started). The exact configuration of every cell is in `results.json`.


      """
    for task in plan.tasks {
      let cells = results.cells.filter { $0.task == task }
      guard !cells.isEmpty else { continue }
      page += "## \(task.rawValue)\n\n"
      let lengths = plan.lengths.sorted()
      var table = try Table(
        headers: ["model"] + lengths.map { "L = \($0)" }, alignments: [.left] + lengths.map { _ in .right })
      var sizes = try Table(
        headers: ["model"] + lengths.map { "L = \($0)" }, alignments: [.left] + lengths.map { _ in .right })
      let value = { (cell: ComparisonCell) in cell.value.map { Self.format.string($0) } ?? "failed" }
      let size = { (cell: ComparisonCell) in
        cell.parameters > 0 ? "\(cell.parameters) (\(self.deviation(of: cell)))" : "–"
      }
      for model in plan.models {
        let row = lengths.map { length in cells.first { $0.model == model && $0.length == length } }
        try table.append([model.name] + row.map { $0.map(value) ?? "–" })
        try sizes.append([model.name] + row.map { $0.map(size) ?? "–" })
      }
      let metric = Self.metric(of: task)
      let names = metric.shortName == metric.longName ? metric.longName : "\(metric.longName), \(metric.shortName)"
      page += "Test \(names) (\(metric.higherIsBetter ? "higher" : "lower") is better):\n\n"
      page += table.markdown() + "\n"
      page += "Parameters (deviation from the budget of \(plan.parameterBudget)):\n\n" + sizes.markdown() + "\n"
      let metricFile = "\(metric.identifier)-\(task.rawValue).svg"
      try write(metricChart(for: task, metric: metric, cells: cells), to: directory, as: metricFile)
      page += "![\(Self.name(of: metric)) vs length, \(task.rawValue)](\(metricFile))\n\n"
      if let other = plan.evaluationLengths, !other.isEmpty {
        page += try generalizationTable(cells: cells, lengths: other).markdown() + "\n"
      }
      let findings = ComparisonFindings.sentences(metric: metric, scores: cells.compactMap(Self.score))
      if !findings.isEmpty { page += "**What this shows.** " + findings.joined(separator: " ") + "\n\n" }
      if let longest = cells.map(\.length).max() {
        let curveFile = "loss-\(task.rawValue)-L\(longest).svg"
        try write(lossChart(for: task, metric: metric, length: longest, cells: cells), to: directory, as: curveFile)
        page += "![training loss at L = \(longest), \(task.rawValue)](\(curveFile))\n\n"
      }
      for cell in cells where cell.error != nil {
        page += "- \(cell.model.name) at L = \(cell.length) failed: \(cell.error!)\n"
      }
      page += "\n"
    }
    if !results.latency.isEmpty {
      page +=
        "## Generation latency\n\nPer-token decoding time (batch 1) after a context, models of the sizes above:\n\n"
      let contexts = Array(Set(results.latency.map(\.context))).sorted()
      var table = try Table(
        headers: ["model"] + contexts.map { "context \($0)" }, alignments: [.left] + contexts.map { _ in .right })
      for model in plan.models {
        try table.append(
          [model.name]
            + contexts.map { context in
              results.latency.first { $0.model == model && $0.context == context }
                .map { Self.format.string($0.secondsPerToken * 1e6) + " µs" } ?? "–"
            })
      }
      page += table.markdown() + "\n"
      try write(latencyChart(), to: directory, as: "latency.svg")
      page += "![generation latency vs context](latency.svg)\n"
    }
    let url = directory.appendingPathComponent("report.md")
    try writeAtomically(page, to: url)
    return url
  }

  /// A finished cell's scores for ``ComparisonFindings``, or `nil` for a failed cell.
  static func score(of cell: ComparisonCell) -> ComparisonFindings.Score? {
    cell.value.map { value in
      ComparisonFindings.Score(
        model: cell.model.name, length: cell.length, value: value,
        otherLengths: Dictionary(
          (cell.otherLengths ?? []).map { ($0.length, $0.value) }, uniquingKeysWith: { a, _ in a }))
    }
  }

  /// Length generalisation: one row per trained cell, the metric at each extra evaluation length.
  private func generalizationTable(cells: [ComparisonCell], lengths: [Int]) throws -> Table {
    var table = try Table(
      headers: ["model", "trained at"] + lengths.map { "tested at \($0)" },
      alignments: [.left, .right] + lengths.map { _ in .right })
    for cell in cells where cell.otherLengths != nil {
      try table.append(
        [cell.model.name, "\(cell.length)"]
          + lengths.map { length in
            cell.otherLengths!.first { $0.length == length }.map { Self.format.string($0.value) } ?? "–"
          })
    }
    return table
  }

  private func write(_ chart: LineChart, to directory: URL, as name: String) throws {
    try writeAtomically(try chart.svg(), to: directory.appendingPathComponent(name))
  }

  /// The metric against length: accuracy on `0 … 1`, MSE on a log scale fitted to the data, bits
  /// per byte on a linear scale fitted to the data.
  private func metricChart(for task: TaskName, metric: TaskMetric, cells: [ComparisonCell]) -> LineChart {
    let lengths = results.plan.lengths.sorted().map(Double.init)
    let yLabel = "\(metric.shortName) (\(metric.higherIsBetter ? "higher" : "lower") is better)"
    let yAxis: LineChart.Axis =
      switch metric {
      case .accuracy: .init(label: yLabel, range: 0...1)
      case .meanSquaredError: .init(label: yLabel, scale: .log10)
      case .bitsPerByte: .init(label: yLabel)
      }
    return LineChart(
      title: "\(task.rawValue): test \(metric.shortName) vs sequence length",
      xAxis: .init(label: "sequence length", scale: .log10, ticks: lengths),
      yAxis: yAxis,
      series: results.plan.models.map { model in
        LineChart.Series(
          name: model.name,
          points: cells.filter { $0.model == model }.sorted { $0.length < $1.length }.map {
            LineChart.Point(
              x: Double($0.length), y: $0.value.map { metric == .meanSquaredError ? max($0, 1e-12) : $0 } ?? .nan)
          })
      },
      summary:
        "\(metric.longName.prefix(1).uppercased() + metric.longName.dropFirst()) on held-out test instances of "
        + "\(task.rawValue) for each model at each length.")
  }

  private func lossChart(for task: TaskName, metric: TaskMetric, length: Int, cells: [ComparisonCell]) -> LineChart {
    LineChart(
      title: "\(task.rawValue), L = \(length): training loss",
      xAxis: .init(label: "step"),
      yAxis: .init(
        label: metric == .meanSquaredError ? "mean squared error (scored positions)" : "cross-entropy (nats)",
        scale: .log10),
      series: cells.filter { $0.length == length && !$0.losses.isEmpty }.map { cell in
        LineChart.Series(
          name: cell.model.name,
          points: Self.smoothed(cell.losses).enumerated().map { LineChart.Point(x: Double($0 + 1), y: Double($1)) })
      },
      summary: "Batch loss per step (moving average of 10 steps) of every model at the longest length.")
  }

  private func latencyChart() -> LineChart {
    let contexts = Array(Set(results.latency.map(\.context))).sorted().map(Double.init)
    return LineChart(
      title: "Generation latency vs context",
      xAxis: .init(label: "context (tokens)", scale: .log10, ticks: contexts),
      yAxis: .init(label: "µs per token", scale: .log10),
      series: results.plan.models.map { model in
        LineChart.Series(
          name: model.name,
          points: results.latency.filter { $0.model == model }.sorted { $0.context < $1.context }.map {
            LineChart.Point(x: Double($0.context), y: $0.secondsPerToken * 1e6)
          })
      },
      summary: "Median time per generated token after a context of the given length, batch 1.")
  }

  /// Moving average over the last 10 values (positive losses stay positive for the log axis).
  static func smoothed(_ values: [Float]) -> [Float] {
    values.indices.map { index in
      let window = values[max(0, index - 9)...index]
      return max(window.reduce(0, +) / Float(window.count), 1e-6)
    }
  }
}
