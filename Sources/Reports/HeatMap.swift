/// A matrix drawn as a grid of coloured cells with a diverging colour scale and a colour bar,
/// rendered as a standalone SVG document by ``svg()``.
///
/// Row 0 is at the top and column 0 at the left, as a matrix is written. The colour scale is
/// symmetric around 0: a value `v` gets the colour of ``DivergingColorMap/color(at:)`` at
/// `v / limit`, so 0 is always the neutral middle colour, `−limit` one end of the map and `+limit`
/// the other (values beyond ±limit take the end colours). The colour bar to the right of the grid
/// shows the scale with ticks at 1-2-5 steps.
///
/// ```swift
/// let (a, _) = try Measure.legs.transition(stateSize: 32)
/// let map = HeatMap(
///   title: "LegS: A (N = 32)",
///   values: (0..<32).map { i in (0..<32).map { a[i, $0] } },
///   rowAxisLabel: "row n", columnAxisLabel: "column k", colorBarLabel: "A[n, k]")
/// try writeAtomically(try map.svg(), to: url)
/// ```
///
/// Data rules:
/// - The matrix must have at least one row and one column and every row the same length:
///   otherwise ``ReportError/emptyMatrix`` or ``ReportError/raggedMatrix(row:count:expected:)``.
/// - NaN and infinite values are drawn in ``DivergingColorMap/missingColor`` and ignored when the
///   limit is chosen; a matrix with no finite value is ``ReportError/noFiniteData``.
/// - Row and column labels are optional (by default the indices 0, 1, … are used); when given they
///   must match the matrix's shape, ``ReportError/labelCount(axis:count:expected:)``. When the cells
///   are too small for every label, every k-th label is drawn (k from 1, 2, 4, 5, 8, 10, 16, 20, …).
/// - The canvas is at most ``width`` × ``height``; cells are square, and the canvas is trimmed to
///   the grid, its labels and the colour bar.
public struct HeatMap: Sendable {
  /// The chart title, drawn above the grid and used as the SVG `<title>`.
  public var title: String
  /// The accessible description (the SVG `<desc>`). When `nil` a summary of the shape and the
  /// colour scale is generated.
  public var summary: String?
  /// The matrix, as an array of rows.
  public var values: [[Double]]
  /// One label per row, or `nil` for the row indices.
  public var rowLabels: [String]?
  /// One label per column, or `nil` for the column indices.
  public var columnLabels: [String]?
  /// The title of the rows' axis (left of the grid, rotated); may be empty.
  public var rowAxisLabel: String
  /// The title of the columns' axis (below the grid); may be empty.
  public var columnAxisLabel: String
  /// The title of the colour bar (right of it, rotated); may be empty.
  public var colorBarLabel: String
  /// The colour scale runs over `−limit…limit`. When `nil` it is the largest finite `|value|`
  /// (1 when every value is 0). Must be positive and finite when given.
  public var limit: Double?
  /// The colour map.
  public var colorMap: DivergingColorMap
  /// The largest canvas width in pixels.
  public var width: Double
  /// The largest canvas height in pixels.
  public var height: Double

  /// Creates a heat map.
  ///
  /// - Parameters:
  ///   - title: The chart title.
  ///   - values: The matrix as rows.
  ///   - rowLabels: One label per row, or `nil` for the indices.
  ///   - columnLabels: One label per column, or `nil` for the indices.
  ///   - rowAxisLabel: The rows' axis title.
  ///   - columnAxisLabel: The columns' axis title.
  ///   - colorBarLabel: The colour bar's title.
  ///   - limit: The symmetric colour limit, or `nil` for the largest `|value|`.
  ///   - colorMap: The colour map (default ``DivergingColorMap/blueWhiteRed``).
  ///   - summary: The accessible description, or `nil` to generate one.
  ///   - width: The largest canvas width in pixels (default 620).
  ///   - height: The largest canvas height in pixels (default 560).
  public init(
    title: String, values: [[Double]], rowLabels: [String]? = nil, columnLabels: [String]? = nil,
    rowAxisLabel: String = "", columnAxisLabel: String = "", colorBarLabel: String = "", limit: Double? = nil,
    colorMap: DivergingColorMap = .blueWhiteRed, summary: String? = nil, width: Double = 620, height: Double = 560
  ) {
    self.title = title
    self.values = values
    self.rowLabels = rowLabels
    self.columnLabels = columnLabels
    self.rowAxisLabel = rowAxisLabel
    self.columnAxisLabel = columnAxisLabel
    self.colorBarLabel = colorBarLabel
    self.limit = limit
    self.colorMap = colorMap
    self.summary = summary
    self.width = width
    self.height = height
  }

  /// The number of rows.
  public var rowCount: Int { values.count }
  /// The number of columns (of the first row).
  public var columnCount: Int { values.first?.count ?? 0 }

  /// Checks the shape and labels and returns the colour limit in use.
  ///
  /// - Throws: ``ReportError/emptyMatrix``, ``ReportError/raggedMatrix(row:count:expected:)``,
  ///   ``ReportError/labelCount(axis:count:expected:)``, ``ReportError/noFiniteData`` or
  ///   ``ReportError/invalidRange(axis:lower:upper:)`` for a limit that is not positive and finite.
  public func resolvedLimit() throws -> Double {
    guard let first = values.first, !first.isEmpty else { throw ReportError.emptyMatrix }
    for (index, row) in values.enumerated() where row.count != first.count {
      throw ReportError.raggedMatrix(row: index, count: row.count, expected: first.count)
    }
    if let rowLabels, rowLabels.count != values.count {
      throw ReportError.labelCount(axis: "row", count: rowLabels.count, expected: values.count)
    }
    if let columnLabels, columnLabels.count != first.count {
      throw ReportError.labelCount(axis: "column", count: columnLabels.count, expected: first.count)
    }
    var largest = -1.0
    for row in values {
      for value in row where value.isFinite { largest = max(largest, abs(value)) }
    }
    guard largest >= 0 else { throw ReportError.noFiniteData }
    if let limit {
      guard limit.isFinite, limit > 0 else {
        throw ReportError.invalidRange(axis: "colour", lower: -limit, upper: limit)
      }
      return limit
    }
    return largest > 0 ? largest : 1
  }

  /// The fill colour of a cell holding `value` under the colour limit `limit`.
  public func color(for value: Double, limit: Double) -> String {
    value.isFinite ? colorMap.color(at: value / limit) : DivergingColorMap.missingColor
  }
}
