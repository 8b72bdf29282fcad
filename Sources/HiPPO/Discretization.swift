import LinearAlgebra
import Numerics

/// How a continuous system `x' = A x + B u` becomes the discrete recurrence
/// `x_k = Ā x_{k−1} + B̄ u_k` with step `dt`.
public enum DiscretizationMethod: Sendable, Equatable {
  /// `Ā = I + dt·A`, `B̄ = dt·B` (GBT α = 0).
  case forwardEuler
  /// `Ā = (I − dt·A)⁻¹`, `B̄ = (I − dt·A)⁻¹ dt·B` (GBT α = 1).
  case backwardEuler
  /// Tustin: `Ā = (I − dt/2·A)⁻¹(I + dt/2·A)`, `B̄ = (I − dt/2·A)⁻¹ dt·B` (GBT α = ½).
  case bilinear
  /// Generalised bilinear transform:
  /// `Ā = (I − α dt A)⁻¹(I + (1 − α) dt A)`, `B̄ = (I − α dt A)⁻¹ dt B`.
  case gbt(alpha: Double)
  /// Zero-order hold: `Ā = e^{dt·A}`, `B̄ = ∫₀^dt e^{sA} ds · B`.
  case zoh

  /// The GBT parameter α of the Euler/bilinear family, `nil` for ZOH.
  public var alpha: Double? {
    switch self {
    case .forwardEuler: return 0
    case .backwardEuler: return 1
    case .bilinear: return 0.5
    case .gbt(let alpha): return alpha
    case .zoh: return nil
    }
  }
}

/// Discretises a dense system `x' = A x + B u` (`A`: `N × N`, `B`: `N`), real or complex.
///
/// The GBT family solves one LU system with the two right-hand sides
/// `[I + (1−α) dt A | dt B]`. ZOH uses Van Loan's block exponential
///
///     exp(dt · [[A, B], [0, 0]]) = [[e^{dtA}, ∫₀^dt e^{sA} ds B], [0, 1]],
///
/// which needs no inverse of `A`, so singular operators such as FouT work.
///
/// - Throws: ``HiPPOError/invalidTimeStep(_:)``, ``HiPPOError/shapeMismatch(_:)``,
///   ``HiPPOError/nonFinite(_:)``, an invalid α, or a singular `I − α dt A`.
@_specialize(exported:true,where Scalar == Double)
@_specialize(exported:true,where Scalar == Complex<Double>)
public func discretize<Scalar: MatrixScalar>(
  a: Matrix<Scalar>, b: [Scalar], dt: Double, method: DiscretizationMethod
) throws -> (aBar: Matrix<Scalar>, bBar: [Scalar]) {
  try requireValidTimeStep(dt)
  guard a.isSquare else { throw HiPPOError.shapeMismatch("A is \(a.rows) × \(a.columns), not square") }
  guard b.count == a.rows else {
    throw HiPPOError.shapeMismatch("A is \(a.rows) × \(a.rows) but B has \(b.count) entries")
  }
  guard a.isFinite else { throw HiPPOError.nonFinite("A") }
  guard b.allSatisfy(\.isFiniteValue) else { throw HiPPOError.nonFinite("B") }
  let n = a.rows
  let step = Scalar(real: dt)
  guard let alpha = method.alpha else {
    var block = Matrix<Scalar>(rows: n + 1, columns: n + 1)
    for i in 0..<n {
      for k in 0..<n { block[i, k] = step * a[i, k] }
      block[i, n] = step * b[i]
    }
    let exponential = try block.exponential()
    let aBar = Matrix<Scalar>(rows: n, columns: n) { i, k in exponential[i, k] }
    return (aBar, (0..<n).map { exponential[$0, n] })
  }
  guard alpha.isFinite else {
    throw HiPPOError.invalidParameter(name: "alpha", value: alpha, reason: "the GBT parameter must be finite")
  }
  let implicit = Matrix<Scalar>.identity(n) - Scalar(real: alpha * dt) * a
  let explicit = Matrix<Scalar>.identity(n) + Scalar(real: (1 - alpha) * dt) * a
  var rightHandSides = Matrix<Scalar>(rows: n, columns: n + 1)
  for i in 0..<n {
    for k in 0..<n { rightHandSides[i, k] = explicit[i, k] }
    rightHandSides[i, n] = step * b[i]
  }
  let solution = try implicit.solve(rightHandSides)
  let aBar = Matrix<Scalar>(rows: n, columns: n) { i, k in solution[i, k] }
  return (aBar, (0..<n).map { solution[$0, n] })
}

/// Discretises a diagonal system mode by mode: for each `λ` and `B`,
/// - GBT(α): `Ā = (1 + (1−α) dt λ)/(1 − α dt λ)`, `B̄ = dt B/(1 − α dt λ)`;
/// - ZOH: `Ā = e^{dtλ}`, `B̄ = (e^{dtλ} − 1)/λ · B`, evaluated as
///   `dt · expm1(dtλ)/(dtλ) · B` (exactly `dt·B` at `λ = 0`) to avoid cancellation.
///
/// - Returns: `(Ā, B̄)` as arrays of the system's length.
public func discretize(_ system: DiagonalSystem, dt: Double, method: DiscretizationMethod) throws
  -> (aBar: [Complex<Double>], bBar: [Complex<Double>])
{
  try requireValidTimeStep(dt)
  var aBar: [Complex<Double>] = []
  var bBar: [Complex<Double>] = []
  for (lambda, b) in zip(system.lambda, system.b) {
    let z = Complex(dt, 0) * lambda
    if let alpha = method.alpha {
      guard alpha.isFinite else {
        throw HiPPOError.invalidParameter(name: "alpha", value: alpha, reason: "the GBT parameter must be finite")
      }
      let denominator = Complex(1, 0) - Complex(alpha, 0) * z
      guard denominator.length > 0 else {
        throw HiPPOError.invalidParameter(name: "alpha", value: alpha, reason: "1 − α·dt·λ vanishes for λ = \(lambda)")
      }
      aBar.append((Complex(1, 0) + Complex(1 - alpha, 0) * z) / denominator)
      bBar.append(Complex(dt, 0) * b / denominator)
    } else {
      aBar.append(Complex.exp(z))
      let phi = z == .zero ? Complex(1, 0) : Complex.expMinusOne(z) / z
      bBar.append(Complex(dt, 0) * phi * b)
    }
  }
  return (aBar, bBar)
}
