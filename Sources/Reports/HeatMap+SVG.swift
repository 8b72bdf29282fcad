import Foundation

extension HeatMap {
  /// Renders the heat map as a standalone SVG 1.1 document (UTF-8, with an XML declaration).
  ///
  /// The document has a white background, a `<title>` and `<desc>` referenced by
  /// `aria-labelledby`, one `<rect class="cell">` per matrix entry (row-major, with `data-row` and
  /// `data-column` attributes), a frame (`plot-area`), row and column labels (`row-label`,
  /// `column-label`), axis titles (`row-axis-label`, `column-axis-label`), and a colour bar
  /// (`color-bar`, filled with a vertical gradient from `−limit` at the bottom to `+limit` at the
  /// top, with `color-bar-tick` labels and a `color-bar-label` title). Text is XML-escaped.
  ///
  /// - Throws: the errors of ``resolvedLimit()``, or ``ReportError/canvasTooSmall(width:height:)``
  ///   when the canvas leaves less than one pixel per cell.
  public func svg() throws -> String {
    let limit = try resolvedLimit()
    let layout = try HeatMapLayout(map: self, limit: limit)
    var renderer = HeatMapRenderer(map: self, limit: limit, layout: layout)
    renderer.document()
    return renderer.output
  }

  /// The generated accessible description used when ``summary`` is `nil`.
  func generatedSummary(limit: Double) -> String {
    let shape = "\(rowCount) × \(columnCount)"
    let scale =
      "diverging colour scale from \(Ticks.label(-limit)) (blue) through 0 (white) to \(Ticks.label(limit)) (red)"
    return "Heat map of a \(shape) matrix, \(scale)."
  }
}

/// Where the grid, labels and colour bar of a heat map go. All edges are whole pixels except the
/// cell side, which is fractional only when cells are smaller than 3 pixels.
struct HeatMapLayout {
  typealias M = ChartMetrics
  static let barGap = 20.0
  static let barWidth = 16.0

  var gridLeft: Double
  var gridTop: Double
  var cell: Double
  var rowStride: Int
  var columnStride: Int
  var rowLabels: [String]
  var columnLabels: [String]
  var barTicks: [Double]
  var canvasWidth: Double
  var canvasHeight: Double
  var rows: Int
  var columns: Int

  var gridWidth: Double { cell * Double(columns) }
  var gridHeight: Double { cell * Double(rows) }
  var gridRight: Double { gridLeft + gridWidth }
  var gridBottom: Double { gridTop + gridHeight }
  var barLeft: Double { gridRight + Self.barGap }

  init(map: HeatMap, limit: Double) throws {
    rows = map.rowCount
    columns = map.columnCount
    rowLabels = map.rowLabels ?? (0..<rows).map(String.init)
    columnLabels = map.columnLabels ?? (0..<columns).map(String.init)
    barTicks = Ticks.linear(lower: -limit, upper: limit)
    let top = (map.title.isEmpty ? M.edge + 4 : M.edge + M.titleFont + 18).rounded(.up)
    let rowLabelWidth = rowLabels.map { M.textWidth($0, font: M.tickFont) }.max() ?? 0
    let rowTitleSpace = map.rowAxisLabel.isEmpty ? 0 : M.axisLabelFont + 10
    let left = (M.edge + rowTitleSpace + rowLabelWidth + 8 + M.tickLength).rounded(.up)
    let bottom = M.tickLength + 15 + (map.columnAxisLabel.isEmpty ? 0 : M.axisLabelFont + 12) + M.edge
    let barLabelWidth = barTicks.map { M.textWidth(Ticks.label($0), font: M.tickFont) }.max() ?? 0
    let barTitleSpace = map.colorBarLabel.isEmpty ? 0 : M.axisLabelFont + 12
    let right = (Self.barGap + Self.barWidth + M.tickLength + 4 + barLabelWidth + barTitleSpace + M.edge).rounded(.up)
    let available = (width: map.width - left - right, height: map.height - top - bottom)
    var side = min(available.width / Double(columns), available.height / Double(rows))
    if side >= 3 { side = side.rounded(.down) }
    guard side >= 1, side * Double(rows) >= 40 else {
      throw ReportError.canvasTooSmall(width: map.width, height: map.height)
    }
    cell = side
    gridLeft = left
    gridTop = top
    rowStride = Self.stride(cell: side, need: 2 * M.tickFont)
    let columnLabelWidth = columnLabels.map { M.textWidth($0, font: M.tickFont) }.max() ?? 0
    columnStride = Self.stride(cell: side, need: columnLabelWidth + 6)
    let titleWidth = M.textWidth(map.title, font: M.titleFont) * 0.85 + 2 * M.edge
    let contentWidth = left + side * Double(columns) + right
    canvasWidth = min(map.width, max(contentWidth, titleWidth)).rounded(.up)
    canvasHeight = (top + side * Double(rows) + bottom).rounded(.up)
  }

