import Foundation

/// `|X_k|²` of the discrete Fourier transform `X_k = Σ_t x_t e^{−2πikt/n}`, computed directly
/// (`O(n²)`, exact phase reduction `kt mod n`): the independent value the band limit is checked
/// against.
func dftEnergy(_ x: [Double]) -> [Double] {
  let n = x.count
  return (0..<n).map { k in
    var re = 0.0
    var im = 0.0
    for t in 0..<n {
      let angle = -2 * Double.pi * Double((k * t) % n) / Double(n)
      re += x[t] * cos(angle)
      im += x[t] * sin(angle)
    }
    return re * re + im * im
  }
}

/// `√((1/n) Σ x²)`.
func rootMeanSquare(_ x: [Double]) -> Double { (x.reduce(0) { $0 + $1 * $1 } / Double(x.count)).squareRoot() }
