import Foundation

/// A diverging colour map for signed data: a dark colour at −1, a light neutral colour at 0 and a
/// second dark colour at +1, interpolated linearly in sRGB between evenly spaced stops.
///
/// ``blueWhiteRed`` is ColorBrewer's 9-class RdBu scheme (reversed, so negative values are blue and
/// positive values red): colour-blind safe, and 0 is the near-white `#f7f7f7`. A ``HeatMap`` maps
/// its values `v` to positions `v / limit` with a symmetric limit, so 0 is always neutral.
///
/// ```swift
/// let map = DivergingColorMap.blueWhiteRed
/// map.color(at: -1)   // "#2166ac"
/// map.color(at: 0)    // "#f7f7f7"
/// map.color(at: 1)    // "#b2182b"
/// ```
public struct DivergingColorMap: Sendable, Hashable {
  /// The stop colours from −1 to +1 as `(red, green, blue)` in 0…255; an odd count, the middle one at 0.
  let stops: [RGB]

  /// One colour.
  struct RGB: Sendable, Hashable {
    var red: UInt8
    var green: UInt8
    var blue: UInt8

    init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
      (self.red, self.green, self.blue) = (red, green, blue)
    }

    var hex: String { String(format: "#%02x%02x%02x", Int(red), Int(green), Int(blue)) }
  }

  /// The colour drawn for a missing (NaN or infinite) value: a mid grey, distinct from every colour
  /// of ``blueWhiteRed``.
  public static let missingColor = "#8c8c8c"

  /// ColorBrewer RdBu (9 classes), blue for negative, `#f7f7f7` at 0, red for positive.
  public static let blueWhiteRed = DivergingColorMap(stops: [
    RGB(0x21, 0x66, 0xac), RGB(0x43, 0x93, 0xc3), RGB(0x92, 0xc5, 0xde), RGB(0xd1, 0xe5, 0xf0),
    RGB(0xf7, 0xf7, 0xf7), RGB(0xfd, 0xdb, 0xc7), RGB(0xf4, 0xa5, 0x82), RGB(0xd6, 0x60, 0x4d),
    RGB(0xb2, 0x18, 0x2b),
  ])

  init(stops: [RGB]) {
    precondition(stops.count >= 3 && !stops.count.isMultiple(of: 2), "a diverging map needs an odd number of stops")
    self.stops = stops
  }

  /// The colour at `position` in −1…1 as `#rrggbb` (lower-case hex). Positions outside −1…1 are
  /// clamped to the ends; NaN gives ``missingColor``.
  public func color(at position: Double) -> String {
    guard !position.isNaN else { return Self.missingColor }
    let t = (min(max(position, -1), 1) + 1) / 2 * Double(stops.count - 1)
    let lower = min(Int(t.rounded(.down)), stops.count - 2)
    let fraction = t - Double(lower)
    let (a, b) = (stops[lower], stops[lower + 1])
    func mix(_ x: UInt8, _ y: UInt8) -> UInt8 {
      UInt8((Double(x) + (Double(y) - Double(x)) * fraction).rounded())
    }
    return RGB(mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue)).hex
  }

  /// The stop colours from −1 to +1, evenly spaced, as `#rrggbb`.
  public var stopColors: [String] { stops.map(\.hex) }
}
