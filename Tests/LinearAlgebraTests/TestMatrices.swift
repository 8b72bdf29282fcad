import LinearAlgebra
import Numerics

/// A tiny seeded generator (SplitMix64) so the test matrices are the same on every run.
struct TestRandom {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in [−1, 1).
  mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-52 - 1 }

  mutating func realMatrix(_ rows: Int, _ columns: Int) -> Matrix<Double> {
    Matrix(rows: rows, columns: columns) { _, _ in uniform() }
  }

  mutating func complexMatrix(_ rows: Int, _ columns: Int) -> Matrix<Complex<Double>> {
    Matrix(rows: rows, columns: columns) { _, _ in Complex(uniform(), uniform()) }
  }
}

/// `max |a_ij − b_ij|`.
func maxDifference<Scalar: MatrixScalar>(_ a: Matrix<Scalar>, _ b: Matrix<Scalar>) -> Double {
  (a - b).maxModulus
}
