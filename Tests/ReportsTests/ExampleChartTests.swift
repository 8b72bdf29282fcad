import Foundation
import Reports
import Testing

/// The kind of chart `ssm compare` writes: accuracy of four models over sequence lengths, one model
/// failing (NaN) at the longest length.
func exampleChart() -> LineChart {
  let lengths: [Double] = [256, 512, 1024, 2048, 4096, 8192, 16384]
  return LineChart(
    title: "Selective copying: accuracy vs. sequence length",
    xAxis: .init(label: "sequence length", scale: .log10, ticks: lengths),
    yAxis: .init(label: "test accuracy", range: 0...1),
    series: [
      .init(name: "S4", x: lengths, y: [0.99, 0.99, 0.98, 0.98, 0.97, 0.96, 0.95]),
      .init(name: "S4D", x: lengths, y: [0.99, 0.985, 0.98, 0.975, 0.97, 0.95, 0.93]),
      .init(name: "Transformer", x: lengths, y: [0.97, 0.93, 0.81, 0.62, 0.41, .nan, .nan]),
      .init(name: "GRU", x: lengths, y: [0.9, 0.74, 0.52, 0.31, 0.22, 0.2, 0.19]),
    ])
}

/// A log–log chart with generated ticks: MSE against training time, one run diverging (NaN) midway.
func exampleLossChart() -> LineChart {
  let seconds: [Double] = [0.5, 1, 2, 4, 8, 16, 32, 64, 128]
  return LineChart(
    title: "Long-range regression: MSE vs. training time",
    xAxis: .init(label: "wall-clock seconds", scale: .log10),
    yAxis: .init(label: "validation MSE", scale: .log10),
    series: [
      .init(name: "S4 (N=64)", x: seconds, y: seconds.map { 0.8 / ($0 + 1) }),
      .init(name: "S4D-Lin", x: seconds, y: seconds.map { 0.9 / ($0 * $0 + 1) + 2e-4 }),
      .init(name: "Transformer <causal>", x: seconds, y: [0.9, 0.7, 0.5, .nan, 0.3, 0.28, 0.27, 0.26, 0.26]),
    ])
}

@Suite("Example chart")
struct ExampleChartTests {
  /// Renders the examples; set `REPORTS_EXAMPLE_SVG` to a path to also write it there for viewing.
  @Test("the example benchmark chart renders as valid SVG")
  func example() throws {
    let text = try exampleChart().svg()
    let document = try #require(SVGDocument(text))
    #expect(document.lines(of: "Transformer").map(\.points.count) == [5])
    #expect(document.withClass("x-tick").count == 7)
    let loss = try exampleLossChart().svg()
    let lossDocument = try #require(SVGDocument(loss))
    #expect(lossDocument.lines(of: "Transformer <causal>").map(\.points.count) == [3, 5])
    if let path = ProcessInfo.processInfo.environment["REPORTS_EXAMPLE_SVG"] {
      let url = URL(fileURLWithPath: path)
      try writeAtomically(text, to: url)
      let lossName = url.deletingPathExtension().lastPathComponent + "-loss.svg"
      try writeAtomically(loss, to: url.deletingLastPathComponent().appendingPathComponent(lossName))
    }
  }
}
