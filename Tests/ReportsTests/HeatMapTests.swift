import Foundation
import Reports
import Testing

/// Parses a heat map's SVG, checking it is well-formed and free of NaN/infinity.
private func parse(_ map: HeatMap, sourceLocation: SourceLocation = #_sourceLocation) throws -> SVGDocument {
  let text = try map.svg()
  let lowered = text.lowercased()
  #expect(!lowered.contains("nan") && !lowered.contains("inf\""), sourceLocation: sourceLocation)
  return try #require(SVGDocument(text), "SVG is not well-formed XML", sourceLocation: sourceLocation)
}

/// The fill of the cell at (`row`, `column`).
private func fill(_ document: SVGDocument, row: Int, column: Int) -> String? {
  document.withClass("cell").first {
    $0.attributes["data-row"] == "\(row)" && $0.attributes["data-column"] == "\(column)"
  }?.attributes["fill"]
}

@Suite("HeatMap SVG")
struct HeatMapTests {
  let map = DivergingColorMap.blueWhiteRed

  @Test("the colour map: −1 and +1 are the ends, 0 the neutral middle, halfway points the stops")
  func colorMap() {
    #expect(map.color(at: -1) == "#2166ac")
    #expect(map.color(at: 0) == "#f7f7f7")
    #expect(map.color(at: 1) == "#b2182b")
    #expect(map.color(at: 0.5) == "#f4a582")
    #expect(map.color(at: -0.5) == "#92c5de")
    // Clamped outside −1…1; NaN is the missing colour.
    #expect(map.color(at: -7) == "#2166ac" && map.color(at: 3) == "#b2182b")
    #expect(map.color(at: .nan) == DivergingColorMap.missingColor)
    #expect(map.stopColors.count == 9 && map.stopColors[4] == "#f7f7f7")
  }

  @Test("cells: min → the blue end, 0 → neutral, max → the red end; the limit is the largest |value|")
  func cellColours() throws {
    let heat = HeatMap(title: "signed", values: [[-2, 0, 1], [2, -1, 0.5]], colorBarLabel: "value")
    let document = try parse(heat)
    #expect(document.withClass("cell").count == 6)
    #expect(fill(document, row: 0, column: 0) == "#2166ac")
    #expect(fill(document, row: 0, column: 1) == "#f7f7f7")
    #expect(fill(document, row: 0, column: 2) == "#f4a582")
    #expect(fill(document, row: 1, column: 0) == "#b2182b")
    #expect(fill(document, row: 1, column: 1) == "#92c5de")
    // The scale is symmetric even when the data is not: all-negative data keeps 0 neutral.
    let negative = try parse(HeatMap(title: "negative", values: [[-4, -2], [0, -1]]))
    #expect(fill(negative, row: 0, column: 0) == "#2166ac")
    #expect(fill(negative, row: 1, column: 0) == "#f7f7f7")
    #expect(fill(negative, row: 0, column: 1) == "#92c5de")
    // An explicit limit clamps larger values to the ends.
    let clamped = try parse(HeatMap(title: "clamped", values: [[-10, 0.5, 10]], limit: 1))
    #expect(fill(clamped, row: 0, column: 0) == "#2166ac" && fill(clamped, row: 0, column: 2) == "#b2182b")
    #expect(fill(clamped, row: 0, column: 1) == "#f4a582")
  }

  @Test("cells tile the frame row-major: row 0 at the top, column 0 at the left, square cells")
  func geometry() throws {
    let values = (0..<5).map { i in (0..<7).map { k in Double(i - k) } }
    let document = try parse(HeatMap(title: "geometry", values: values, rowAxisLabel: "n", columnAxisLabel: "k"))
    let area = try #require(document.plotArea)
    let cells = document.withClass("cell")
    try #require(cells.count == 35)
    let first = cells[0]
    let last = cells[34]
    let side = try #require(first.number("width"))
    #expect(first.number("height") == side)
    #expect(first.number("x") == area.x && first.number("y") == area.y)
    #expect(abs((last.number("x") ?? 0) + side - (area.x + area.width)) < 0.02)
    #expect(abs((last.number("y") ?? 0) + side - (area.y + area.height)) < 0.02)
    #expect(last.attributes["data-row"] == "4" && last.attributes["data-column"] == "6")
    // The colour bar spans the grid's height and uses the gradient; its ticks include 0.
    let bar = try #require(document.withClass("color-bar-fill").first)
    #expect(bar.number("height") == area.height && bar.number("y") == area.y)
    #expect(bar.attributes["fill"]?.hasPrefix("url(#") == true)
    #expect(document.withClass("color-bar-tick").map(\.text).contains("0"))
    #expect(document.named("stop").count == 9)
    // Default labels are the indices.
    #expect(document.withClass("row-label").map(\.text) == ["0", "1", "2", "3", "4"])
    #expect(document.withClass("column-label").first?.text == "0")
  }

