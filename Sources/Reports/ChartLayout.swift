import Foundation

/// Sizes of the chart's text, in pixels, and the width estimate used to lay text out.
enum ChartMetrics {
  static let titleFont = 16.0
  static let axisLabelFont = 13.0
  static let tickFont = 12.0
  static let legendFont = 12.0
  static let edge = 16.0
  static let tickLength = 5.0
  static let legendSwatch = 28.0
  static let legendRow = 20.0

  /// An estimate of the rendered width of `text` in a sans-serif font of size `font`: 0.6 em per
  /// character (a little wider than typical, so estimates err on the side of space).
  static func textWidth(_ text: String, font: Double) -> Double {
    Double(text.count) * 0.6 * font
  }
}

/// Where the plot area, labels and legend go on the canvas. All edges are whole pixels.
struct ChartLayout {
  /// The plot area's left edge.
  var plotLeft: Double
  /// The plot area's top edge.
  var plotTop: Double
  /// The plot area's width.
  var plotWidth: Double
  /// The plot area's height.
  var plotHeight: Double
  /// The legend's left edge.
  var legendLeft: Double

  /// The plot area's right edge.
  var plotRight: Double { plotLeft + plotWidth }
  /// The plot area's bottom edge.
  var plotBottom: Double { plotTop + plotHeight }

  /// Lays out `chart` with the given tick labels and legend names.
  ///
  /// - Throws: ``ReportError/canvasTooSmall(width:height:)`` when less than 60 × 60 pixels are left
  ///   for the plot area.
  init(chart: LineChart, xLabels: [String], yLabels: [String]) throws {
    typealias M = ChartMetrics
    let top = chart.title.isEmpty ? M.edge + 4 : M.edge + M.titleFont + 18
    let yLabelWidth = yLabels.map { M.textWidth($0, font: M.tickFont) }.max() ?? 0
    let yTitleSpace = chart.yAxis.label.isEmpty ? 0 : M.axisLabelFont + 10
    let left = (M.edge + yTitleSpace + yLabelWidth + 8 + M.tickLength).rounded(.up)
    let bottom = M.tickLength + 15 + (chart.xAxis.label.isEmpty ? 0 : M.axisLabelFont + 12) + M.edge
    let nameWidth = chart.series.map { M.textWidth($0.name, font: M.legendFont) }.max() ?? 0
    let legendWidth = chart.series.isEmpty ? 0 : M.legendSwatch + 8 + nameWidth + 16
    let overhang = (xLabels.last.map { M.textWidth($0, font: M.tickFont) / 2 } ?? 0) + 8
    let gap = max(M.edge, overhang)
    let right = legendWidth > 0 ? gap + legendWidth + M.edge : gap
    plotLeft = left
    plotTop = top.rounded(.up)
    plotWidth = (chart.width - left - right).rounded(.down)
    plotHeight = (chart.height - plotTop - bottom).rounded(.down)
    legendLeft = (plotLeft + plotWidth + gap).rounded()
    guard plotWidth >= 60, plotHeight >= 60 else {
      throw ReportError.canvasTooSmall(width: chart.width, height: chart.height)
    }
  }

  /// The pixel x coordinate of data value `value` on `axis`.
  func x(_ value: Double, on axis: ResolvedAxis) -> Double {
    plotLeft + axis.fraction(value) * plotWidth
  }

  /// The pixel y coordinate of data value `value` on `axis` (larger values higher up).
  func y(_ value: Double, on axis: ResolvedAxis) -> Double {
    plotBottom - axis.fraction(value) * plotHeight
  }
}
