import Autodiff
import Numerics
import S4

extension DiagonalSSM {
  /// The system described by trainable float32 tensors: `λ = −exp(r) + i·m`, `dt = exp(s)`,
  /// complex `B`, `C` stored as `[…, 2]` (real, imaginary); converted to float64.
  ///
  /// - Parameters:
  ///   - logNegativeRealLambda: `r`, `S × M`.
  ///   - imaginaryLambda: `m`, `S × M`.
  ///   - b: `B`, `S × M × 2`.
  ///   - c: `C`, `S × M × 2`.
  ///   - logDt: `s`, `S`.
  ///   - discretization: ZOH or bilinear.
  public init(
    logNegativeRealLambda: Tensor, imaginaryLambda: Tensor, b: Tensor, c: Tensor, logDt: Tensor,
    discretization: DiagonalDiscretization
  ) throws {
    try self.init(
      lambda: zip(logNegativeRealLambda.values, imaginaryLambda.values).map {
        Complex(-Double.exp(Double($0)), Double($1))
      },
      b: b.complexValues, c: c.complexValues, dt: logDt.values.map { Double.exp(Double($0)) },
      discretization: discretization)
  }
}

extension DPLRSSM {
  /// The system described by trainable float32 tensors: `λ = −exp(r) + i·m`, `dt = exp(s)`,
  /// complex `P`, `B`, `C` stored as `[…, 2]`; converted to float64.
  ///
  /// - Parameters:
  ///   - logNegativeRealLambda: `r`, `H × M`.
  ///   - imaginaryLambda: `m`, `H × M`.
  ///   - p: `P`, `H × R × M × 2`.
  ///   - b: `B`, `H × M × 2`.
  ///   - c: `C` (or `C̃` where only the kernel from `C̃` is needed), `H × M × 2`.
  ///   - logDt: `s`, `H`.
  public init(logNegativeRealLambda: Tensor, imaginaryLambda: Tensor, p: Tensor, b: Tensor, c: Tensor, logDt: Tensor)
    throws
  {
    try self.init(
      lambda: zip(logNegativeRealLambda.values, imaginaryLambda.values).map {
        Complex(-Double.exp(Double($0)), Double($1))
      },
      p: p.complexValues, b: b.complexValues, c: c.complexValues, dt: logDt.values.map { Double.exp(Double($0)) })
  }
}
