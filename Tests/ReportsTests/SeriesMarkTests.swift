import Foundation
import Reports
import Testing

@Suite("LineChart series marks")
struct SeriesMarkTests {
  @Test("markers only (scatter): no polyline, one marker per finite point, legend without a line sample")
  func scatter() throws {
    let chart = LineChart(
      title: "spectrum", xAxis: .init(label: "Re λ"), yAxis: .init(label: "Im λ"),
      series: [
        .init(name: "eigenvalues", x: [-0.5, -0.5, -0.5, .nan], y: [-3, 0, 3, 1], mark: .markers),
        .init(name: "curve", points: [(-1, -1), (0, 1)]),
      ])
    let document = try #require(SVGDocument(try chart.svg()))
    #expect(document.lines(of: "eigenvalues").isEmpty)
    #expect(document.elements.filter { $0.series == "eigenvalues" && $0.hasClass("marker") }.count == 3)
    #expect(document.lines(of: "curve").count == 1)
    let legend = document.elements.filter { $0.name == "line" && $0.attributes["stroke"] != nil }
    // Only the line-and-marker series has a line sample in the legend.
    let legendLines = legend.filter { $0.attributes["stroke-width"] == "2" }
    #expect(legendLines.count == 1)
  }

  @Test("line only: polylines without markers; the default stays line and markers")
  func lineOnly() throws {
    let xs = (0..<500).map(Double.init)
    let chart = LineChart(
      title: "signal", xAxis: .init(label: "t"), yAxis: .init(label: "u"),
      series: [.init(name: "u", x: xs, y: xs.map { sin($0 / 20) }, mark: .line)])
    let document = try #require(SVGDocument(try chart.svg()))
    #expect(document.lines(of: "u").first?.points.count == 500)
    #expect(document.withClass("marker").isEmpty)
    #expect(LineChart.Series(name: "d", points: [(0, 1)]).mark == .lineAndMarkers)
  }
}
