/// Values of the Legendre polynomials `P_0(x) … P_{count−1}(x)` by Bonnet's
/// recurrence `(n+1) P_{n+1}(x) = (2n+1) x P_n(x) − n P_{n−1}(x)`,
/// `P_0 = 1`, `P_1 = x` (stable for `x ∈ [−1, 1]`).
public func legendrePolynomials(upTo count: Int, at x: Double) -> [Double] {
  guard count > 0 else { return [] }
  var values = [Double](repeating: 0, count: count)
  values[0] = 1
  if count > 1 { values[1] = x }
  if count > 2 {
    for n in 1..<(count - 1) {
      values[n + 1] = (Double(2 * n + 1) * x * values[n] - Double(n) * values[n - 1]) / Double(n + 1)
    }
  }
  return values
}
