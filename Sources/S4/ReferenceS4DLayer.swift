import Foundation
import Numerics

/// An S4D layer written to be read: the equations of the S4D paper (Gu, Gupta, Goel, Ré 2022) as small functions
/// with plain float64 loops and no FFT, in the spirit of the official `s4d.py` and the Annotated S4. Tests use it as
/// the oracle for the fast float32 layer and its gradients; it costs `O(B·H·L²)`, so it is not for training.
///
/// The parameters have the fast layer's names, shapes and row-major layout, complex values stored as
/// `(real, imaginary)` pairs, for `H` channels, `M = N/2` stored modes (one member of each conjugate pair) and
/// `S` systems (`S = H`, or `2H` when bidirectional):
///
/// - `logNegativeRealLambda` `r`, `S × M`, and `imaginaryLambda` `m`, `S × M`: `λ = −exp(r) + i·m`;
/// - `b` `B`, `S × M × 2`, and `c` `C`, `S × M × 2` (`C` is never conjugated);
/// - `logDt` `log dt`, `S`; `skip` `D`, `H`.
///
/// A bidirectional layer reads channel `h` causally with system `h` (kernel `K`) and anti-causally with system
/// `H + h` (kernel `K̃`): `y_t = Σ_{s≤t} K_{t−s} u_s + Σ_{s>t} K̃_{s−t−1} u_s + D u_t`. It reads the future, so it
/// has no recurrent mode.
public struct ReferenceS4DLayer: Sendable {
  /// `H`.
  public let channels: Int
  /// `M = N/2`.
  public let modes: Int
  /// Whether the layer has `2H` systems, the last `H` anti-causal.
  public let bidirectional: Bool
  /// `r = log(−Re λ)`, `S × M`.
  public let logNegativeRealLambda: [Double]
  /// `m = Im λ`, `S × M`.
  public let imaginaryLambda: [Double]
  /// `B`, `S × M × 2`.
  public let b: [Double]
  /// `C`, `S × M × 2`.
  public let c: [Double]
  /// `log dt`, `S`.
  public let logDt: [Double]
  /// `D`, `H`.
  public let skip: [Double]

  /// A layer with `H = skip.count` channels and `M = logNegativeRealLambda.count / S` modes.
  /// - Throws: ``S4Error`` for lengths that disagree with `(H, M, S)`, non-finite values, or an `r` or `log dt`
  ///   so large or small that `exp` leaves `(0, ∞)`.
  public init(
    logNegativeRealLambda: [Double], imaginaryLambda: [Double], b: [Double], c: [Double], logDt: [Double],
    skip: [Double], bidirectional: Bool = false
  ) throws {
    let (channels, systems) = (skip.count, bidirectional ? 2 * skip.count : skip.count)
    guard channels >= 1, logNegativeRealLambda.count >= systems, logNegativeRealLambda.count.isMultiple(of: systems)
    else { throw S4Error.invalidSize("\(logNegativeRealLambda.count) values of r for \(systems) systems") }
    let modes = logNegativeRealLambda.count / systems
    let given = [imaginaryLambda.count, b.count, c.count, logDt.count]
    guard given == [systems * modes, 2 * systems * modes, 2 * systems * modes, systems] else {
      throw S4Error.shapeMismatch("Im λ, B, C, log dt have \(given) values for \(systems) systems × \(modes) modes")
    }
    for (name, values) in [("r", logNegativeRealLambda), ("Im λ", imaginaryLambda), ("B", b), ("C", c), ("D", skip)]
    where !values.allSatisfy(\.isFinite) { throw S4Error.nonFinite(name) }
    for (index, r) in logNegativeRealLambda.enumerated() where !(Foundation.exp(r) > 0 && Foundation.exp(r).isFinite) {
      throw S4Error.unstableMode(channel: index / modes, mode: index % modes, real: -Foundation.exp(r))
    }
    for (system, s) in logDt.enumerated() where !(Foundation.exp(s) > 0 && Foundation.exp(s).isFinite) {
      throw S4Error.invalidTimeStep(channel: system, value: Foundation.exp(s))
    }
    (self.channels, self.modes, self.bidirectional) = (channels, modes, bidirectional)
    (self.logNegativeRealLambda, self.imaginaryLambda, self.b, self.c) = (logNegativeRealLambda, imaginaryLambda, b, c)
    (self.logDt, self.skip) = (logDt, skip)
  }

  /// `S`: `H`, or `2H` when bidirectional.
  public var systems: Int { logDt.count }

  /// The eigenvalues of system `s`: `λ_n = −exp(r_n) + i·m_n` (`M` values, `Re λ < 0` by construction).
  public func eigenvalues(system s: Int) -> [Complex<Double>] {
    (0..<modes).map { n in
      Complex(-Foundation.exp(logNegativeRealLambda[s * modes + n]), imaginaryLambda[s * modes + n])
    }
  }

