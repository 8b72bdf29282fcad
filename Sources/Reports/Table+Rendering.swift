import Foundation

extension Table {
  /// The table as a GitHub-flavoured markdown pipe table.
  ///
  /// Cells are padded so the source lines up too. In cells, `|` is escaped as `\|`, and line breaks
  /// (which would end the table row) become spaces. The delimiter row is `:---` for left, `---:` for
  /// right and `:---:` for centred columns. A table without columns renders as an empty string.
  public func markdown() -> String {
    guard !headers.isEmpty else { return "" }
    let header = headers.map(Self.markdownCell)
    let body = rows.indices.map { paddedRow($0).map(Self.markdownCell) }
    var widths = header.map { max($0.count, 3) }
    for row in body {
      for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
    }
    func render(_ cells: [String]) -> String {
      let padded = cells.enumerated().map { Self.pad($0.element, to: widths[$0.offset], alignments[$0.offset]) }
      return "| " + padded.joined(separator: " | ") + " |"
    }
    let delimiter = alignments.enumerated().map { column, alignment -> String in
      let dashes = String(repeating: "-", count: widths[column] - 1)
      switch alignment {
      case .left: return ":" + dashes
      case .right: return dashes + ":"
      case .center: return ":" + String(dashes.dropLast()) + ":"
      }
    }
    var lines = [render(header), "| " + delimiter.joined(separator: " | ") + " |"]
    lines += body.map(render)
    return lines.joined(separator: "\n") + "\n"
  }

  /// The table as aligned plain text for a terminal.
  ///
  /// Columns are separated by two spaces; a rule of `-` (one per column, as wide as the column)
  /// separates the header from the body; trailing spaces are trimmed from every line. Line breaks
  /// inside cells become spaces. A table without columns renders as an empty string.
  public func plainText() -> String {
    guard !headers.isEmpty else { return "" }
    let header = headers.map(Self.singleLine)
    let body = rows.indices.map { paddedRow($0).map(Self.singleLine) }
    var widths = header.map(\.count)
    for row in body {
      for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
    }
    func render(_ cells: [String]) -> String {
      let padded = cells.enumerated().map { Self.pad($0.element, to: widths[$0.offset], alignments[$0.offset]) }
      return Self.trimmingTrailingSpaces(padded.joined(separator: "  "))
    }
    var lines = [render(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
    lines += body.map(render)
    return lines.joined(separator: "\n") + "\n"
  }

  /// `cell` with line breaks replaced by spaces.
  static func singleLine(_ cell: String) -> String {
    String(cell.map { $0.isNewline ? " " : $0 })
  }

  /// `cell` made safe inside a markdown table cell: one line, `|` escaped.
  static func markdownCell(_ cell: String) -> String {
    singleLine(cell).replacingOccurrences(of: "|", with: "\\|")
  }

  /// `text` padded with spaces to `width` characters according to `alignment`.
  static func pad(_ text: String, to width: Int, _ alignment: Alignment) -> String {
    let missing = max(0, width - text.count)
    switch alignment {
    case .left: return text + String(repeating: " ", count: missing)
    case .right: return String(repeating: " ", count: missing) + text
    case .center:
      let before = missing / 2
      return String(repeating: " ", count: before) + text + String(repeating: " ", count: missing - before)
    }
  }

  /// `line` without trailing spaces.
  static func trimmingTrailingSpaces(_ line: String) -> String {
    var result = Substring(line)
    while result.last == " " { result = result.dropLast() }
    return String(result)
  }
}
