import LinearAlgebra
import Numerics
import SeededRandom

/// Seeded test matrices (the project's `SeededGenerator`), the same on every run.
struct TestRandom {
  private var generator: SeededGenerator
  init(seed: UInt64) { generator = SeededGenerator(seed: seed) }
  /// Uniform in [−1, 1).
  mutating func uniform() -> Double { 2 * generator.nextUnitInterval() - 1 }

  mutating func realMatrix(_ rows: Int, _ columns: Int) -> Matrix<Double> {
    Matrix(rows: rows, columns: columns) { _, _ in uniform() }
  }

  mutating func complexMatrix(_ rows: Int, _ columns: Int) -> Matrix<Complex<Double>> {
    Matrix(rows: rows, columns: columns) { _, _ in Complex(uniform(), uniform()) }
  }
}
