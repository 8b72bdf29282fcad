import FFT
import Numerics
import Parallelism

/// Recurrent (step-by-step) evaluation of a ``DPLRSSM`` with the bilinear rule,
/// `O(N·R)` per channel and token through the Woodbury identity:
///
///     (2/dt − A) x_k = (2/dt + A) x_{k−1} + 2B u_k,   A = Λ − P Pᴴ,
///     (2/dt − A)⁻¹ = 𝒟 − 𝒟 P (I + Pᴴ𝒟P)⁻¹ Pᴴ𝒟,   𝒟 = diag(1/(2/dt − λ)).
///
/// The extended state is conjugate-symmetric, `x_ext = [z, z̄]`, so only the stored
/// half `z` (`M` values) is kept: `Pᴴ x_ext = 2 Re(Σ_n p̄_{r,n} z_n)` is real and so is
/// the `R × R` matrix `I + Pᴴ𝒟P`, inverted once per channel in float64. The output
/// is `y_k = C_ext x_ext + D u_k = 2 Re Σ_n C_n z_n + D u_k` (plain `C`).
public struct DPLRRecurrence<Scalar: FFTScalar>: Sendable {
  /// `H`.
  public let channels: Int
  /// `M`.
  public let modes: Int
  /// `R`.
  public let rank: Int
  let lambda: [Complex<Scalar>]
  let p: [Complex<Scalar>]
  let twoB: [Complex<Scalar>]
  let twoC: [Complex<Scalar>]
  let twoOverStep: [Scalar]
  let resolvent: [Complex<Scalar>]
  /// `(I + Pᴴ𝒟P)⁻¹`, `H × R × R`, real.
  let woodbury: [Scalar]

