/// The marker drawn at each data point of a series.
enum MarkerShape: CaseIterable {
  case circle, square, triangleUp, diamond, triangleDown, plus, cross, star
}

/// The colour, marker and dash pattern of the series at a given index.
///
/// Colours follow the Okabe–Ito colour-blind-safe palette (yellow last, as it is faint on white);
/// markers and dash patterns differ per series too, so the chart reads in grey. Styles repeat after
/// eight series.
struct SeriesStyle {
  /// The Okabe–Ito palette, in the order used.
  static let palette = [
    "#0072B2",  // blue
    "#D55E00",  // vermillion
    "#009E73",  // bluish green
    "#CC79A7",  // reddish purple
    "#E69F00",  // orange
    "#56B4E9",  // sky blue
    "#000000",  // black
    "#F0E442",  // yellow
  ]
  /// Dash patterns (`stroke-dasharray`), `nil` for a solid line.
  static let dashes: [String?] = [nil, "7 4", "2 3", "9 3 2 3", nil, "4 4", "2 3", "9 3 2 3"]

  /// The stroke and marker colour.
  var color: String
  /// The marker shape.
  var marker: MarkerShape
  /// The line's dash pattern, or `nil` for solid.
  var dash: String?

  /// The style of series number `index` (0-based).
  init(index: Int) {
    let slot = index % Self.palette.count
    color = Self.palette[slot]
    marker = MarkerShape.allCases[slot % MarkerShape.allCases.count]
    dash = Self.dashes[slot]
  }
}
