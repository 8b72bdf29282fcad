import Foundation

extension LineChart {
  /// Renders the chart as a standalone SVG 1.1 document (UTF-8, with an XML declaration).
  ///
  /// The document has a white background (so it reads in dark mode too), a `<title>` and `<desc>`
  /// referenced by `aria-labelledby`, gridlines at the ticks, axis lines, tick labels, axis titles,
  /// one `<polyline class="series-line">` per run of finite points in each series drawn with a
  /// line, a marker per finite point of each series drawn with markers (see
  /// ``LineChart/Series/mark``), and a legend to the right of the plot area. Elements carry classes
  /// (`plot-area`, `series`, `series-line`, `marker`, `legend`, `x-tick`, `y-tick`) for tests and
  /// styling. Text is XML-escaped.
  ///
  /// - Throws: ``ReportError/noSeries``, ``ReportError/noFiniteData``,
  ///   ``ReportError/nonPositiveOnLogAxis(axis:series:value:)``,
  ///   ``ReportError/invalidRange(axis:lower:upper:)`` or ``ReportError/canvasTooSmall(width:height:)``.
  public func svg() throws -> String {
    guard !series.isEmpty else { throw ReportError.noSeries }
    var xs: [Double] = []
    var ys: [Double] = []
    for entry in series {
      for point in entry.points where point.x.isFinite && point.y.isFinite {
        if xAxis.scale == .log10 && point.x <= 0 {
          throw ReportError.nonPositiveOnLogAxis(axis: "x", series: entry.name, value: point.x)
        }
        if yAxis.scale == .log10 && point.y <= 0 {
          throw ReportError.nonPositiveOnLogAxis(axis: "y", series: entry.name, value: point.y)
        }
        xs.append(point.x)
        ys.append(point.y)
      }
    }
    guard !xs.isEmpty else { throw ReportError.noFiniteData }
    let x = try ResolvedAxis(xAxis, name: "x", values: xs)
    let y = try ResolvedAxis(yAxis, name: "y", values: ys)
    let xLabels = x.ticks.map(Ticks.label)
    let yLabels = y.ticks.map(Ticks.label)
    let layout = try ChartLayout(chart: self, xLabels: xLabels, yLabels: yLabels)
    var svg = SVGRenderer(chart: self, x: x, y: y, layout: layout)
    svg.document(xLabels: xLabels, yLabels: yLabels)
    return svg.output
  }

  /// The generated accessible description used when ``summary`` is `nil`.
  func generatedSummary(x: ResolvedAxis, y: ResolvedAxis) -> String {
    let names = series.map(\.name).joined(separator: ", ")
    let count = series.count == 1 ? "1 series" : "\(series.count) series"
    let xName = xAxis.label.isEmpty ? "x axis" : "x axis \"\(xAxis.label)\""
    let yName = yAxis.label.isEmpty ? "y axis" : "y axis \"\(yAxis.label)\""
    return "Line chart with \(count) (\(names)). \(xName): \(x.summary). \(yName): \(y.summary)."
  }
}

/// Writes the SVG elements of one chart into a string.
struct SVGRenderer {
  let chart: LineChart
  let x: ResolvedAxis
  let y: ResolvedAxis
  let layout: ChartLayout
  /// The document so far.
  private(set) var output = ""
  /// A per-chart prefix for element ids, so several charts can be inlined in one HTML page.
  let idPrefix: String

  init(chart: LineChart, x: ResolvedAxis, y: ResolvedAxis, layout: ChartLayout) {
    self.chart = chart
    self.x = x
    self.y = y
    self.layout = layout
    // FNV-1a of the title and series names: stable across runs, distinct for distinct charts.
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in (chart.title + chart.series.map(\.name).joined(separator: "\u{1F}")).utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    idPrefix = "chart-" + String(hash & 0xFFFF_FFFF, radix: 16)
  }

  private mutating func line(_ text: String) {
    output += text
    output += "\n"
  }

