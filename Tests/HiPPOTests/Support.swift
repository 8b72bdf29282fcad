import HiPPO
import LinearAlgebra
import Numerics

/// The measures that have a DPLR form, with the parameter values the tests sweep.
let measuresWithRankCorrection: [Measure] = [
  .legs, .legt(theta: 1), .legt(theta: 2), .legt(theta: 0.3), .lagt, .tlagt(beta: 1), .tlagt(beta: 0.4), .fout,
]

/// Every measure, including those without a rank correction.
let allMeasures: [Measure] = measuresWithRankCorrection + [.lmu(theta: 1), .lmu(theta: 2.5)]

/// The conjugate-extended eigenvector matrix `[V, V̄]` (`N × N`).
func extendedEigenvectors(_ dplr: DPLRDecomposition) -> Matrix<Complex<Double>> {
  let v = dplr.v
  return Matrix(rows: v.rows, columns: 2 * v.columns) { i, j in
    j < v.columns ? v[i, j] : v[i, j - v.columns].conjugate
  }
}

/// `Σ_{k=0}^{terms} M^k / k!` and `Σ_{k=0}^{terms} M^k/(k+1)!` by the series,
/// for checking the matrix exponential and the ZOH integral independently.
func exponentialSeries(_ m: Matrix<Double>, terms: Int) -> (exponential: Matrix<Double>, phi: Matrix<Double>) {
  var power = Matrix<Double>.identity(m.rows)
  var exponential = power
  var phi = power
  var factorial = 1.0
  for k in 1...terms {
    power = power * m
    factorial *= Double(k)
    exponential = exponential + (1 / factorial) * power
    phi = phi + (1 / (factorial * Double(k + 1))) * power
  }
  return (exponential, phi)
}
