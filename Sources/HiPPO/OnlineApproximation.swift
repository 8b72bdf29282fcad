import LinearAlgebra
import Numerics

/// The discretisation used by an online HiPPO approximation.
public enum ApproximationMethod: String, CaseIterable, Sendable {
  /// Forward Euler (explicit; unstable for LegT once `dt·|λ|` exceeds 2).
  case forward
  /// Backward Euler (implicit, first order).
  case backward
  /// Bilinear / Tustin (implicit, second order).
  case bilinear
  /// Zero-order hold (exact for piecewise-constant input).
  case zoh

  /// The discretisation that advances the state by one step of length `dt`.
  var discretization: DiscretizationMethod {
    switch self {
    case .forward: return .forwardEuler
    case .backward: return .backwardEuler
    case .bilinear: return .bilinear
    case .zoh: return .zoh
    }
  }
}

/// Which memory an online approximation keeps.
public enum ApproximationMemory: Sendable, Equatable {
  /// LegS: the whole history, `c'(t) = (1/t)(A c(t) + B u(t))`.
  case legs
  /// LegT: the last window of length θ, sampled with step `dt`.
  case legt(theta: Double, dt: Double)
}

/// The result of compressing a signal online and reconstructing it from the
/// final state.
public struct OnlineApproximation: Sendable {
  /// The coefficients `c` after the last sample (`N`).
  public let state: [Double]
  /// The signal reconstructed from ``state`` at the samples it covers: all `L`
  /// samples for LegS, the samples of the last window for LegT.
  public let reconstruction: [Double]
  /// The original samples that ``reconstruction`` approximates.
  public let target: [Double]
  /// `mean((reconstruction − target)²)`.
  public let meanSquaredError: Double
}

/// Compresses `signal` online into `N` HiPPO coefficients and reconstructs it.
///
/// **LegS** (time-varying; step `t = 1 … L` consumes `u[t−1]`, `c₀ = 0`):
/// the step is the discretisation of `(A, B)` with step `1/t` for the GBT family
/// and `log((t+1)/t)` for ZOH, i.e.
/// - bilinear `c_t = (I − A/2t)⁻¹[(I + A/2t)c_{t−1} + (B/t)u[t−1]]`,
/// - forward `c_t = (I + A/t)c_{t−1} + (B/t)u[t−1]`,
/// - backward `c_t = (I − A/t)⁻¹[c_{t−1} + (B/t)u[t−1]]`,
/// - ZOH `c_t = E c_{t−1} + A⁻¹(E − I)B u[t−1]`, `E = e^{A log((t+1)/t)}`.
///
/// Sample `u[k]` stands for the interval `(k, k+1]` of the history `[0, L]`; it is
/// reconstructed at the interval's midpoint `x = (k + ½)/L` as
/// `û(x) = Σ_n c_n √(2n+1) P_n(2x − 1)`.
///
/// **LegT** (time-invariant): `c_k = Ā c_{k−1} + B̄ u[k]`, `k = 0 … L−1`, `c_{−1} = 0`,
/// with `(Ā, B̄)` the LegT(θ) operator discretised with step `dt`. Sample `u[j]`
/// has age `a_j = (L − j − ½)·dt`; the samples with `a_j < θ` (the last window)
/// are reconstructed at `y = 1 − a_j/θ` as `û = Σ_n c_n √(2n+1) P_n(2y − 1)`.
/// A signal shorter than the window is reconstructed whole (the history before
/// its first sample is zero, as `c_{−1} = 0` says).
///
/// Cost per sample: LegS GBT steps are one triangular solve (O(N²), LegS's `A`
/// is lower triangular), LegS ZOH one `(N+1) × (N+1)` matrix exponential
/// (O(N³)); LegT one matrix–vector product (O(N²)).
///
/// - Throws: for an empty or non-finite signal, invalid `N`, θ or `dt`, or a
///   window longer than the signal.
public func approximate(
  _ signal: [Double], memory: ApproximationMemory, stateSize n: Int, method: ApproximationMethod
) throws -> OnlineApproximation {
  try Measure.legs.validateStateSize(n)
  guard !signal.isEmpty else { throw HiPPOError.invalidSignal("the signal is empty") }
  guard signal.allSatisfy(\.isFinite) else { throw HiPPOError.nonFinite("signal") }
  var state = [Double](repeating: 0, count: n)
  var reconstruction: [Double] = []
  var target: [Double] = []
  let normalisation = (0..<n).map { (2.0 * Double($0) + 1).squareRoot() }
  func evaluate(at position: Double) -> Double {
    let legendre = legendrePolynomials(upTo: n, at: 2 * position - 1)
    return (0..<n).reduce(0) { $0 + state[$1] * normalisation[$1] * legendre[$1] }
  }
  switch memory {
  case .legs:
    let (a, b) = try Measure.legs.transition(stateSize: n)
    for t in 1...signal.count {
      let time = Double(t)
      if let alpha = method.discretization.alpha {
        state = legsGBTStep(state, a: a, b: b, step: 1 / time, alpha: alpha, input: signal[t - 1])
      } else {
        let (aBar, bBar) = try discretize(a: a, b: b, dt: Double.log(onePlus: 1 / time), method: .zoh)
        state = advance(state, aBar: aBar, bBar: bBar, input: signal[t - 1])
      }
    }
    let length = Double(signal.count)
    reconstruction = signal.indices.map { evaluate(at: (Double($0) + 0.5) / length) }
    target = signal
  case .legt(let theta, let dt):
    let (a, b) = try Measure.legt(theta: theta).transition(stateSize: n)
    let (aBar, bBar) = try discretize(a: a, b: b, dt: dt, method: method.discretization)
    for u in signal { state = advance(state, aBar: aBar, bBar: bBar, input: u) }
    let length = signal.count
    let window = signal.indices.filter { (Double(length - $0) - 0.5) * dt < theta }
    reconstruction = window.map { j in evaluate(at: 1 - (Double(length - j) - 0.5) * dt / theta) }
    target = window.map { signal[$0] }
  }
  let squaredError = zip(reconstruction, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
  return OnlineApproximation(
    state: state, reconstruction: reconstruction, target: target,
    meanSquaredError: squaredError / Double(target.count))
}

/// One LegS step of the GBT family with step `h` (= 1/t):
/// `(I − αhA) c_t = (I + (1−α)hA) c_{t−1} + hB u`, solved by forward
/// substitution because LegS's `A` is lower triangular (O(N²) per step, and
/// backward stable like any triangular solve).
private func legsGBTStep(
  _ state: [Double], a: Matrix<Double>, b: [Double], step h: Double, alpha: Double, input u: Double
) -> [Double] {
  let n = state.count
  var next = [Double](repeating: 0, count: n)
  a.elements.withUnsafeBufferPointer { a in
    for i in 0..<n {
      var explicit = 0.0
      var implicit = 0.0
      for k in 0..<i {
        explicit += a[i * n + k] * state[k]
        implicit += a[i * n + k] * next[k]
      }
      let diagonal = a[i * n + i]
      let rightHandSide =
        state[i] + (1 - alpha) * h * (explicit + diagonal * state[i]) + h * b[i] * u + alpha * h * implicit
      next[i] = rightHandSide / (1 - alpha * h * diagonal)
    }
  }
  return next
}

/// One recurrence step `Ā c + B̄ u`.
private func advance(_ state: [Double], aBar: Matrix<Double>, bBar: [Double], input: Double) -> [Double] {
  let propagated = aBar * state
  return zip(propagated, bBar).map { $0 + $1 * input }
}