  /// Emits the whole document.
  mutating func document(xLabels: [String], yLabels: [String]) {
    typealias M = ChartMetrics
    let width = svgNumber(chart.width)
    let height = svgNumber(chart.height)
    line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    line(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(width)\" height=\"\(height)\" "
        + "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"\(idPrefix)-title \(idPrefix)-desc\" "
        + "font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\" "
        + "font-size=\"\(svgNumber(M.tickFont))\">")
    line("<title id=\"\(idPrefix)-title\">\(xmlEscaped(chart.title))</title>")
    let summary = chart.summary ?? chart.generatedSummary(x: x, y: y)
    line("<desc id=\"\(idPrefix)-desc\">\(xmlEscaped(summary))</desc>")
    // The clip region reaches a few pixels past the plot area so markers on its edge stay whole.
    let pad = 7.0
    line(
      "<defs><clipPath id=\"\(idPrefix)-clip\"><rect x=\"\(svgNumber(layout.plotLeft - pad))\" "
        + "y=\"\(svgNumber(layout.plotTop - pad))\" width=\"\(svgNumber(layout.plotWidth + 2 * pad))\" "
        + "height=\"\(svgNumber(layout.plotHeight + 2 * pad))\"/></clipPath></defs>")
    line("<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>")
    grid()
    line(
      "<rect class=\"plot-area\" x=\"\(svgNumber(layout.plotLeft))\" y=\"\(svgNumber(layout.plotTop))\" "
        + "width=\"\(svgNumber(layout.plotWidth))\" height=\"\(svgNumber(layout.plotHeight))\" "
        + "fill=\"none\" stroke=\"#bbbbbb\" stroke-width=\"1\"/>")
    axes(xLabels: xLabels, yLabels: yLabels)
    titles()
    for (index, entry) in chart.series.enumerated() {
      seriesGroup(entry, style: SeriesStyle(index: index))
    }
    legend()
    line("</svg>")
  }

  /// Major and minor gridlines inside the plot area.
  private mutating func grid() {
    line("<g class=\"grid\" fill=\"none\" stroke-width=\"1\">")
    let left = svgNumber(layout.plotLeft)
    let right = svgNumber(layout.plotRight)
    let top = svgNumber(layout.plotTop)
    let bottom = svgNumber(layout.plotBottom)
    for (values, colour) in [(x.minorTicks, "#f0f0f0"), (x.ticks, "#dddddd")] {
      for value in values {
        let px = svgNumber(layout.x(value, on: x))
        line("<line x1=\"\(px)\" y1=\"\(top)\" x2=\"\(px)\" y2=\"\(bottom)\" stroke=\"\(colour)\"/>")
      }
    }
    for (values, colour) in [(y.minorTicks, "#f0f0f0"), (y.ticks, "#dddddd")] {
      for value in values {
        let py = svgNumber(layout.y(value, on: y))
        line("<line x1=\"\(left)\" y1=\"\(py)\" x2=\"\(right)\" y2=\"\(py)\" stroke=\"\(colour)\"/>")
      }
    }
    line("</g>")
  }

  /// Axis lines, tick marks and tick labels. Labels that would overlap their neighbour are left out
  /// (their tick mark and gridline stay).
  private mutating func axes(xLabels: [String], yLabels: [String]) {
    typealias M = ChartMetrics
    let left = layout.plotLeft
    let bottom = layout.plotBottom
    line("<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\">")
    line(
      "<line class=\"x-axis\" x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(bottom))\" "
        + "x2=\"\(svgNumber(layout.plotRight))\" y2=\"\(svgNumber(bottom))\"/>")
    line(
      "<line class=\"y-axis\" x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(layout.plotTop))\" "
        + "x2=\"\(svgNumber(left))\" y2=\"\(svgNumber(bottom))\"/>")
    for value in x.ticks {
      let px = svgNumber(layout.x(value, on: x))
      line(
        "<line x1=\"\(px)\" y1=\"\(svgNumber(bottom))\" x2=\"\(px)\" y2=\"\(svgNumber(bottom + M.tickLength))\"/>")
    }
    for value in y.ticks {
      let py = svgNumber(layout.y(value, on: y))
      line("<line x1=\"\(svgNumber(left - M.tickLength))\" y1=\"\(py)\" x2=\"\(svgNumber(left))\" y2=\"\(py)\"/>")
    }
    line("</g>")

    line("<g class=\"tick-labels\" fill=\"#333333\" font-size=\"\(svgNumber(M.tickFont))\">")
    var lastRight = -Double.infinity
    for (value, label) in zip(x.ticks, xLabels) {
      let px = layout.x(value, on: x)
      let half = M.textWidth(label, font: M.tickFont) / 2
      guard px - half >= lastRight + 6 else { continue }
      lastRight = px + half
      line(
        "<text class=\"x-tick\" x=\"\(svgNumber(px))\" y=\"\(svgNumber(bottom + M.tickLength + 14))\" "
          + "text-anchor=\"middle\">\(xmlEscaped(label))</text>")
    }
    var lastTop = Double.infinity
    for (value, label) in zip(y.ticks, yLabels) {
      let py = layout.y(value, on: y)
      guard py + M.tickFont / 2 <= lastTop - 2 else { continue }
      lastTop = py - M.tickFont / 2
      line(
        "<text class=\"y-tick\" x=\"\(svgNumber(left - M.tickLength - 4))\" y=\"\(svgNumber(py + 4))\" "
          + "text-anchor=\"end\">\(xmlEscaped(label))</text>")
    }
    line("</g>")
  }

