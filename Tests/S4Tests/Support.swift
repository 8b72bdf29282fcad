import HiPPO
import LinearAlgebra
import Numerics
import S4
import SeededRandom

func complexNormals(_ count: Int, seed: UInt64) -> [Complex<Double>] {
  var generator = SeededGenerator(seed: seed)
  return (0..<count).map { _ in Complex(generator.nextStandardNormal(), generator.nextStandardNormal()) }
}

/// Log-uniform steps in [1e-3, 1e-1], as S4 initialises dt.
func steps(_ count: Int, seed: UInt64) -> [Double] {
  var generator = SeededGenerator(seed: seed)
  return (0..<count).map { _ in Double.exp(Double.log(1e-3) + generator.nextUnitInterval() * Double.log(100)) }
}

/// The dense conjugate-extended discrete system of one channel of a diagonal SSM:
/// `Ā = diag([Ā, conj Ā])`, `B̄ = [B̄, conj B̄]`, `C = [C, conj C]` — whose kernel by
/// explicit powers is the independent reference for `2 Re Σ` Vandermonde sums.
func denseSystem(_ system: DiagonalSSM, channel h: Int) throws -> DiscreteSSM {
  let (aBar, bBar) = system.discretized()
  let m = system.modes
  let range = (h * m)..<((h + 1) * m)
  let extend = { (values: ArraySlice<Complex<Double>>) in Array(values) + values.map(\.conjugate) }
  return try DiscreteSSM(
    aBar: .diagonal(extend(aBar[range])), bBar: extend(bBar[range]), c: extend(system.c[range]))
}

/// Causal direct convolution of each row with its channel's kernel plus `D u`, in float64.
func directConvolution(_ u: [Double], rows: Int, channels: Int, length: Int, kernel: [Double], skip: [Double])
  -> [Double]
{
  var y = [Double](repeating: 0, count: u.count)
  for row in 0..<rows {
    let h = row % channels
    for t in 0..<length {
      var sum = skip[h] * u[row * length + t]
      for s in 0...t { sum += kernel[h * length + t - s] * u[row * length + s] }
      y[row * length + t] = sum
    }
  }
  return y
}