  /// The smallest label stride from 1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, … whose spacing
  /// `stride × cell` is at least `need` pixels.
  static func stride(cell: Double, need: Double) -> Int {
    var scale = 1
    while scale < 1_000_000_000 {
      for base in [1, 2, 4, 5, 8] where Double(base * scale) * cell >= need { return base * scale }
      scale *= 10
    }
    return scale
  }

  /// The pixel centre of cell column `column`.
  func x(column: Int) -> Double { gridLeft + (Double(column) + 0.5) * cell }
  /// The pixel centre of cell row `row`.
  func y(row: Int) -> Double { gridTop + (Double(row) + 0.5) * cell }
  /// The pixel height of colour-bar value `value` in `−limit…limit`.
  func barY(_ value: Double, limit: Double) -> Double { gridBottom - (value + limit) / (2 * limit) * gridHeight }
}

/// Writes the SVG elements of one heat map into a string.
struct HeatMapRenderer {
  typealias M = ChartMetrics
  let map: HeatMap
  let limit: Double
  let layout: HeatMapLayout
  let idPrefix: String
  private(set) var output = ""

  init(map: HeatMap, limit: Double, layout: HeatMapLayout) {
    self.map = map
    self.limit = limit
    self.layout = layout
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in (map.title + "\u{1F}\(map.rowCount)x\(map.columnCount)").utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    idPrefix = "heatmap-" + String(hash & 0xFFFF_FFFF, radix: 16)
  }

  private mutating func line(_ text: String) {
    output += text
    output += "\n"
  }

