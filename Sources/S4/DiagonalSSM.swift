import FFT
import HiPPO
import Numerics

/// How a diagonal (S4D) system is discretised, mode by mode.
public enum DiagonalDiscretization: String, Sendable, CaseIterable {
  /// Zero-order hold: `Ā = e^{dtλ}`, `B̄ = (e^{dtλ} − 1)/λ · B`.
  case zoh
  /// Bilinear (Tustin): `Ā = (1 + dtλ/2)/(1 − dtλ/2)`, `B̄ = dt B/(1 − dtλ/2)`.
  case bilinear

  var method: DiscretizationMethod { self == .zoh ? .zoh : .bilinear }
}

/// `H` independent diagonal state space systems (S4D), each with `M = N/2`
/// stored modes (one member of each conjugate pair) and its own step `dt_h`:
///
///     x'_{h,n} = λ_{h,n} x_{h,n} + B_{h,n} u_h,   y_h = 2 Re Σ_n C_{h,n} x_{h,n} (+ D_h u_h).
///
/// Parameters are float64 (the reference precision); ``kernel(length:as:)`` and the
/// recurrences evaluate in float64 or float32. Arrays are row-major `H × M`.
public struct DiagonalSSM: Sendable {
  /// `H`.
  public let channels: Int
  /// `M = N/2`, the stored modes per channel.
  public let modes: Int
  /// `λ`, `H × M`, every `Re λ < 0`.
  public let lambda: [Complex<Double>]
  /// `B`, `H × M`.
  public let b: [Complex<Double>]
  /// `C`, `H × M` (never conjugated).
  public let c: [Complex<Double>]
  /// `dt`, `H` positive steps.
  public let dt: [Double]
  /// ZOH or bilinear.
  public let discretization: DiagonalDiscretization

  /// Validates and stores the parameters; `H = dt.count`, `M = lambda.count / H`.
  /// - Throws: ``S4Error`` for disagreeing lengths, no modes, non-finite values,
  ///   `dt ≤ 0`, or `Re λ ≥ 0`.
  public init(
    lambda: [Complex<Double>], b: [Complex<Double>], c: [Complex<Double>], dt: [Double],
    discretization: DiagonalDiscretization = .zoh
  ) throws {
    let (channels, modes) = try validateChannels(lambda: lambda, b: b, c: c, dt: dt)
    self.channels = channels
    self.modes = modes
    self.lambda = lambda
    self.b = b
    self.c = c
    self.dt = dt
    self.discretization = discretization
  }

  /// One system per step size: every channel shares `system`'s `λ, B` and the
  /// output vector `c` (`M` values).
  public init(
    system: DiagonalSystem, c: [Complex<Double>], dt: [Double], discretization: DiagonalDiscretization = .zoh
  ) throws {
    guard c.count == system.lambda.count else {
      throw S4Error.shapeMismatch("C has \(c.count) values, the system \(system.lambda.count) modes")
    }
    let repeated = { (values: [Complex<Double>]) in
      Array([[Complex<Double>]](repeating: values, count: dt.count).joined())
    }
    try self.init(
      lambda: repeated(system.lambda), b: repeated(system.b), c: repeated(c), dt: dt, discretization: discretization)
  }

  /// The discrete parameters `Ā`, `B̄` (`H × M` each) of every channel.
  public func discretized() -> (aBar: [Complex<Double>], bBar: [Complex<Double>]) {
    var aBar: [Complex<Double>] = []
    var bBar: [Complex<Double>] = []
    aBar.reserveCapacity(lambda.count)
    bBar.reserveCapacity(lambda.count)
    for h in 0..<channels {
      let range = (h * modes)..<((h + 1) * modes)
      // Valid by construction (finite, dt > 0, Re λ < 0 keeps 1 − dtλ/2 away from 0).
      let system = try! DiagonalSystem(lambda: Array(lambda[range]), b: Array(b[range]))
      let discrete = try! HiPPO.discretize(system, dt: dt[h], method: discretization.method)
      aBar += discrete.aBar
      bBar += discrete.bBar
    }
    return (aBar, bBar)
  }

  /// The convolution kernels `K[h, l] = 2 Re Σ_n C_{h,n} B̄_{h,n} Ā_{h,n}^l`,
  /// `H × L`, by a Vandermonde product re-anchored every `β ≈ √L` powers in float64, so
  /// float32 kernels stay accurate at `L = 65 536`.
  ///
  /// - Parameters:
  ///   - length: `L ≥ 1`.
  ///   - as: `Float.self` (fast path) or `Double.self` (reference).
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func kernel<Scalar: FFTScalar>(length: Int, as _: Scalar.Type = Double.self) throws -> [Scalar] {
    guard length >= 1 else { throw S4Error.invalidSize("kernel length \(length) must be at least 1") }
    let (aBar, bBar) = discretized()
    let weights = zip(c, bBar).map { $0 * $1 }
    return VandermondeKernel(aBar: aBar, channels: channels, modes: modes)
      .evaluate(weights: weights, rows: channels, channelOfRow: { $0 }, length: length, as: Scalar.self)
  }
}

/// Checks the per-channel layout shared by the diagonal and DPLR systems — `H = dt.count ≥ 1`
/// channels, `M ≥ 1` modes each, `λ`, `B`, `C` of `H·M` finite values, `dt_h > 0` finite,
/// `Re λ < 0` — and returns `(H, M)`.
func validateChannels(lambda: [Complex<Double>], b: [Complex<Double>], c: [Complex<Double>], dt: [Double]) throws
  -> (channels: Int, modes: Int)
{
  let channels = dt.count
  guard channels >= 1 else { throw S4Error.invalidSize("at least one channel (dt value) is needed") }
  guard lambda.count >= channels, lambda.count.isMultiple(of: channels) else {
    throw S4Error.shapeMismatch("λ has \(lambda.count) values, not a positive multiple of \(channels) channels")
  }
  let modes = lambda.count / channels
  guard b.count == lambda.count, c.count == lambda.count else {
    throw S4Error.shapeMismatch("λ has \(lambda.count) values, B \(b.count), C \(c.count)")
  }
  for (h, step) in dt.enumerated() where !(step > 0 && step.isFinite) {
    throw S4Error.invalidTimeStep(channel: h, value: step)
  }
  guard lambda.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("λ") }
  for (index, value) in lambda.enumerated() where !(value.real < 0) {
    throw S4Error.unstableMode(channel: index / modes, mode: index % modes, real: value.real)
  }
  guard b.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("B") }
  guard c.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("C") }
  return (channels, modes)
}
