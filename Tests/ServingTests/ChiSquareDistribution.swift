import Foundation

/// The chi-square distribution's upper tail, written here independently of the code under test:
/// `P(X > x) = Q(k/2, x/2)` for `k` degrees of freedom, with `Q(a, y) = Γ(a, y)/Γ(a)` the
/// regularised upper incomplete gamma function, from its power series
/// `P(a, y) = e^{−y} y^a / Γ(a+1) · Σ_n y^n / ((a+1)⋯(a+n))` for `y < a + 1` and from its
/// Lentz continued fraction otherwise (both converge fast in their ranges, to about 1e-14).
enum ChiSquareDistribution {
  static func survival(_ x: Double, degreesOfFreedom k: Int) -> Double {
    guard x > 0 else { return 1 }
    let (a, y) = (Double(k) / 2, x / 2)
    let logPrefactor = -y + a * log(y) - lgamma(a)
    if y < a + 1 {
      var (term, sum, denominator) = (1 / a, 1 / a, a)
      for _ in 0..<10_000 {
        denominator += 1
        term *= y / denominator
        sum += term
        if abs(term) < abs(sum) * 1e-16 { break }
      }
      return 1 - sum * exp(logPrefactor)
    }
    let tiny = 1e-300
    var b = y + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var fraction = d
    for i in 1..<10_000 {
      let an = -Double(i) * (Double(i) - a)
      b += 2
      d = an * d + b
      if abs(d) < tiny { d = tiny }
      c = b + an / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      fraction *= delta
      if abs(delta - 1) < 1e-16 { break }
    }
    return exp(logPrefactor) * fraction
  }

  /// The `x` with `survival(x, k) = α`, by bisection (the survival function decreases in `x`).
  static func criticalValue(alpha: Double, degreesOfFreedom k: Int) -> Double {
    var (low, high) = (0.0, Double(k) + 100 * Double(k).squareRoot() + 100)
    for _ in 0..<200 {
      let middle = (low + high) / 2
      if survival(middle, degreesOfFreedom: k) > alpha { low = middle } else { high = middle }
    }
    return (low + high) / 2
  }
}
