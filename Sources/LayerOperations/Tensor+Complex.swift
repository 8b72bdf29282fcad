import Autodiff
import Numerics

extension Tensor {
  /// The values of a tensor whose last axis holds (real, imaginary) pairs, as complex
  /// float64 numbers (`count / 2` of them).
  public var complexValues: [Complex<Double>] {
    (0..<(count / 2)).map { Complex(Double(values[2 * $0]), Double(values[2 * $0 + 1])) }
  }

  /// Complex numbers stored as (real, imaginary) pairs on the last axis of `shape`, rounded
  /// to float32.
  /// - Throws: ``AutodiffError/shapeMismatch(_:)`` unless `shape` holds `2 · values.count` entries.
  public init(complexValues: [Complex<Double>], shape: [Int]) throws {
    try self.init(shape: shape, values: Self.interleaved(complexValues))
  }

  /// `[re₀, im₀, re₁, im₁, …]` in float32.
  public static func interleaved(_ values: [Complex<Double>]) -> [Float] {
    values.flatMap { [Float($0.real), Float($0.imaginary)] }
  }
}
