import Foundation
import Reports
import Testing

/// Data ranges exercising several magnitudes, signs and awkward spans.
private let ranges: [(Double, Double)] = [
  (0, 1), (0.3, 0.97), (3, 47), (-12.5, 3.2), (1, 7), (0, 100), (999, 1001), (-1e-6, 2e-6), (0.001, 0.0049),
  (12_345, 987_654), (-5, -1), (0.5, 0.52), (1e9, 3.3e9), (0, 0.001), (17, 18), (-1, 1), (2.3e-4, 9.1e-3),
]

/// Whether `value` is an integer power of ten.
private func isPowerOfTen(_ value: Double) -> Bool {
  let exponent = log10(value).rounded()
  return abs(value - Double("1e\(Int(exponent))")!) <= value * 1e-12
}

/// Whether successive differences of `ticks` are all equal (to a relative tolerance).
private func evenlySpaced(_ ticks: [Double]) -> Bool {
  guard ticks.count >= 2 else { return false }
  let step = ticks[1] - ticks[0]
  return zip(ticks.dropFirst(), ticks).allSatisfy { abs(($0 - $1) - step) <= abs(step) * 1e-9 }
}

/// The 1-2-5 mantissa of a positive step.
private func mantissa(_ step: Double) -> Double {
  let exponent = floor(log10(step) + 1e-9)
  return (step / Double("1e\(Int(exponent))")!).rounded()
}

@Suite("Tick generation")
struct TickTests {
  @Test("covering 1-2-5 ticks enclose the data, are evenly spaced and number 4…10", arguments: ranges)
  func covering(lower: Double, upper: Double) {
    let result = Ticks.linearCovering(lower: lower, upper: upper)
    let ticks = result.ticks
    #expect(Ticks.countRange.contains(ticks.count), "\(ticks)")
    #expect(ticks.first! <= lower && ticks.last! >= upper, "\(ticks)")
    #expect(result.lower == ticks.first && result.upper == ticks.last)
    #expect(evenlySpaced(ticks), "\(ticks)")
    #expect([1, 2, 5].contains(mantissa(ticks[1] - ticks[0])), "\(ticks)")
  }

  @Test("ticks for a fixed range lie inside it, evenly spaced, 4…10 of them", arguments: ranges)
  func fixed(lower: Double, upper: Double) {
    let ticks = Ticks.linear(lower: lower, upper: upper)
    #expect(Ticks.countRange.contains(ticks.count), "\(ticks)")
    let slack = (upper - lower) * 1e-9
    #expect(ticks.allSatisfy { $0 >= lower - slack && $0 <= upper + slack }, "\(ticks)")
    #expect(evenlySpaced(ticks), "\(ticks)")
    #expect([1, 2, 5].contains(mantissa(ticks[1] - ticks[0])), "\(ticks)")
    // The gap left at either end is less than one step: the ticks cover the range.
    let step = ticks[1] - ticks[0]
    #expect(ticks.first! - lower < step + slack && upper - ticks.last! < step + slack, "\(ticks)")
  }

  @Test("accuracy range 0…1 gets 0, 0.2, …, 1 with exact decimal values")
  func unitRange() {
    #expect(Ticks.linear(lower: 0, upper: 1) == [0, 0.2, 0.4, 0.6, 0.8, 1])
    #expect(Ticks.linearCovering(lower: 0.1, upper: 0.7).ticks == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
  }

  @Test(
    "log ticks over three or more decades are powers of ten within the range",
    arguments: [(1.0, 1e6), (0.5, 2000), (1e-3, 1e12), (3e-7, 4e-2), (10, 1000), (1e-300, 1e300)])
  func logDecades(lower: Double, upper: Double) {
    let ticks = Ticks.log(lower: lower, upper: upper)
    #expect(ticks.count >= 3 && ticks.count <= 10, "\(ticks)")
    #expect(ticks.allSatisfy(isPowerOfTen), "\(ticks)")
    #expect(ticks.allSatisfy { $0 >= lower && $0 <= upper }, "\(ticks)")
    #expect(evenlySpaced(ticks.map(log10)), "\(ticks)")
  }

  @Test("all decades from 1 to 1e6 are ticks")
  func logFullDecades() {
    #expect(Ticks.log(lower: 1, upper: 1e6) == [1, 10, 100, 1000, 1e4, 1e5, 1e6])
  }

  @Test("narrow log ranges fall back to 1-2-5 multiples of powers of ten")
  func logNarrow() {
    #expect(Ticks.log(lower: 200, upper: 20000) == [200, 500, 1000, 2000, 5000, 10000, 20000])
    let narrow = Ticks.log(lower: 300, upper: 450)
    #expect(narrow.count >= 2 && narrow.allSatisfy { $0 >= 300 && $0 <= 450 }, "\(narrow)")
  }

  @Test("log domains widen to 1-2-5 multiples of powers of ten")
  func niceBounds() {
    #expect(Ticks.niceFloor(256) == 200)
    #expect(Ticks.niceCeiling(16384) == 20000)
    #expect(Ticks.niceFloor(1000) == 1000)
    #expect(Ticks.niceCeiling(1000) == 1000)
    #expect(Ticks.niceFloor(0.0042) == 0.002)
    #expect(Ticks.niceCeiling(0.0042) == 0.005)
    #expect(Ticks.niceCeiling(6) == 10)
  }

  @Test("minor log gridlines are 2…9 times powers of ten, excluding ticks")
  func logMinor() {
    let minor = Ticks.logMinor(lower: 10, upper: 100, excluding: [10, 100])
    #expect(minor == [20, 30, 40, 50, 60, 70, 80, 90])
  }

  @Test("tick labels are compact")
  func labels() {
    let cases: [(Double, String)] = [
      (0, "0"), (512, "512"), (1000, "1000"), (2048, "2048"), (10000, "1e4"), (20000, "2e4"), (16384, "16384"),
      (1e6, "1e6"), (0.2, "0.2"), (0.25, "0.25"), (0.001, "0.001"), (0.0001, "1e-4"), (-0.5, "-0.5"), (1.5, "1.5"),
      (0.1 + 0.2, "0.3"), (-20000, "-2e4"),
    ]
    for (value, expected) in cases {
      #expect(Ticks.label(value) == expected, "\(value)")
    }
  }
}
