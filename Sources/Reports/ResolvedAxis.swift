import Foundation

/// An axis ready to draw: its validated domain, tick values and the data-to-pixel mapping.
struct ResolvedAxis {
  /// `"x"` or `"y"`, for error messages.
  var name: String
  /// The axis scale.
  var scale: LineChart.Scale
  /// The drawn data range; `lower < upper`, both finite (and positive on a log axis).
  var lower: Double
  /// The drawn data range's upper bound.
  var upper: Double
  /// Labelled tick values inside the domain, ascending.
  var ticks: [Double]
  /// Unlabelled minor gridline values (log axes only).
  var minorTicks: [Double]

  /// Resolves `axis` for the finite data `values` (already checked to be positive on a log axis).
  ///
  /// - Throws: ``ReportError/invalidRange(axis:lower:upper:)`` for an unusable range or span,
  ///   ``ReportError/nonPositiveOnLogAxis(axis:series:value:)`` for a non-positive range bound or tick
  ///   on a log axis.
  init(_ axis: LineChart.Axis, name: String, values: [Double]) throws {
    self.name = name
    self.scale = axis.scale
    let isLog = axis.scale == .log10
    let explicitTicks = (axis.ticks ?? []).filter(\.isFinite)
    if isLog, let bad = explicitTicks.first(where: { $0 <= 0 }) {
      throw ReportError.nonPositiveOnLogAxis(axis: name, series: nil, value: bad)
    }
    if let bounds = axis.range {
      let range = (lower: bounds.lowerBound, upper: bounds.upperBound)
      guard range.lower.isFinite, range.upper.isFinite, range.lower < range.upper,
        (range.upper - range.lower).isFinite
      else { throw ReportError.invalidRange(axis: name, lower: range.lower, upper: range.upper) }
      if isLog && range.lower <= 0 {
        throw ReportError.nonPositiveOnLogAxis(axis: name, series: nil, value: range.lower)
      }
      lower = range.lower
      upper = range.upper
      if axis.ticks != nil {
        let slack = (range.upper - range.lower) * 1e-9
        ticks = explicitTicks.filter { $0 >= range.lower - slack && $0 <= range.upper + slack }
      } else {
        ticks =
          isLog
          ? Ticks.log(lower: range.lower, upper: range.upper) : Ticks.linear(lower: range.lower, upper: range.upper)
      }
    } else {
      let all = values + explicitTicks
      guard var low = all.min(), var high = all.max() else { throw ReportError.noFiniteData }
      if low == high {
        if isLog {
          (low, high) = (low / 2, high * 2)
        } else {
          let delta = low == 0 ? 1 : abs(low) * 0.1
          (low, high) = (low - delta, high + delta)
        }
      }
      guard low.isFinite, high.isFinite, (high - low).isFinite, low < high else {
        throw ReportError.invalidRange(axis: name, lower: low, upper: high)
      }
      if axis.ticks != nil {
        // Fixed ticks usually sit on the data's ends: pad by 3% of the span so end markers clear the axes.
        if isLog {
          let margin = (log10(high) - log10(low)) * 0.03
          (lower, upper) = (low / pow(10, margin), high * pow(10, margin))
        } else {
          let margin = (high - low) * 0.03
          (lower, upper) = (low - margin, high + margin)
        }
        ticks = explicitTicks
      } else if isLog {
        (lower, upper) = (Ticks.niceFloor(low), Ticks.niceCeiling(high))
        ticks = Ticks.log(lower: lower, upper: upper)
      } else {
        let covering = Ticks.linearCovering(lower: low, upper: high)
        (lower, upper, ticks) = (covering.lower, covering.upper, covering.ticks)
        guard lower.isFinite, upper.isFinite, (upper - lower).isFinite, lower < upper else {
          throw ReportError.invalidRange(axis: name, lower: low, upper: high)
        }
      }
    }
    ticks = Array(Set(ticks)).sorted()
    // Minor gridlines only accompany generated ticks; between chosen ticks (say powers of two)
    // they would be irregular clutter.
    minorTicks = isLog && axis.ticks == nil ? Ticks.logMinor(lower: lower, upper: upper, excluding: ticks) : []
  }

  /// The value on the scale's linear coordinate (the value itself, or its base-10 logarithm).
  func transformed(_ value: Double) -> Double {
    scale == .log10 ? log10(value) : value
  }

  /// The fraction 0…1 of the way from `lower` to `upper` at which `value` lies (outside 0…1 for
  /// values outside the domain).
  func fraction(_ value: Double) -> Double {
    let start = transformed(lower)
    return (transformed(value) - start) / (transformed(upper) - start)
  }

  /// A human-readable description for the accessible summary.
  var summary: String {
    let kind = scale == .log10 ? "log scale" : "linear scale"
    return "\(kind) from \(Ticks.label(lower)) to \(Ticks.label(upper))"
  }
}