  /// Zero-order hold of system `s` with `dt = exp(log dt_s)`:
  /// `Ā_n = exp(dt λ_n)`, `B̄_n = (exp(dt λ_n) − 1)/λ_n · B_n` (`M` values each).
  public func discretize(system s: Int) -> (aBar: [Complex<Double>], bBar: [Complex<Double>]) {
    let dt = Complex(Foundation.exp(logDt[s]), 0)
    let (lambda, b) = (eigenvalues(system: s), Self.complexValues(self.b, system: s, modes: modes))
    return (lambda.map { .exp(dt * $0) }, (0..<modes).map { n in .expMinusOne(dt * lambda[n]) / lambda[n] * b[n] })
  }

  /// The convolution kernel of system `s` as a Vandermonde sum: `K_l = 2 Re Σ_n C_n B̄_n Ā_n^l`, `l = 0 … L − 1`.
  public func kernel(system s: Int, length: Int) -> [Double] {
    let (aBar, bBar) = discretize(system: s)
    let c = Self.complexValues(self.c, system: s, modes: modes)
    var kernel = [Double](repeating: 0, count: length)
    for n in 0..<modes {
      var power = Complex<Double>(1, 0)  // Ā_n^l
      for l in 0..<length {
        kernel[l] += 2 * (c[n] * bBar[n] * power).real
        power = power * aBar[n]
      }
    }
    return kernel
  }

  /// The direct causal convolution of one sequence `u` (`L` values) with skip:
  /// `y_t = Σ_{s≤t} K_{t−s} u_s + D u_t`.
  public static func causalConvolution(_ u: [Double], kernel: [Double], skip: Double) -> [Double] {
    (0..<u.count).map { t in (0...t).reduce(skip * u[t]) { sum, s in sum + kernel[t - s] * u[s] } }
  }

  /// The direct anti-causal convolution of one sequence `u` (`L` values): `y_t = Σ_{s>t} K̃_{s−t−1} u_s`.
  public static func antiCausalConvolution(_ u: [Double], kernel: [Double]) -> [Double] {
    (0..<u.count).map { t in ((t + 1)..<u.count).reduce(0) { sum, s in sum + kernel[s - t - 1] * u[s] } }
  }

  /// The layer's output for `u` (`B × H × L`, row-major), `B × H × L`: every row convolved with its channel's
  /// kernel(s) and skip.
  /// - Throws: ``S4Error`` for `B` or `L` below 1, `u.count ≠ B·H·L`, or non-finite inputs.
  public func forward(_ u: [Double], batch: Int, length: Int) throws -> [Double] {
    guard batch >= 1, length >= 1 else { throw S4Error.invalidSize("batch \(batch) and length \(length) below 1") }
    guard u.count == batch * channels * length else {
      throw S4Error.shapeMismatch("u has \(u.count) values, expected \(batch) × \(channels) × \(length)")
    }
    guard u.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("u") }
    let kernels = (0..<systems).map { kernel(system: $0, length: length) }
    return (0..<(batch * channels)).flatMap { row -> [Double] in
      let (h, sequence) = (row % channels, Array(u[(row * length)..<((row + 1) * length)]))
      let causal = Self.causalConvolution(sequence, kernel: kernels[h], skip: skip[h])
      guard bidirectional else { return causal }
      return zip(causal, Self.antiCausalConvolution(sequence, kernel: kernels[channels + h])).map(+)
    }
  }

  /// The zero state `x_{−1} = 0` of `B` sequences, `B × H × M`.
  public func initialState(batch: Int) -> [Complex<Double>] { Array(repeating: .zero, count: batch * channels * modes) }

  /// One recurrent step for `B` sequences, `u_k` `B × H` and `state` `B × H × M` (`x_{k−1}` in, `x_k` out):
  /// `x_k = Ā x_{k−1} + B̄ u_k`, `y_k = 2 Re(C x_k) + D u_k` (`B × H`).
  /// - Throws: ``S4Error`` for a bidirectional layer, or `u`, `state` of disagreeing lengths.
  public func step(_ u: [Double], state: inout [Complex<Double>]) throws -> [Double] {
    guard !bidirectional else {
      throw S4Error.shapeMismatch("a recurrence needs \(channels) causal systems; a bidirectional layer has \(systems)")
    }
    guard !u.isEmpty, u.count.isMultiple(of: channels), state.count == u.count * modes else {
      throw S4Error.shapeMismatch("u has \(u.count) values and the state \(state.count) for \(channels) × \(modes)")
    }
    let discrete = (0..<channels).map { discretize(system: $0) }
    let c = (0..<channels).map { Self.complexValues(self.c, system: $0, modes: modes) }
    return u.indices.map { row in
      let h = row % channels
      var y = skip[h] * u[row]
      for n in 0..<modes {
        let i = row * modes + n
        state[i] = discrete[h].aBar[n] * state[i] + discrete[h].bBar[n] * Complex(u[row], 0)
        y += 2 * (c[h][n] * state[i]).real
      }
      return y
    }
  }

  /// The `M` complex values of system `s` in a `S × M × 2` array.
  private static func complexValues(_ pairs: [Double], system s: Int, modes: Int) -> [Complex<Double>] {
    (0..<modes).map { n in Complex(pairs[2 * (s * modes + n)], pairs[2 * (s * modes + n) + 1]) }
  }
}