  /// Prepares `system` for stepping.
  /// - Throws: ``S4Error/singular(_:)`` if `I + Pᴴ𝒟P` is singular.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public init(_ system: DPLRSSM, as _: Scalar.Type = Scalar.self) throws {
    let (m, rank) = (system.modes, system.rank)
    channels = system.channels
    modes = m
    self.rank = rank
    var resolvent: [Complex<Double>] = []
    var woodbury: [Double] = []
    for h in 0..<system.channels {
      let d = system.lambda[system.range(channel: h)].map { Complex(1, 0) / (Complex(2 / system.dt[h], 0) - $0) }
      let p = Array(system.p[system.pRange(channel: h)])
      // G = I + Pᴴ𝒟P over the extended system: G_rs = δ_rs + 2 Re Σ_n p̄_{r,n} 𝒟_n p_{s,n}.
      var g = [Complex<Double>](repeating: .zero, count: rank * rank)
      for r in 0..<rank {
        for s in 0..<rank {
          var sum = Complex<Double>.zero
          for n in 0..<m { sum = sum + p[r * m + n].conjugate * d[n] * p[s * m + n] }
          g[r * rank + s] = Complex(2 * sum.real + (r == s ? 1 : 0), 0)
        }
      }
      var inverse = [Double](repeating: 0, count: rank * rank)
      for column in 0..<rank {
        var (matrix, x) = (g, [Complex<Double>](repeating: .zero, count: rank))
        x[column] = Complex(1, 0)
        solveSmall(&matrix, &x, size: rank)
        guard x.allSatisfy(\.isFinite) else { throw S4Error.singular("I + Pᴴ𝒟P (channel \(h))") }
        for r in 0..<rank { inverse[r * rank + column] = x[r].real }
      }
      woodbury += inverse
      resolvent += d
    }
    self.lambda = system.lambda.map(Complex<Scalar>.init(narrowing:))
    self.p = system.p.map(Complex<Scalar>.init(narrowing:))
    twoB = system.b.map { Complex<Scalar>(narrowing: $0 + $0) }
    twoC = system.c.map { Complex<Scalar>(narrowing: $0 + $0) }
    twoOverStep = system.dt.map { Scalar(2 / $0) }
    self.resolvent = resolvent.map(Complex<Scalar>.init(narrowing:))
    self.woodbury = woodbury.map { Scalar($0) }
  }

  /// The zero state: `B × H × M` complex (the stored half of each extended state).
  public func initialState(batch: Int) -> [Complex<Scalar>] {
    [Complex<Scalar>](repeating: .zero, count: batch * channels * modes)
  }

  /// Runs `u` (`B × H × L`) from `state` (`B × H × M`, replaced by `x_{L−1}`).
  ///
  /// - Parameters:
  ///   - u: `B × H × L` inputs.
  ///   - length: `L ≥ 1`.
  ///   - skip: `D`, `H` values, or `nil`.
  ///   - state: `B × H × M` stored half-states, replaced by the final ones.
  /// - Returns: `y`, `B × H × L`.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func run(_ u: [Scalar], length: Int, skip: [Scalar]? = nil, state: inout [Complex<Scalar>]) throws
    -> [Scalar]
  {
    guard length >= 1 else { throw S4Error.invalidSize("sequence length \(length) must be at least 1") }
    guard state.count.isMultiple(of: channels * modes), !state.isEmpty else {
      throw S4Error.shapeMismatch("state has \(state.count) values, not a multiple of \(channels) × \(modes)")
    }
    let batch = state.count / (channels * modes)
    guard u.count == batch * channels * length else {
      throw S4Error.shapeMismatch("u has \(u.count) values, expected \(batch) × \(channels) × \(length)")
    }
    guard u.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("input u") }
    if let skip, skip.count != channels || !skip.allSatisfy(\.isFinite) {
      throw S4Error.shapeMismatch("D must have \(channels) finite values")
    }
    var y = [Scalar](repeating: 0, count: u.count)
    let m = modes
    var s = [Complex<Scalar>](repeating: .zero, count: m)
    var q = [Scalar](repeating: 0, count: rank)
    var w = [Scalar](repeating: 0, count: rank)
    for row in 0..<(batch * channels) {
      let h = row % channels
      let d = skip?[h] ?? 0
      for t in 0..<length {
        let value = u[row * length + t]
        let z = row * m
        // q = Pᴴ x_ext; s = (2/dt + Λ) z − P q + 2B u.
        projection(&q, channel: h) { n in state[z + n] }
        for n in 0..<m {
          var entry =
            (Complex(twoOverStep[h], 0) + lambda[h * m + n]) * state[z + n] + twoB[h * m + n] * Complex(value, 0)
          for r in 0..<rank { entry = entry - p[(h * rank + r) * m + n] * Complex(q[r], 0) }
          s[n] = entry
        }
        // w = (I + Pᴴ𝒟P)⁻¹ Pᴴ𝒟 s; z = 𝒟 (s − P w).
        projection(&q, channel: h) { n in resolvent[h * m + n] * s[n] }
        for r in 0..<rank {
          var sum: Scalar = 0
          for c in 0..<rank { sum += woodbury[(h * rank + r) * rank + c] * q[c] }
          w[r] = sum
        }
        var output: Scalar = 0
        for n in 0..<m {
          var entry = s[n]
          for r in 0..<rank { entry = entry - p[(h * rank + r) * m + n] * Complex(w[r], 0) }
          let updated = resolvent[h * m + n] * entry
          state[z + n] = updated
          output += (twoC[h * m + n] * updated).real
        }
        y[row * length + t] = output + d * value
      }
    }
    return y
  }

  /// `q_r = 2 Re Σ_n p̄_{r,n} v_n`: `Pᴴ` applied to the extended vector `[v, v̄]`.
  @inline(__always)
  private func projection(_ q: inout [Scalar], channel h: Int, _ v: (Int) -> Complex<Scalar>) {
    for r in 0..<rank {
      var sum = Complex<Scalar>.zero
      for n in 0..<modes { sum = sum + p[(h * rank + r) * modes + n].conjugate * v(n) }
      q[r] = 2 * sum.real
    }
  }
}
