import Foundation

/// The largest coordinate magnitude written into an SVG; data far outside an explicit axis range
/// is clamped to it (it is clipped away anyway), so no absurd or non-finite number is ever emitted.
let svgCoordinateLimit = 1e6

/// A coordinate or length for an SVG attribute: at most two decimals, trailing zeros removed,
/// clamped to ±``svgCoordinateLimit``. NaN becomes `0` (callers never pass it; this is a last
/// guard so that `nan` cannot appear in the output).
func svgNumber(_ value: Double) -> String {
  guard !value.isNaN else { return "0" }
  let clamped = min(max(value, -svgCoordinateLimit), svgCoordinateLimit)
  let text = trimFraction(String(format: "%.2f", clamped))
  return text == "-0" ? "0" : text
}