  @Test("labels: custom ones are escaped; many rows get every k-th label so labels never overlap")
  func labels() throws {
    let small = HeatMap(
      title: "labels <&>", values: [[1, -1], [0, 2]], rowLabels: ["a<b", "c"], columnLabels: ["x", "y&z"])
    let document = try parse(small)
    #expect(document.withClass("row-label").map(\.text) == ["a<b", "c"])
    #expect(document.withClass("column-label").map(\.text) == ["x", "y&z"])
    let large = HeatMap(title: "64", values: (0..<64).map { i in (0..<64).map { Double($0 - i) } })
    let big = try parse(large)
    let rows = big.withClass("row-label")
    #expect(rows.count < 64 && rows.count >= 4)
    let ys = rows.compactMap { $0.number("y") }
    #expect(zip(ys, ys.dropFirst()).allSatisfy { $1 - $0 >= 12 })
    // Labelled rows are 0, k, 2k, … for a stride k from the 1-2-4-5-8 sequence.
    let labelled = rows.compactMap { Int($0.text) }
    let stride = labelled.count > 1 ? labelled[1] : 0
    #expect(labelled.first == 0 && [2, 4, 5, 8, 10].contains(stride))
    #expect(labelled == Array(Swift.stride(from: 0, to: 64, by: max(stride, 1))))
  }

  @Test("NaN and infinite cells are grey and never reach the SVG as numbers")
  func missingValues() throws {
    let document = try parse(HeatMap(title: "gaps", values: [[.nan, 1], [-.infinity, -1]]))
    #expect(fill(document, row: 0, column: 0) == DivergingColorMap.missingColor)
    #expect(fill(document, row: 1, column: 0) == DivergingColorMap.missingColor)
    #expect(fill(document, row: 0, column: 1) == "#b2182b")
    // An all-zero matrix is drawn neutral (limit 1), not divided by zero.
    let zeros = try parse(HeatMap(title: "zeros", values: [[0, 0], [0, 0]]))
    #expect(zeros.withClass("cell").allSatisfy { $0.attributes["fill"] == "#f7f7f7" })
  }

  @Test("errors: empty, ragged, label counts, no finite value, bad limit, tiny canvas")
  func errors() {
    #expect(throws: ReportError.emptyMatrix) { try HeatMap(title: "", values: []).svg() }
    #expect(throws: ReportError.emptyMatrix) { try HeatMap(title: "", values: [[]]).svg() }
    #expect(throws: ReportError.raggedMatrix(row: 2, count: 1, expected: 2)) {
      try HeatMap(title: "", values: [[1, 2], [3, 4], [5]]).svg()
    }
    #expect(throws: ReportError.labelCount(axis: "row", count: 1, expected: 2)) {
      try HeatMap(title: "", values: [[1, 2], [3, 4]], rowLabels: ["a"]).svg()
    }
    #expect(throws: ReportError.labelCount(axis: "column", count: 3, expected: 2)) {
      try HeatMap(title: "", values: [[1, 2], [3, 4]], columnLabels: ["a", "b", "c"]).svg()
    }
    #expect(throws: ReportError.noFiniteData) { try HeatMap(title: "", values: [[.nan]]).svg() }
    #expect(throws: ReportError.invalidRange(axis: "colour", lower: 0, upper: 0)) {
      try HeatMap(title: "", values: [[1]], limit: 0).svg()
    }
    #expect(throws: ReportError.canvasTooSmall(width: 100, height: 80)) {
      try HeatMap(title: "", values: [[1, 2]], width: 100, height: 80).svg()
    }
    #expect(ReportError.raggedMatrix(row: 2, count: 1, expected: 2).description.contains("row 2"))
  }
}
