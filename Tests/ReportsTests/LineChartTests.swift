import Foundation
import Reports
import Testing

/// The numeric attributes of SVG elements; their values must be finite numbers.
private let numericAttributes: Set<String> = [
  "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "width", "height", "points", "stroke-width", "font-size",
]

/// Every number in a numeric attribute (and in `viewBox`/`transform`) parses as a finite Double, and
/// no attribute anywhere spells NaN or infinity.
private func expectFiniteNumbers(_ document: SVGDocument, sourceLocation: SourceLocation = #_sourceLocation) {
  for element in document.elements {
    for (key, value) in element.attributes {
      let lowered = value.lowercased()
      if key != "data-series" && key != "font-family" {
        #expect(!lowered.contains("nan") && !lowered.contains("inf"), "\(key)=\(value)", sourceLocation: sourceLocation)
      }
      guard numericAttributes.contains(key) || key == "viewBox" || key == "transform" else { continue }
      let body = value.replacingOccurrences(of: "rotate(", with: "").replacingOccurrences(of: ")", with: "")
      for token in body.split(whereSeparator: { $0 == " " || $0 == "," }) {
        let number = Double(token)
        #expect(number != nil && number!.isFinite, "\(element.name) \(key)=\(value)", sourceLocation: sourceLocation)
      }
    }
  }
}

private func parse(_ chart: LineChart, sourceLocation: SourceLocation = #_sourceLocation) throws -> SVGDocument {
  let text = try chart.svg()
  let document = try #require(SVGDocument(text), "SVG is not well-formed XML", sourceLocation: sourceLocation)
  expectFiniteNumbers(document, sourceLocation: sourceLocation)
  return document
}

private func close(_ a: Double, _ b: Double, tolerance: Double = 0.01) -> Bool { abs(a - b) <= tolerance }

@Suite("LineChart SVG")
struct LineChartTests {
  @Test("linear axes: range ends land on the plot-area edges, the midpoint in the middle")
  func linearMapping() throws {
    let chart = LineChart(
      title: "linear", xAxis: .init(label: "x", range: 0...10), yAxis: .init(label: "y", range: 0...1),
      series: [.init(name: "a", points: [(0, 0), (5, 0.5), (10, 1), (2.5, 0.75)])])
    let document = try parse(chart)
    let area = try #require(document.plotArea)
    let lines = document.lines(of: "a")
    try #require(lines.count == 1)
    let points = lines[0].points
    try #require(points.count == 4)
    #expect(close(points[0].x, area.x) && close(points[0].y, area.y + area.height))
    #expect(close(points[1].x, area.x + area.width / 2) && close(points[1].y, area.y + area.height / 2))
    #expect(close(points[2].x, area.x + area.width) && close(points[2].y, area.y))
    #expect(close(points[3].x, area.x + area.width / 4) && close(points[3].y, area.y + area.height / 4))
    // One marker per point, centred on the line's vertices.
    let markers = document.elements.filter { $0.series == "a" && $0.hasClass("marker") }
    #expect(markers.count == 4)
    let circle = try #require(markers.first)
    #expect(circle.name == "circle")
    #expect(close(circle.number("cx") ?? .nan, points[0].x) && close(circle.number("cy") ?? .nan, points[0].y))
  }

  @Test("log axes: 10, 100 and 1000 are equally spaced; range ends on the edges")
  func logMapping() throws {
    let chart = LineChart(
      title: "log", xAxis: .init(label: "length", scale: .log10, range: 10...1000),
      yAxis: .init(label: "loss", scale: .log10),
      series: [.init(name: "s", points: [(10, 1000), (100, 100), (1000, 10)])])
    let document = try parse(chart)
    let area = try #require(document.plotArea)
    let points = try #require(document.lines(of: "s").first).points
    try #require(points.count == 3)
    #expect(close(points[1].x - points[0].x, points[2].x - points[1].x))
    #expect(close(points[1].y - points[0].y, points[2].y - points[1].y))
    #expect(close(points[0].x, area.x) && close(points[2].x, area.x + area.width))
    #expect(close(points[1].x, area.x + area.width / 2))
    // The automatic y range of 10…1000 is already nice: its ends are the plot's top and bottom.
    #expect(close(points[0].y, area.y) && close(points[2].y, area.y + area.height))
  }

