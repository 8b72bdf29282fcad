import LinearAlgebra
import Numerics

/// A diagonal state space system storing one member of each conjugate pair:
/// `x' = diag(λ) x + B u`, `λ, B ∈ ℂ^{N/2}`.
public struct DiagonalSystem: Sendable, Equatable {
  /// The stored eigenvalues `λ_n`.
  public var lambda: [Complex<Double>]
  /// The input vector `B_n`.
  public var b: [Complex<Double>]

  /// A diagonal system; `lambda` and `b` must have the same length.
  public init(lambda: [Complex<Double>], b: [Complex<Double>]) throws {
    guard lambda.count == b.count else {
      throw HiPPOError.shapeMismatch("lambda has \(lambda.count) entries, B has \(b.count)")
    }
    guard lambda.allSatisfy(\.isFiniteValue), b.allSatisfy(\.isFiniteValue) else {
      throw HiPPOError.nonFinite("diagonal system")
    }
    self.lambda = lambda
    self.b = b
  }
}

/// The S4D initialisations of the diagonal state matrix (Gu, Gupta, Goel, Ré
/// 2022, "On the Parameterization and Initialization of Diagonal State Space
/// Models"), with the paper's sign convention `Im λ ≥ 0`.
public enum S4DInitialization: String, CaseIterable, Sendable, Codable {
  /// S4D-Lin: `λ_n = −½ + iπn`, `B_n = 1`.
  case lin
  /// S4D-Inv: `λ_n = −½ + i(N/π)(N/(2n+1) − 1)`, `B_n = 1`.
  case inv
  /// S4D-Real: `λ_n = −(n+1)`, `B_n = 1`.
  case real
  /// S4D-LegS: `λ` is the complex conjugate of the LegS DPLR `λ` in the same
  /// order (so `Im λ ≥ 0`, descending) and `B` is the DPLR `B̃ = VᴴB` (without
  /// the extra factor ½ mentioned in the S4D paper).
  case legs

  /// The `N/2` modes for state size `N` (`n = 0 … N/2 − 1`).
  public func system(stateSize n: Int) throws -> DiagonalSystem {
    guard n >= 2, n.isMultiple(of: 2) else {
      throw HiPPOError.invalidStateSize(n, reason: "S4D stores N/2 conjugate pairs, so N must be even and at least 2")
    }
    let half = n / 2
    let ones = [Complex<Double>](repeating: Complex(1, 0), count: half)
    switch self {
    case .lin:
      return try DiagonalSystem(lambda: (0..<half).map { Complex(-0.5, Double.pi * Double($0)) }, b: ones)
    case .inv:
      let size = Double(n)
      let lambda = (0..<half).map { k in
        Complex(-0.5, size / Double.pi * (size / Double(2 * k + 1) - 1))
      }
      return try DiagonalSystem(lambda: lambda, b: ones)
    case .real:
      return try DiagonalSystem(lambda: (0..<half).map { Complex(-Double($0 + 1), 0) }, b: ones)
    case .legs:
      let dplr = try Measure.legs.dplr(stateSize: n)
      return try DiagonalSystem(lambda: dplr.lambda.map(\.conjugate), b: dplr.b)
    }
  }
}
