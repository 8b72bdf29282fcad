import Foundation

/// An error raised while building a chart, a table or a report file.
///
/// Every case carries enough context to tell the user what to fix; ``description``
/// renders it as one readable sentence.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A chart was asked to render without any series.
  case noSeries
  /// Every series is empty, or every point has a non-finite coordinate.
  case noFiniteData
  /// A finite value that is zero or negative was found on a logarithmic axis.
  ///
  /// - Parameters:
  ///   - axis: `"x"` or `"y"`.
  ///   - series: The series holding the value, or `nil` when the value is an axis range bound or tick.
  ///   - value: The offending value.
  case nonPositiveOnLogAxis(axis: String, series: String?, value: Double)
  /// An axis range or the data span of an axis cannot be drawn: a bound is not finite,
  /// the lower bound is not below the upper bound, or the span overflows.
  case invalidRange(axis: String, lower: Double, upper: Double)
  /// The chart canvas is too small for its margins, legend and labels.
  case canvasTooSmall(width: Double, height: Double)
  /// A table row has more cells than the table has columns.
  case tooManyCells(row: Int, cells: Int, columns: Int)
  /// A report file could not be written.
  case fileWrite(path: String, reason: String)
  /// A heat map's matrix has no rows or no columns.
  case emptyMatrix
  /// A heat map's matrix row `row` has `count` values where row 0 has `expected`.
  case raggedMatrix(row: Int, count: Int, expected: Int)
  /// A heat map was given `count` labels for its `axis` (`"row"` or `"column"`), which has `expected` entries.
  case labelCount(axis: String, count: Int, expected: Int)

  /// A one-sentence explanation of the error.
  public var description: String {
    switch self {
    case .noSeries:
      return "chart has no series to draw"
    case .noFiniteData:
      return "chart has no finite data points (every series is empty or contains only NaN/infinite values)"
    case .nonPositiveOnLogAxis(let axis, let series, let value):
      let owner = series.map { "series \"\($0)\"" } ?? "axis range or ticks"
      return "\(axis) axis is logarithmic but \(owner) contains the non-positive value \(value)"
    case .invalidRange(let axis, let lower, let upper):
      return "\(axis) axis range \(lower)...\(upper) cannot be drawn (bounds must be finite and lower < upper)"
    case .canvasTooSmall(let width, let height):
      return "chart canvas \(width)×\(height) is too small for its labels and legend"
    case .tooManyCells(let row, let cells, let columns):
      return "table row \(row) has \(cells) cells but the table has only \(columns) columns"
    case .fileWrite(let path, let reason):
      return "cannot write \(path): \(reason)"
    case .emptyMatrix:
      return "heat map matrix is empty (it needs at least one row and one column)"
    case .raggedMatrix(let row, let count, let expected):
      return "heat map matrix is ragged: row \(row) has \(count) values but row 0 has \(expected)"
    case .labelCount(let axis, let count, let expected):
      return "heat map has \(count) \(axis) labels but \(expected) \(axis)s"
    }
  }
}