  @Test("data inside an automatic linear range stays inside the plot area; ticks reach both edges")
  func automaticLinearRange() throws {
    let chart = LineChart(
      title: "auto", xAxis: .init(label: "epoch"), yAxis: .init(label: "loss"),
      series: [.init(name: "train", x: [1, 2, 3, 4, 5, 6, 7], y: [2.31, 1.7, 1.2, 0.93, 0.71, 0.62, 0.58])])
    let document = try parse(chart)
    let area = try #require(document.plotArea)
    for point in try #require(document.lines(of: "train").first).points {
      #expect(point.x >= area.x - 0.01 && point.x <= area.x + area.width + 0.01)
      #expect(point.y >= area.y - 0.01 && point.y <= area.y + area.height + 0.01)
    }
    let xTicks = document.withClass("x-tick")
    #expect((4...10).contains(xTicks.count))
    #expect(close(xTicks.first?.number("x") ?? .nan, area.x))
    #expect(close(xTicks.last?.number("x") ?? .nan, area.x + area.width))
    #expect(xTicks.first?.text == "0" || xTicks.first?.text == "1")
  }

  @Test("non-finite points break the line into one polyline per finite run and never reach the SVG")
  func nonFiniteSegments() throws {
    let chart = LineChart(
      title: "gaps", xAxis: .init(label: "x"), yAxis: .init(label: "y"),
      series: [
        .init(
          name: "gappy",
          points: [(1, 1), (2, .nan), (3, 3), (4, 4), (.infinity, 5), (6, 6), (7, -.infinity), (8, .nan)]),
        .init(name: "solid", points: [(1, 2), (2, 3), (3, 4)]),
        .init(name: "empty", points: []),
      ])
    let text = try chart.svg()
    let document = try parse(chart)
    let gappy = document.lines(of: "gappy")
    #expect(gappy.map(\.points.count) == [1, 2, 1])
    #expect(document.lines(of: "solid").map(\.points.count) == [3])
    #expect(document.lines(of: "empty").isEmpty)
    #expect(document.elements.filter { $0.series == "gappy" && $0.hasClass("marker") }.count == 4)
    #expect(!text.lowercased().contains("nan"))
    #expect(!text.lowercased().contains("inf"))
  }

  @Test("log-axis tick labels are powers of ten, compactly formatted")
  func logTickLabels() throws {
    let chart = LineChart(
      title: "", xAxis: .init(label: "n", scale: .log10), yAxis: .init(label: "t"),
      series: [.init(name: "s", points: [(1, 1), (1e6, 2)])], width: 900)
    let document = try parse(chart)
    #expect(document.withClass("x-tick").map(\.text) == ["1", "10", "100", "1000", "1e4", "1e5", "1e6"])
  }

  @Test("explicit ticks are used and labelled as given")
  func explicitTicks() throws {
    let lengths: [Double] = [256, 512, 1024, 2048, 4096]
    let chart = LineChart(
      title: "t", xAxis: .init(label: "L", scale: .log10, ticks: lengths), yAxis: .init(label: "acc", range: 0...1),
      series: [.init(name: "s", x: lengths, y: [0.9, 0.8, 0.7, 0.6, 0.5])])
    let document = try parse(chart)
    #expect(document.withClass("x-tick").map(\.text) == ["256", "512", "1024", "2048", "4096"])
    #expect(document.withClass("y-tick").map(\.text) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
  }

  @Test("titles, labels and series names are XML-escaped")
  func escaping() throws {
    let nasty = "a <b> & \"c\" 'd'"
    let chart = LineChart(
      title: "T " + nasty, xAxis: .init(label: "X " + nasty), yAxis: .init(label: "Y " + nasty),
      series: [.init(name: "S " + nasty, points: [(1, 1), (2, 2)])])
    let text = try chart.svg()
    #expect(!text.contains("<b>"))
    let document = try parse(chart)
    #expect(document.named("title").first?.text == "T " + nasty)
    #expect(document.withClass("chart-title").first?.text == "T " + nasty)
    #expect(document.withClass("x-label").first?.text == "X " + nasty)
    #expect(document.withClass("y-label").first?.text == "Y " + nasty)
    #expect(document.withClass("legend-label").first?.text == "S " + nasty)
    #expect(document.lines(of: "S " + nasty).count == 1)
    #expect(document.named("desc").first?.text.contains(nasty) == true)
  }

  @Test("accessible title and description are present and referenced")
  func accessibility() throws {
    let chart = LineChart(
      title: "Accuracy", xAxis: .init(label: "L"), yAxis: .init(label: "acc"),
      series: [.init(name: "S4", points: [(1, 0.5), (2, 0.7)])], summary: "Custom description")
    let document = try parse(chart)
    let root = try #require(document.named("svg").first)
    let ids = (root.attributes["aria-labelledby"] ?? "").split(separator: " ").map(String.init)
    #expect(root.attributes["role"] == "img")
    #expect(ids.count == 2)
    #expect(document.named("title").first?.attributes["id"] == ids.first)
    #expect(document.named("desc").first?.attributes["id"] == ids.last)
    #expect(document.named("desc").first?.text == "Custom description")
  }

  @Test("each series has its own colour and marker shape")
  func distinctStyles() throws {
    let series = (0..<6).map { index in
      LineChart.Series(name: "s\(index)", points: [(1, Double(index)), (2, Double(index) + 1)])
    }
    let document = try parse(LineChart(title: "", xAxis: .init(label: ""), yAxis: .init(label: ""), series: series))
    let colours = series.map { document.lines(of: $0.name).first?.attributes["stroke"] ?? "" }
    #expect(Set(colours).count == 6)
    let shapes = series.map { entry -> String in
      let marker = document.elements.first { $0.series == entry.name && $0.hasClass("marker") }
      // The outline relative to its first vertex identifies the shape independently of position.
      let outline = marker?.points ?? []
      let relative = outline.map { "\(Int(($0.x - outline[0].x).rounded())),\(Int(($0.y - outline[0].y).rounded()))" }
      return "\(marker?.name ?? "") \(relative.joined(separator: " "))"
    }
    #expect(Set(shapes).count == 6)
  }

  @Test("the legend lies outside the plot area")
  func legendOutsidePlot() throws {
    let chart = LineChart(
      title: "t", xAxis: .init(label: "x"), yAxis: .init(label: "y"),
      series: [.init(name: "a fairly long series name", points: [(0, 0), (1, 1)])])
    let document = try parse(chart)
    let area = try #require(document.plotArea)
    for label in document.withClass("legend-label") {
      #expect((label.number("x") ?? 0) > area.x + area.width)
    }
  }

  @Test("errors: no series, no finite data, non-positive values on log axes, bad ranges")
  func errors() throws {
    let x = LineChart.Axis(label: "x")
    let y = LineChart.Axis(label: "y")
    #expect(throws: ReportError.noSeries) { try LineChart(title: "", xAxis: x, yAxis: y).svg() }
    #expect(throws: ReportError.noFiniteData) {
      try LineChart(title: "", xAxis: x, yAxis: y, series: [.init(name: "a", points: [])]).svg()
    }
    #expect(throws: ReportError.noFiniteData) {
      try LineChart(title: "", xAxis: x, yAxis: y, series: [.init(name: "a", points: [(.nan, 1), (2, .infinity)])])
        .svg()
    }
    let logX = LineChart.Axis(label: "x", scale: .log10)
    #expect(throws: ReportError.nonPositiveOnLogAxis(axis: "x", series: "a", value: 0)) {
      try LineChart(title: "", xAxis: logX, yAxis: y, series: [.init(name: "a", points: [(1, 1), (0, 2)])]).svg()
    }
    let logY = LineChart.Axis(label: "y", scale: .log10)
    #expect(throws: ReportError.nonPositiveOnLogAxis(axis: "y", series: "b", value: -3)) {
      try LineChart(title: "", xAxis: x, yAxis: logY, series: [.init(name: "b", points: [(1, 1), (2, -3)])]).svg()
    }
    let logRange = LineChart.Axis(label: "x", scale: .log10, range: 0...10)
    #expect(throws: ReportError.nonPositiveOnLogAxis(axis: "x", series: nil, value: 0)) {
      try LineChart(title: "", xAxis: logRange, yAxis: y, series: [.init(name: "a", points: [(1, 1)])]).svg()
    }
    let empty = LineChart.Axis(label: "y", range: 1...1)
    #expect(throws: ReportError.invalidRange(axis: "y", lower: 1, upper: 1)) {
      try LineChart(title: "", xAxis: x, yAxis: empty, series: [.init(name: "a", points: [(1, 1)])]).svg()
    }
    #expect(throws: ReportError.self) {
      try LineChart(
        title: "", xAxis: x, yAxis: y, series: [.init(name: "a", points: [(-1e308, 1), (1e308, 2)])]
      ).svg()
    }
    #expect(throws: ReportError.canvasTooSmall(width: 100, height: 80)) {
      try LineChart(
        title: "t", xAxis: x, yAxis: y, series: [.init(name: "a", points: [(1, 1)])], width: 100, height: 80
      ).svg()
    }
    let description = ReportError.nonPositiveOnLogAxis(axis: "x", series: "S4", value: 0).description
    #expect(description.contains("S4") && description.contains("non-positive"))
    #expect(ReportError.noSeries.description.contains("no series"))
  }

  @Test("a single point and a constant series still render with a usable range")
  func degenerateData() throws {
    let single = try parse(
      LineChart(
        title: "", xAxis: .init(label: "x"), yAxis: .init(label: "y"), series: [.init(name: "a", points: [(3, 3)])]))
    #expect(single.lines(of: "a").map(\.points.count) == [1])
    let logSingle = try parse(
      LineChart(
        title: "", xAxis: .init(label: "x", scale: .log10), yAxis: .init(label: "y", scale: .log10),
        series: [.init(name: "a", points: [(1000, 0.5)])]))
    let area = try #require(logSingle.plotArea)
    let point = try #require(logSingle.lines(of: "a").first?.points.first)
    #expect(point.x > area.x && point.x < area.x + area.width)
    #expect(point.y > area.y && point.y < area.y + area.height)
  }

  @Test("data outside an explicit range is clamped to sane coordinates and clipped")
  func outOfRange() throws {
    let chart = LineChart(
      title: "", xAxis: .init(label: "x"), yAxis: .init(label: "y", range: 0...1),
      series: [.init(name: "a", points: [(1, 0.5), (2, 1e300), (3, -1e300)])])
    let document = try parse(chart)
    let points = try #require(document.lines(of: "a").first).points
    #expect(points.count == 3)
    #expect(points.allSatisfy { abs($0.y) <= 1e6 })
    let group = try #require(document.withClass("series").first)
    #expect(group.attributes["clip-path"]?.hasPrefix("url(#") == true)
  }
}