  /// The chart title and the axis titles.
  private mutating func titles() {
    typealias M = ChartMetrics
    if !chart.title.isEmpty {
      line(
        "<text class=\"chart-title\" x=\"\(svgNumber(M.edge))\" y=\"\(svgNumber(M.edge + M.titleFont))\" "
          + "font-size=\"\(svgNumber(M.titleFont))\" font-weight=\"bold\" fill=\"#111111\">"
          + "\(xmlEscaped(chart.title))</text>")
    }
    if !chart.xAxis.label.isEmpty {
      let cx = svgNumber(layout.plotLeft + layout.plotWidth / 2)
      let baseline = svgNumber(layout.plotBottom + M.tickLength + 15 + M.axisLabelFont + 8)
      line(
        "<text class=\"x-label\" x=\"\(cx)\" y=\"\(baseline)\" text-anchor=\"middle\" "
          + "font-size=\"\(svgNumber(M.axisLabelFont))\" fill=\"#111111\">\(xmlEscaped(axisTitle(chart.xAxis)))</text>")
    }
    if !chart.yAxis.label.isEmpty {
      let cx = svgNumber(M.edge + M.axisLabelFont)
      let cy = svgNumber(layout.plotTop + layout.plotHeight / 2)
      line(
        "<text class=\"y-label\" x=\"\(cx)\" y=\"\(cy)\" text-anchor=\"middle\" transform=\"rotate(-90 \(cx) \(cy))\" "
          + "font-size=\"\(svgNumber(M.axisLabelFont))\" fill=\"#111111\">\(xmlEscaped(axisTitle(chart.yAxis)))</text>")
    }
  }

  /// The axis title, marked "(log scale)" on logarithmic axes.
  private func axisTitle(_ axis: LineChart.Axis) -> String {
    axis.scale == .log10 ? "\(axis.label) (log scale)" : axis.label
  }

  /// One series: a polyline per run of finite points, then the markers.
  private mutating func seriesGroup(_ entry: LineChart.Series, style: SeriesStyle) {
    line("<g class=\"series\" data-series=\"\(xmlEscaped(entry.name))\" clip-path=\"url(#\(idPrefix)-clip)\">")
    var segments: [[(Double, Double)]] = []
    var current: [(Double, Double)] = []
    for point in entry.points {
      if point.x.isFinite && point.y.isFinite {
        current.append((layout.x(point.x, on: x), layout.y(point.y, on: y)))
      } else if !current.isEmpty {
        segments.append(current)
        current = []
      }
    }
    if !current.isEmpty { segments.append(current) }
    let dash = style.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
    for segment in segments where entry.mark.drawsLine {
      let points = segment.map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }.joined(separator: " ")
      line(
        "<polyline class=\"series-line\" points=\"\(points)\" fill=\"none\" stroke=\"\(style.color)\" "
          + "stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"\(dash)/>")
    }
    if entry.mark.drawsMarkers {
      line("<g class=\"markers\" fill=\"\(style.color)\" stroke=\"#ffffff\" stroke-width=\"1\">")
      for segment in segments {
        for (px, py) in segment { line(marker(style.marker, x: px, y: py)) }
      }
      line("</g>")
    }
    line("</g>")
  }

