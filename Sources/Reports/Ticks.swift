import Foundation

/// A 1-2-5 step, `mantissa × 10^exponent`, kept symbolic so tick values can be computed without
/// accumulating rounding error (`3 × 0.1` is computed as `3 / 10`).
struct TickStep: Hashable {
  /// 1, 2 or 5.
  var mantissa: Int
  /// The power of ten.
  var exponent: Int

  /// The step as a number.
  var value: Double { Double(mantissa) * powerOfTen(exponent) }

  /// `index × step`, rounded once from exact integer arithmetic where possible.
  func tick(_ index: Int) -> Double {
    let count = Double(index * mantissa)
    return exponent >= 0 ? count * powerOfTen(exponent) : count / powerOfTen(-exponent)
  }
}

/// `10^exponent`, correctly rounded.
func powerOfTen(_ exponent: Int) -> Double {
  Double("1e\(exponent)")!
}

/// `mantissa × 10^exponent`, correctly rounded.
func scaledPowerOfTen(_ mantissa: Int, _ exponent: Int) -> Double {
  Double("\(mantissa)e\(exponent)")!
}

/// `floor(log10(value))` for a positive finite value, exact at powers of ten.
func decadeExponent(_ value: Double) -> Int {
  var exponent = Int(floor(log10(value)))
  while powerOfTen(exponent) > value { exponent -= 1 }
  while powerOfTen(exponent + 1) <= value { exponent += 1 }
  return exponent
}

/// The preferred number of ticks when several steps qualify.
let preferredTickCount = 6
/// Relative slack when deciding whether a tick lies on a domain bound.
private let boundSlack = 1e-9

/// Ticks at 1-2-5 steps on linear axes and at powers of ten on log axes.
public enum Ticks {
  /// The tick counts aimed for: generated linear ticks always number within this range.
  public static let countRange = 4...10

  /// The 1-2-5 step whose ticks within `lower...upper` number within ``countRange``, nearest to
  /// ``preferredTickCount``. With `extend`, the count is of the ticks covering the range (the
  /// range is widened outwards to whole steps); without, of the ticks inside it.
  static func linearStep(lower: Double, upper: Double, extend: Bool) -> TickStep {
    let span = upper - lower
    let base = decadeExponent(span) - 2
    var best: (step: TickStep, distance: Int)?
    for exponent in base...(base + 3) {
      for mantissa in [1, 2, 5] {
        let step = TickStep(mantissa: mantissa, exponent: exponent)
        let count = indices(lower: lower, upper: upper, step: step, extend: extend).count
        guard countRange.contains(count) else { continue }
        let distance = abs(count - preferredTickCount)
        if best == nil || distance < best!.distance { best = (step, distance) }
      }
    }
    return best?.step ?? TickStep(mantissa: 1, exponent: decadeExponent(span))
  }

  /// The multiples of `step` inside `lower...upper`, or (with `extend`) the smallest run of
  /// multiples covering it.
  static func indices(lower: Double, upper: Double, step: TickStep, extend: Bool) -> Range<Int> {
    let size = step.value
    let low = lower / size
    let high = upper / size
    let slack = boundSlack * max(abs(low), abs(high), 1)
    let first = extend ? floor(low + slack) : ceil(low - slack)
    let last = extend ? ceil(high - slack) : floor(high + slack)
    guard first.magnitude < 1e15, last.magnitude < 1e15, first <= last else { return 0..<0 }
    return Int(first)..<(Int(last) + 1)
  }

  /// Nice linear ticks strictly for the fixed domain `lower...upper`.
  public static func linear(lower: Double, upper: Double) -> [Double] {
    let step = linearStep(lower: lower, upper: upper, extend: false)
    return indices(lower: lower, upper: upper, step: step, extend: false).map(step.tick)
  }

