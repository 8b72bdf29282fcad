import Reports
import Testing

@Suite("NumberFormat")
struct NumberFormatTests {
  @Test(
    "three significant digits: plain between 0.001 and 100000, scientific outside",
    arguments: [
      (0.99512, "0.995"), (0.5, "0.5"), (1.0, "1"), (0.1, "0.1"), (12.3456, "12.3"), (1234.56, "1235"),
      (16384, "16384"), (99999, "99999"), (1_234_567, "1.23e6"), (100_000, "1e5"), (0.000123456, "1.23e-4"),
      (2e-5, "2e-5"), (0.001, "0.001"), (0.00123, "0.00123"), (-0.04567, "-0.0457"), (-3.14159, "-3.14"),
      (9.9996, "10"), (0.0, "0"), (-0.0, "0"), (Double.nan, "NaN"), (Double.infinity, "inf"),
      (-Double.infinity, "-inf"), (1e300, "1e300"), (-2.5e-10, "-2.5e-10"), (9.996e5, "1e6"),
    ])
  func threeDigits(value: Double, expected: String) {
    #expect(NumberFormat().string(value) == expected)
  }

  @Test("the digit count is configurable and clamped to at least one")
  func digits() {
    #expect(NumberFormat(significantDigits: 5).string(0.99512345) == "0.99512")
    #expect(NumberFormat(significantDigits: 1).string(0.87) == "0.9")
    #expect(NumberFormat(significantDigits: 0).string(0.87) == "0.9")
    #expect(NumberFormat(significantDigits: 2).string(1_234_567) == "1.2e6")
  }
}