  /// The legend: one row per series with a line sample, its marker and its name.
  private mutating func legend() {
    typealias M = ChartMetrics
    guard !chart.series.isEmpty else { return }
    let nameWidth = chart.series.map { M.textWidth($0.name, font: M.legendFont) }.max() ?? 0
    let boxWidth = M.legendSwatch + 8 + nameWidth + 16
    let boxHeight = Double(chart.series.count) * M.legendRow + 12
    let left = layout.legendLeft
    let top = layout.plotTop
    line("<g class=\"legend\" font-size=\"\(svgNumber(M.legendFont))\">")
    line(
      "<rect x=\"\(svgNumber(left))\" y=\"\(svgNumber(top))\" width=\"\(svgNumber(boxWidth))\" "
        + "height=\"\(svgNumber(boxHeight))\" fill=\"#ffffff\" stroke=\"#cccccc\" rx=\"3\"/>")
    for (index, entry) in chart.series.enumerated() {
      let style = SeriesStyle(index: index)
      let rowY = top + 6 + M.legendRow * (Double(index) + 0.5)
      let x1 = left + 8
      let dash = style.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
      if entry.mark.drawsLine {
        line(
          "<line x1=\"\(svgNumber(x1))\" y1=\"\(svgNumber(rowY))\" x2=\"\(svgNumber(x1 + M.legendSwatch))\" "
            + "y2=\"\(svgNumber(rowY))\" stroke=\"\(style.color)\" stroke-width=\"2\"\(dash)/>")
      }
      if entry.mark.drawsMarkers {
        line(
          "<g fill=\"\(style.color)\" stroke=\"#ffffff\" stroke-width=\"1\">"
            + marker(style.marker, x: x1 + M.legendSwatch / 2, y: rowY) + "</g>")
      }
      line(
        "<text class=\"legend-label\" x=\"\(svgNumber(x1 + M.legendSwatch + 8))\" y=\"\(svgNumber(rowY + 4))\" "
          + "fill=\"#111111\">\(xmlEscaped(entry.name))</text>")
    }
    line("</g>")
  }

  /// A marker element centred on (`x`, `y`).
  private func marker(_ shape: MarkerShape, x: Double, y: Double) -> String {
    let r = 4.5
    func polygon(_ offsets: [(Double, Double)]) -> String {
      let points = offsets.map { "\(svgNumber(x + $0.0 * r)),\(svgNumber(y + $0.1 * r))" }.joined(separator: " ")
      return "<polygon class=\"marker\" points=\"\(points)\"/>"
    }
    switch shape {
    case .circle:
      return "<circle class=\"marker\" cx=\"\(svgNumber(x))\" cy=\"\(svgNumber(y))\" r=\"\(svgNumber(r))\"/>"
    case .square:
      let side = r * 1.7
      return "<rect class=\"marker\" x=\"\(svgNumber(x - side / 2))\" y=\"\(svgNumber(y - side / 2))\" "
        + "width=\"\(svgNumber(side))\" height=\"\(svgNumber(side))\"/>"
    case .triangleUp:
      return polygon([(0, -1.2), (1.1, 0.8), (-1.1, 0.8)])
    case .triangleDown:
      return polygon([(0, 1.2), (1.1, -0.8), (-1.1, -0.8)])
    case .diamond:
      return polygon([(0, -1.25), (1.05, 0), (0, 1.25), (-1.05, 0)])
    case .plus:
      let a = 0.4
      let b = 1.15
      return polygon([
        (-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b), (-a, b), (-a, a), (-b, a), (-b, -a), (-a, -a),
      ])
    case .cross:
      let s = 0.7071
      let a = 0.4
      let b = 1.2
      let plus = [
        (-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b), (-a, b), (-a, a), (-b, a), (-b, -a), (-a, -a),
      ]
      return polygon(plus.map { ($0.0 * s - $0.1 * s, $0.0 * s + $0.1 * s) })
    case .star:
      var points: [(Double, Double)] = []
      for k in 0..<10 {
        let angle = -Double.pi / 2 + Double(k) * Double.pi / 5
        let radius = k.isMultiple(of: 2) ? 1.3 : 0.55
        points.append((radius * cos(angle), radius * sin(angle)))
      }
      return polygon(points)
    }
  }
}