  mutating func document() {
    let width = svgNumber(layout.canvasWidth)
    let height = svgNumber(layout.canvasHeight)
    line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    line(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(width)\" height=\"\(height)\" "
        + "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"\(idPrefix)-title \(idPrefix)-desc\" "
        + "font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\" "
        + "font-size=\"\(svgNumber(M.tickFont))\">")
    line("<title id=\"\(idPrefix)-title\">\(xmlEscaped(map.title))</title>")
    line("<desc id=\"\(idPrefix)-desc\">\(xmlEscaped(map.summary ?? map.generatedSummary(limit: limit)))</desc>")
    line("<defs><linearGradient id=\"\(idPrefix)-scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">")
    let stops = map.colorMap.stopColors
    for (index, colour) in stops.enumerated() {
      let offset = svgNumber(Double(index) / Double(stops.count - 1))
      line("<stop offset=\"\(offset)\" stop-color=\"\(colour)\"/>")
    }
    line("</linearGradient></defs>")
    line("<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>")
    cells()
    line(
      "<rect class=\"plot-area\" x=\"\(svgNumber(layout.gridLeft))\" y=\"\(svgNumber(layout.gridTop))\" "
        + "width=\"\(svgNumber(layout.gridWidth))\" height=\"\(svgNumber(layout.gridHeight))\" "
        + "fill=\"none\" stroke=\"#888888\" stroke-width=\"1\"/>")
    labels()
    titles()
    colorBar()
    line("</svg>")
  }

  /// One rectangle per entry, row-major.
  private mutating func cells() {
    line("<g class=\"cells\" shape-rendering=\"crispEdges\" stroke=\"none\">")
    let side = svgNumber(layout.cell)
    for (i, row) in map.values.enumerated() {
      let y = svgNumber(layout.gridTop + Double(i) * layout.cell)
      for (k, value) in row.enumerated() {
        let x = svgNumber(layout.gridLeft + Double(k) * layout.cell)
        line(
          "<rect class=\"cell\" data-row=\"\(i)\" data-column=\"\(k)\" x=\"\(x)\" y=\"\(y)\" width=\"\(side)\" "
            + "height=\"\(side)\" fill=\"\(map.color(for: value, limit: limit))\"/>")
      }
    }
    line("</g>")
  }

  /// Row labels left of the grid and column labels below it, every `stride`-th one, with tick marks.
  private mutating func labels() {
    let (left, bottom) = (layout.gridLeft, layout.gridBottom)
    line("<g class=\"ticks\" stroke=\"#333333\" stroke-width=\"1\">")
    for row in Swift.stride(from: 0, to: layout.rows, by: layout.rowStride) {
      let y = svgNumber(layout.y(row: row))
      line("<line x1=\"\(svgNumber(left - M.tickLength))\" y1=\"\(y)\" x2=\"\(svgNumber(left))\" y2=\"\(y)\"/>")
    }
    for column in Swift.stride(from: 0, to: layout.columns, by: layout.columnStride) {
      let x = svgNumber(layout.x(column: column))
      line("<line x1=\"\(x)\" y1=\"\(svgNumber(bottom))\" x2=\"\(x)\" y2=\"\(svgNumber(bottom + M.tickLength))\"/>")
    }
    line("</g>")
    line("<g class=\"tick-labels\" fill=\"#333333\" font-size=\"\(svgNumber(M.tickFont))\">")
    for row in Swift.stride(from: 0, to: layout.rows, by: layout.rowStride) {
      line(
        "<text class=\"row-label\" x=\"\(svgNumber(left - M.tickLength - 4))\" "
          + "y=\"\(svgNumber(layout.y(row: row) + 4))\" text-anchor=\"end\">\(xmlEscaped(layout.rowLabels[row]))</text>"
      )
    }
    for column in Swift.stride(from: 0, to: layout.columns, by: layout.columnStride) {
      line(
        "<text class=\"column-label\" x=\"\(svgNumber(layout.x(column: column)))\" "
          + "y=\"\(svgNumber(bottom + M.tickLength + 14))\" text-anchor=\"middle\">"
          + "\(xmlEscaped(layout.columnLabels[column]))</text>")
    }
    line("</g>")
  }

  /// The chart title and the axis titles.
  private mutating func titles() {
    if !map.title.isEmpty {
      line(
        "<text class=\"chart-title\" x=\"\(svgNumber(M.edge))\" y=\"\(svgNumber(M.edge + M.titleFont))\" "
          + "font-size=\"\(svgNumber(M.titleFont))\" font-weight=\"bold\" fill=\"#111111\">"
          + "\(xmlEscaped(map.title))</text>")
    }
    if !map.columnAxisLabel.isEmpty {
      let cx = svgNumber(layout.gridLeft + layout.gridWidth / 2)
      let baseline = svgNumber(layout.gridBottom + M.tickLength + 15 + M.axisLabelFont + 8)
      line(
        "<text class=\"column-axis-label\" x=\"\(cx)\" y=\"\(baseline)\" text-anchor=\"middle\" "
          + "font-size=\"\(svgNumber(M.axisLabelFont))\" fill=\"#111111\">\(xmlEscaped(map.columnAxisLabel))</text>")
    }
    if !map.rowAxisLabel.isEmpty {
      let cx = svgNumber(M.edge + M.axisLabelFont)
      let cy = svgNumber(layout.gridTop + layout.gridHeight / 2)
      line(
        "<text class=\"row-axis-label\" x=\"\(cx)\" y=\"\(cy)\" text-anchor=\"middle\" "
          + "transform=\"rotate(-90 \(cx) \(cy))\" font-size=\"\(svgNumber(M.axisLabelFont))\" fill=\"#111111\">"
          + "\(xmlEscaped(map.rowAxisLabel))</text>")
    }
  }

  /// The colour bar: a gradient from −limit (bottom) to +limit (top), ticks and its title.
  private mutating func colorBar() {
    let left = layout.barLeft
    let right = left + HeatMapLayout.barWidth
    line("<g class=\"color-bar\">")
    line(
      "<rect class=\"color-bar-fill\" x=\"\(svgNumber(left))\" y=\"\(svgNumber(layout.gridTop))\" "
        + "width=\"\(svgNumber(HeatMapLayout.barWidth))\" height=\"\(svgNumber(layout.gridHeight))\" "
        + "fill=\"url(#\(idPrefix)-scale)\" stroke=\"#888888\" stroke-width=\"1\"/>")
    var lastTop = Double.infinity
    for value in layout.barTicks.sorted() {
      let y = layout.barY(value, limit: limit)
      line(
        "<line x1=\"\(svgNumber(right))\" y1=\"\(svgNumber(y))\" x2=\"\(svgNumber(right + M.tickLength))\" "
          + "y2=\"\(svgNumber(y))\" stroke=\"#333333\" stroke-width=\"1\"/>")
      guard y + M.tickFont / 2 <= lastTop - 2 else { continue }
      lastTop = y - M.tickFont / 2
      line(
        "<text class=\"color-bar-tick\" x=\"\(svgNumber(right + M.tickLength + 4))\" y=\"\(svgNumber(y + 4))\" "
          + "fill=\"#333333\">\(xmlEscaped(Ticks.label(value)))</text>")
    }
    if !map.colorBarLabel.isEmpty {
      let labelWidth = layout.barTicks.map { M.textWidth(Ticks.label($0), font: M.tickFont) }.max() ?? 0
      let cx = svgNumber(right + M.tickLength + 4 + labelWidth + 8 + M.axisLabelFont / 2)
      let cy = svgNumber(layout.gridTop + layout.gridHeight / 2)
      line(
        "<text class=\"color-bar-label\" x=\"\(cx)\" y=\"\(cy)\" text-anchor=\"middle\" "
          + "transform=\"rotate(90 \(cx) \(cy))\" font-size=\"\(svgNumber(M.axisLabelFont))\" fill=\"#111111\">"
          + "\(xmlEscaped(map.colorBarLabel))</text>")
    }
    line("</g>")
  }
}
