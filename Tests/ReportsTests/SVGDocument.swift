import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// One element of a parsed SVG document.
struct SVGElement {
  var name: String
  var attributes: [String: String]
  /// The character data directly inside the element.
  var text: String
  /// The `data-series` attribute of the nearest enclosing `<g class="series">`, if any.
  var series: String?

  /// A numeric attribute.
  func number(_ key: String) -> Double? {
    attributes[key].flatMap(Double.init)
  }

  /// The `points` attribute of a polyline or polygon as coordinate pairs.
  var points: [(x: Double, y: Double)] {
    let tokens = (attributes["points"] ?? "").split(separator: " ")
    return tokens.compactMap { pair in
      let parts = pair.split(separator: ",")
      guard parts.count == 2, let x = Double(parts[0]), let y = Double(parts[1]) else { return nil }
      return (x, y)
    }
  }

  /// Whether the `class` attribute contains `name`.
  func hasClass(_ name: String) -> Bool {
    (attributes["class"] ?? "").split(separator: " ").contains(Substring(name))
  }
}

/// An SVG document parsed with Foundation's `XMLParser`: `nil` when it is not well-formed XML.
struct SVGDocument {
  var elements: [SVGElement]

  init?(_ text: String) {
    let parser = XMLParser(data: Data(text.utf8))
    let collector = Collector()
    parser.delegate = collector
    guard parser.parse(), collector.failed == false else { return nil }
    elements = collector.elements
  }

  /// Elements with the given tag name.
  func named(_ name: String) -> [SVGElement] { elements.filter { $0.name == name } }

  /// Elements with the given class.
  func withClass(_ name: String) -> [SVGElement] { elements.filter { $0.hasClass(name) } }

  /// The plot area rectangle.
  var plotArea: (x: Double, y: Double, width: Double, height: Double)? {
    guard let rect = withClass("plot-area").first, let x = rect.number("x"), let y = rect.number("y"),
      let width = rect.number("width"), let height = rect.number("height")
    else { return nil }
    return (x, y, width, height)
  }

  /// The polylines of the series named `name`.
  func lines(of name: String) -> [SVGElement] {
    elements.filter { $0.series == name && $0.hasClass("series-line") }
  }

  private final class Collector: NSObject, XMLParserDelegate {
    var elements: [SVGElement] = []
    var open: [Int] = []
    var seriesStack: [String?] = []
    var failed = false

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
      attributes: [String: String] = [:]
    ) {
      var series = seriesStack.last ?? nil
      if elementName == "g", (attributes["class"] ?? "") == "series" { series = attributes["data-series"] }
      seriesStack.append(series)
      elements.append(SVGElement(name: elementName, attributes: attributes, text: "", series: series))
      open.append(elements.count - 1)
    }

    func parser(
      _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
      open.removeLast()
      seriesStack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if let index = open.last { elements[index].text += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
      failed = true
    }
  }
}