  /// A domain covering `lower...upper` widened outwards to whole 1-2-5 steps, and its ticks
  /// (the first and last tick are the domain bounds).
  public static func linearCovering(lower: Double, upper: Double) -> (lower: Double, upper: Double, ticks: [Double]) {
    let step = linearStep(lower: lower, upper: upper, extend: true)
    let ticks = indices(lower: lower, upper: upper, step: step, extend: true).map(step.tick)
    return (ticks.first ?? lower, ticks.last ?? upper, ticks)
  }

  /// The largest value of the form {1, 2, 5} × 10^k that is ≤ `value` (positive, finite).
  public static func niceFloor(_ value: Double) -> Double {
    let exponent = decadeExponent(value)
    for mantissa in [5, 2, 1] where scaledPowerOfTen(mantissa, exponent) <= value {
      return scaledPowerOfTen(mantissa, exponent)
    }
    return powerOfTen(exponent)
  }

  /// The smallest value of the form {1, 2, 5} × 10^k that is ≥ `value` (positive, finite).
  public static func niceCeiling(_ value: Double) -> Double {
    let exponent = decadeExponent(value)
    for mantissa in [1, 2, 5] where scaledPowerOfTen(mantissa, exponent) >= value {
      return scaledPowerOfTen(mantissa, exponent)
    }
    return powerOfTen(exponent + 1)
  }

  /// Log-axis ticks for the positive domain `lower...upper`.
  ///
  /// Powers of ten inside the domain (every n-th decade when there would be more than 10). When
  /// fewer than 3 powers fall inside, the 1-2-5 multiples of powers of ten inside the domain are
  /// used instead, and when even those number fewer than 2, nice linear ticks.
  public static func log(lower: Double, upper: Double) -> [Double] {
    let low = decadeExponent(lower) + (powerOfTen(decadeExponent(lower)) < lower ? 1 : 0)
    let high = decadeExponent(upper)
    if high - low + 1 >= 3 {
      let decades = high - low + 1
      let stride = (decades + countRange.upperBound - 1) / countRange.upperBound
      let first = Int((Double(low) / Double(stride)).rounded(.up)) * stride
      return Swift.stride(from: first, through: high, by: stride).map(powerOfTen)
    }
    var multiples: [Double] = []
    for exponent in (decadeExponent(lower) - 1)...(high + 1) {
      for mantissa in [1, 2, 5] {
        let value = scaledPowerOfTen(mantissa, exponent)
        if value >= lower * (1 - boundSlack) && value <= upper * (1 + boundSlack) { multiples.append(value) }
      }
    }
    if multiples.count >= 2 { return multiples }
    return linear(lower: lower, upper: upper)
  }

  /// Unlabelled log-axis gridline values: 2…9 × 10^k inside the domain, when it spans at most six
  /// decades; `ticks` are left out.
  public static func logMinor(lower: Double, upper: Double, excluding ticks: [Double]) -> [Double] {
    let low = decadeExponent(lower)
    let high = decadeExponent(upper)
    guard high - low <= 6 else { return [] }
    var values: [Double] = []
    for exponent in low...high {
      for mantissa in 2...9 {
        let value = scaledPowerOfTen(mantissa, exponent)
        guard value >= lower && value <= upper else { continue }
        if ticks.contains(where: { abs($0 - value) <= value * boundSlack }) { continue }
        values.append(value)
      }
    }
    return values
  }

  /// A compact label for a tick value: plain decimal notation with up to 12 significant digits,
  /// unless scientific notation is at least two characters shorter (`10000` → `"1e4"`,
  /// `20000` → `"2e4"`, `1000` → `"1000"`, `2048` → `"2048"`, `0.0001` → `"1e-4"`, `0.25` → `"0.25"`).
  public static func label(_ value: Double) -> String {
    guard value.isFinite else { return "" }
    if value == 0 { return "0" }
    let exponent = decadeExponent(abs(value))
    let decimals = min(max(0, 11 - exponent), 40)
    var plain = trimFraction(String(format: "%.*f", decimals, value))
    if plain == "-0" { plain = "0" }
    let compact = scientific(value, significantDigits: 12)
    return compact.count + 2 <= plain.count ? compact : plain
  }
}
