/// A table of strings with a header row and per-column alignment, rendered as GitHub-flavoured
/// markdown by ``markdown()`` or as an aligned plain-text table for terminals by ``plainText()``.
///
/// Rows may have fewer cells than there are columns (missing cells render empty) but not more.
/// Widths count `Character`s (grapheme clusters), so "±", "×" and accented letters take one column
/// each; East Asian wide characters and emoji, which terminals draw two columns wide, are not
/// special-cased.
///
/// ```swift
/// var table = try Table(headers: ["model", "accuracy", "time (s)"], alignments: [.left, .right, .right])
/// try table.append(["S4D", NumberFormat().string(0.99512) + " ± 0.002", "12.3"])
/// print(table.plainText())
/// ```
public struct Table: Sendable {
  /// How the text of a column is placed within its width.
  public enum Alignment: Sendable, Hashable {
    /// Flush left (markdown `:---`).
    case left
    /// Flush right (markdown `---:`), the usual choice for numbers.
    case right
    /// Centred (markdown `:---:`); an odd leftover space goes to the right.
    case center
  }

  /// The column headers; their count is the number of columns.
  public let headers: [String]
  /// One alignment per column.
  public let alignments: [Alignment]
  /// The body rows; each has at most ``headers``.count cells.
  public private(set) var rows: [[String]]

  /// Creates a table.
  ///
  /// - Parameters:
  ///   - headers: The column headers.
  ///   - alignments: Per-column alignments; columns without one are ``Alignment/left``, extra
  ///     entries are ignored.
  ///   - rows: The body rows.
  /// - Throws: ``ReportError/tooManyCells(row:cells:columns:)`` when a row has more cells than there
  ///   are headers.
  public init(headers: [String], alignments: [Alignment] = [], rows: [[String]] = []) throws {
    self.headers = headers
    self.alignments = (0..<headers.count).map { $0 < alignments.count ? alignments[$0] : .left }
    self.rows = []
    for row in rows { try append(row) }
  }

  /// Appends a body row.
  ///
  /// - Throws: ``ReportError/tooManyCells(row:cells:columns:)`` when `row` has more cells than there
  ///   are headers.
  public mutating func append(_ row: [String]) throws {
    guard row.count <= headers.count else {
      throw ReportError.tooManyCells(row: rows.count, cells: row.count, columns: headers.count)
    }
    rows.append(row)
  }

  /// Row `index` padded with empty cells to the column count.
  func paddedRow(_ index: Int) -> [String] {
    rows[index] + Array(repeating: "", count: headers.count - rows[index].count)
  }
}
