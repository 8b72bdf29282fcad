import Foundation

/// Formats measured quantities (accuracy, loss, MSE, seconds, sequence lengths) compactly for
/// tables and chart labels.
///
/// The rule, for ``significantDigits`` = *d* (default 3):
///
/// - NaN is `"NaN"`, infinities are `"inf"` and `"-inf"`, and both zeros are `"0"`.
/// - When 0.001 ≤ |*x*| < 100 000 the value is written in plain decimal notation with enough
///   decimals to show *d* significant digits, and trailing zeros (and a trailing point) are removed.
///   Integer digits are never rounded away, so large values keep more than *d* digits:
///   `0.99512` → `"0.995"`, `0.5` → `"0.5"`, `12.3456` → `"12.3"`, `1234.56` → `"1235"`,
///   `16384` → `"16384"`.
/// - Otherwise the value is written in scientific notation with *d* significant digits, trailing
///   zeros removed, and a bare exponent (no `+`, no leading zeros):
///   `1234567` → `"1.23e6"`, `0.000123456` → `"1.23e-4"`, `2e-5` → `"2e-5"`.
///
/// Values are rounded half-to-even on their exact binary value, as `printf` does.
public struct NumberFormat: Sendable, Hashable {
  /// The number of significant digits to show; at least 1.
  public var significantDigits: Int

  /// The smallest magnitude written in plain notation.
  public static let plainLowerBound = 1e-3
  /// The magnitude from which scientific notation is used.
  public static let plainUpperBound = 1e5

  /// Creates a formatter.
  ///
  /// - Parameter significantDigits: Significant digits to show; values below 1 are treated as 1,
  ///   values above 17 as 17.
  public init(significantDigits: Int = 3) {
    self.significantDigits = significantDigits
  }

  /// The formatted value, following the rule described on ``NumberFormat``.
  public func string(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    if value == 0 { return "0" }
    let digits = min(max(significantDigits, 1), 17)
    let magnitude = abs(value)
    if magnitude >= Self.plainLowerBound && magnitude < Self.plainUpperBound {
      let exponent = Int(floor(log10(magnitude)))
      let decimals = max(0, digits - 1 - exponent)
      let text = trimFraction(String(format: "%.*f", decimals, value))
      return text == "-0" ? "0" : text
    }
    return scientific(value, significantDigits: digits)
  }
}

/// `value` in scientific notation with `significantDigits` digits, trailing zeros trimmed and a
/// compact exponent: `1.23e6`, `-2e-5`.
func scientific(_ value: Double, significantDigits: Int) -> String {
  let text = String(format: "%.*e", max(significantDigits - 1, 0), value)
  guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
  let mantissa = trimFraction(String(text[..<e]))
  let exponent = Int(text[text.index(after: e)...]) ?? 0
  return "\(mantissa)e\(exponent)"
}

/// Removes trailing zeros after a decimal point, then the point itself: `"1.500"` → `"1.5"`,
/// `"2.000"` → `"2"`; strings without a point are returned unchanged.
func trimFraction(_ text: String) -> String {
  guard text.contains(".") else { return text }
  var result = Substring(text)
  while result.last == "0" { result = result.dropLast() }
  if result.last == "." { result = result.dropLast() }
  return String(result)
}
