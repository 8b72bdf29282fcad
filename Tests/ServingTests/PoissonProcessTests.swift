import Foundation
import Serving
import Testing

@Suite struct PoissonProcessTests {
  /// The chi-square tail against closed forms: `k = 2` is the exponential `e^{−x/2}`, `k = 1` is
  /// `erfc(√(x/2))`, both to 1e-12 (the series and continued fraction converge to ~1e-15).
  @Test func chiSquareSurvivalMatchesClosedForms() {
    for x in [0.01, 0.5, 1.0, 2.0, 3.0, 7.5, 20.0, 60.0] {
      #expect(abs(ChiSquareDistribution.survival(x, degreesOfFreedom: 2) - exp(-x / 2)) < 1e-12)
      #expect(abs(ChiSquareDistribution.survival(x, degreesOfFreedom: 1) - erfc((x / 2).squareRoot())) < 1e-12)
    }
  }

  /// The critical values against scipy's `chi2.isf(0.01, k)` computed now by python3, when it has
  /// scipy (to 1e-6 relative: bisection to machine precision, scipy's own accuracy ~1e-12); and
  /// against the tabulated 1 % values 6.635 (k = 1), 9.210 (k = 2), 23.209 (k = 10) to 5e-4.
  @Test func chiSquareCriticalValuesMatchTablesAndScipy() throws {
    for (k, tabulated) in [(1, 6.635), (2, 9.210), (10, 23.209)] {
      #expect(abs(ChiSquareDistribution.criticalValue(alpha: 0.01, degreesOfFreedom: k) - tabulated) < 5e-4)
    }
    let degrees = [1, 3, 7, 12, 20]
    guard let scipy = python("from scipy.stats import chi2; print(*[chi2.isf(0.01, k) for k in \(degrees)])")
    else { return }
    let values = scipy.split(separator: " ").compactMap { Double($0) }
    try #require(values.count == degrees.count)
    for (k, expected) in zip(degrees, values) {
      let computed = ChiSquareDistribution.criticalValue(alpha: 0.01, degreesOfFreedom: k)
      #expect(abs(computed - expected) / expected < 1e-6, "k = \(k): \(computed) vs scipy \(expected)")
    }
  }

  /// Counts of a rate-5 process in 4 000 unit windows against Poisson(5): chi-square with tail
  /// bins pooled so every expected count is ≥ 5, at the 1 % level (λ is known: `bins − 1`
  /// degrees of freedom). Seeded, so the verdict is reproducible; a seed fails with probability 1 %.
  @Test func windowCountsFollowPoisson() throws {
    let (rate, windows) = (5.0, 4_000)
    var process = try PoissonProcess(rate: rate, seed: 20)
    var counts = [Int](repeating: 0, count: windows)
    while let time = process.nextArrival(), time < Double(windows) { counts[Int(time)] += 1 }
    // P(N = n) = e^{−λ} λⁿ / n!; bins 0 … 11 and "≥ 12" (expected in the last ≈ 0.5 % · 4000 = 20).
    let last = 12
    var probabilities = [exp(-rate)]
    for n in 1..<last { probabilities.append(probabilities[n - 1] * rate / Double(n)) }
    probabilities.append(1 - probabilities.reduce(0, +))
    let observed = (0...last).map { bin in counts.filter { bin == last ? $0 >= last : $0 == bin }.count }
    let expected = probabilities.map { $0 * Double(windows) }
    #expect(expected.allSatisfy { $0 >= 5 })
    let statistic = zip(observed, expected).reduce(0.0) { $0 + pow(Double($1.0) - $1.1, 2) / $1.1 }
    let pValue = ChiSquareDistribution.survival(statistic, degreesOfFreedom: probabilities.count - 1)
    #expect(pValue > 0.01, "chi-square \(statistic), p = \(pValue)")
    #expect(counts.reduce(0, +) > 0)
  }

  /// Gaps of a rate-3 process against the exponential law `F(x) = 1 − e^{−3x}`: the
  /// Kolmogorov–Smirnov `D·√n` below 1.628, the asymptotic 1 % critical value. The same gaps
  /// tested against rate 3.5 exceed it (the test can tell the rates apart).
  @Test func gapsFollowTheExponential() throws {
    let (rate, n) = (3.0, 5_000)
    var process = try PoissonProcess(rate: rate, seed: 7)
    let times = process.arrivals(count: n)
    let gaps = zip(times, [0] + times.dropLast()).map { $0 - $1 }
    #expect(gaps.allSatisfy { $0 >= 0 })
    #expect(kolmogorovSmirnov(gaps, rate: rate) * Double(n).squareRoot() < 1.628)
    #expect(kolmogorovSmirnov(gaps, rate: 3.5) * Double(n).squareRoot() > 1.628)
  }

  @Test func infiniteRateSendsEverythingAtZeroAndSeedsReproduce() throws {
    var burst = try PoissonProcess(rate: .infinity, seed: 1)
    #expect(burst.arrivals(count: 50) == [Double](repeating: 0, count: 50))
    var (first, second) = (try PoissonProcess(rate: 2, seed: 9), try PoissonProcess(rate: 2, seed: 9))
    #expect(first.arrivals(count: 100) == second.arrivals(count: 100))
    var other = try PoissonProcess(rate: 2, seed: 10)
    #expect(other.arrivals(count: 100) != first.arrivals(count: 100))
  }

  @Test func invalidRatesAreRefused() {
    for rate in [0, -1, Double.nan, -Double.infinity] {
      #expect(throws: ServingError.self) { try PoissonProcess(rate: rate, seed: 0) }
    }
  }

  @Test func tracesReplayTheirTimesAndRefuseBadOnes() throws {
    var trace = try ArrivalTrace(times: [0, 0.5, 0.5, 2])
    #expect(trace.arrivals(count: 10) == [0, 0.5, 0.5, 2])
    #expect(trace.nextArrival() == nil)
    for bad in [[1, 0.5], [-1], [0, .nan], [.infinity]] {
      #expect(throws: ServingError.self) { try ArrivalTrace(times: bad) }
    }
  }

  /// `D = max_i max(i/n − F(x_(i)), F(x_(i)) − (i−1)/n)` for the exponential of `rate`.
  private func kolmogorovSmirnov(_ sample: [Double], rate: Double) -> Double {
    let sorted = sample.sorted()
    let n = Double(sorted.count)
    var d = 0.0
    for (index, x) in sorted.enumerated() {
      let f = 1 - exp(-rate * x)
      d = max(d, Double(index + 1) / n - f, f - Double(index) / n)
    }
    return d
  }
}

/// The standard output of `python3 -c code`, trimmed, or `nil` when python3 or its imports are missing.
func python(_ code: String) -> String? {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["python3", "-c", code]
  let output = Pipe()
  process.standardOutput = output
  process.standardError = Pipe()
  guard (try? process.run()) != nil else { return nil }
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else { return nil }
  return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
