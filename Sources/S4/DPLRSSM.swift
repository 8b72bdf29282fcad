import FFT
import HiPPO
import LinearAlgebra
import Numerics

/// `H` independent diagonal-plus-low-rank systems (S4), each the full
/// conjugate-extended system of size `N = 2M` built from `M` stored modes:
///
///     A = diag(Λ_ext) − P_ext P_extᴴ,   Λ_ext = [λ, λ̄],  P_ext[:, r] = [p_r; p̄_r],
///     B_ext = [B; B̄],  C_ext = [C, C̄],   y = C_ext x (+ D u),
///
/// discretised by the bilinear transform with the channel's `dt`. The low-rank
/// term couples each conjugate pair, so the kernel is that of the full system (it
/// is real, but not `2 Re` of a half-size system). Arrays are row-major: `λ, B, C`
/// are `H × M`, `P` is `H × R × M`.
public struct DPLRSSM: Sendable {
  /// `H`.
  public let channels: Int
  /// `M = N/2` stored modes per channel.
  public let modes: Int
  /// `R ≥ 1`, the rank of the low-rank term.
  public let rank: Int
  /// `λ`, `H × M`, every `Re λ < 0`.
  public let lambda: [Complex<Double>]
  /// `P`, `H × R × M`.
  public let p: [Complex<Double>]
  /// `B`, `H × M`.
  public let b: [Complex<Double>]
  /// `C` (un-tilded), `H × M`.
  public let c: [Complex<Double>]
  /// `dt`, `H`.
  public let dt: [Double]

  /// Validates and stores the parameters; `H = dt.count`, `M = λ.count / H`,
  /// `R = P.count / (H·M)`.
  /// - Throws: ``S4Error`` for disagreeing lengths, rank 0, non-finite values,
  ///   `dt ≤ 0` or `Re λ ≥ 0`.
  public init(
    lambda: [Complex<Double>], p: [Complex<Double>], b: [Complex<Double>], c: [Complex<Double>], dt: [Double]
  ) throws {
    let (channels, modes) = try validateChannels(lambda: lambda, b: b, c: c, dt: dt)
    guard !p.isEmpty, p.count.isMultiple(of: lambda.count) else {
      throw S4Error.shapeMismatch(
        "P has \(p.count) values, expected a positive multiple of \(lambda.count) (rank × H × M)")
    }
    guard p.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("P") }
    self.channels = channels
    self.modes = modes
    self.rank = p.count / lambda.count
    self.lambda = lambda
    self.p = p
    self.b = b
    self.c = c
    self.dt = dt
  }

  /// Every channel uses the HiPPO decomposition's `Λ, P̃, B̃` with output vector
  /// `c` (`M` values) and its own `dt`.
  public init(decomposition: DPLRDecomposition, c: [Complex<Double>], dt: [Double]) throws {
    let repeated = { (values: [Complex<Double>]) in
      Array([[Complex<Double>]](repeating: values, count: dt.count).joined())
    }
    guard c.count == decomposition.lambda.count else {
      throw S4Error.shapeMismatch("C has \(c.count) values, the decomposition \(decomposition.lambda.count) modes")
    }
    try self.init(
      lambda: repeated(decomposition.lambda), p: repeated(decomposition.p.elements), b: repeated(decomposition.b),
      c: repeated(c), dt: dt)
  }

  func range(channel h: Int) -> Range<Int> { (h * modes)..<((h + 1) * modes) }
  func pRange(channel h: Int) -> Range<Int> { (h * rank * modes)..<((h + 1) * rank * modes) }

  /// The dense conjugate-extended continuous system of channel `h`:
  /// `A` (`N × N`), `B_ext`, `C_ext` (`N` each).
  public func extendedSystem(channel h: Int) -> (a: Matrix<Complex<Double>>, b: [Complex<Double>], c: [Complex<Double>])
  {
    let m = modes
    let lambdaExt = extend(Array(lambda[range(channel: h)]))
    let pRows = (0..<rank).map { r in extend(Array(p[(h * rank + r) * m..<(h * rank + r + 1) * m])) }
    let a = Matrix<Complex<Double>>(rows: 2 * m, columns: 2 * m) { i, j in
      var entry = i == j ? lambdaExt[i] : .zero
      for row in pRows { entry = entry - row[i] * row[j].conjugate }
      return entry
    }
    return (a, extend(Array(b[range(channel: h)])), extend(Array(c[range(channel: h)])))
  }

  /// The bilinear discretisation of channel `h`'s extended system, as a dense
  /// reference: `Ā = (I − dt/2·A)⁻¹(I + dt/2·A)`, `B̄ = (I − dt/2·A)⁻¹ dt B_ext`.
  public func discreteSystem(channel h: Int) throws -> DiscreteSSM {
    let (a, bExt, cExt) = extendedSystem(channel: h)
    let (aBar, bBar) = try HiPPO.discretize(a: a, b: bExt, dt: dt[h], method: .bilinear)
    return try DiscreteSSM(aBar: aBar, bBar: bBar, c: cExt)
  }

  /// `C̃ = C (I − Ā^L)` for every channel (`H × M`, the stored half of the
  /// conjugate-symmetric `C̃_ext`): the output vector that makes the truncated
  /// generating function a resolvent, `Σ_{l<L} K_l z^l = C̃ (I − Āz)⁻¹ B̄` at `z^L = 1`.
  public func tildeC(length: Int) throws -> [Complex<Double>] {
    try mapChannels { h in
      let power = try discreteSystem(channel: h).aBar.power(try requirePositive(length))
      let cExt = extend(Array(c[range(channel: h)]))
      return subtract(cExt, power.transposed * cExt)
    }
  }

  /// Inverts ``tildeC(length:)``: `C = C̃ (I − Ā^L)⁻¹` (`H × M`).
  /// - Throws: ``S4Error/singular(_:)`` when `Ā` has an `L`-th root of unity as eigenvalue.
  public func c(fromTildeC tildeC: [Complex<Double>], length: Int) throws -> [Complex<Double>] {
    guard tildeC.count == lambda.count else {
      throw S4Error.shapeMismatch("C̃ has \(tildeC.count) values, expected \(lambda.count)")
    }
    return try mapChannels { h in
      let power = try discreteSystem(channel: h).aBar.power(try requirePositive(length))
      let complement = (Matrix<Complex<Double>>.identity(2 * modes) - power).transposed
      do {
        return try complement.solve(extend(Array(tildeC[range(channel: h)])))
      } catch { throw S4Error.singular("I − Ā^\(length) (channel \(h))") }
    }
  }

  /// `C̃` for a new length `L′` from `C̃` for `L`: `C̃′ = C̃ (I − Ā^L)⁻¹ (I − Ā^{L′})`
  /// (used when a trained model is run on longer sequences).
  public func convertTildeC(_ tildeC: [Complex<Double>], from length: Int, to newLength: Int) throws -> [Complex<
    Double
  >] {
    let plain = try c(fromTildeC: tildeC, length: length)
    return try DPLRSSM(lambda: lambda, p: p, b: b, c: plain, dt: dt).tildeC(length: newLength)
  }

  /// The convolution kernels `K[h, l] = C_ext Ā^l B̄` (`H × L`), by Cauchy sums and
  /// the Woodbury identity at the roots of unity: with `M(z) = (2/dt)(1 − z) I − (1 + z) A`,
  /// `K̂(z) = C̃ M(z)⁻¹ 2B` at `z_k = e^{−2πik/L}`, then an inverse real FFT.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func kernel<Scalar: FFTScalar>(length: Int, as _: Scalar.Type = Double.self) throws -> [Scalar] {
    try kernel(length: length, tildeC: tildeC(length: length), as: Scalar.self)
  }

  /// The kernels from a given `C̃` (`H × M`), as when `C̃` itself is the trained parameter.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func kernel<Scalar: FFTScalar>(length: Int, tildeC: [Complex<Double>], as _: Scalar.Type = Double.self)
    throws -> [Scalar]
  {
    _ = try requirePositive(length)
    guard tildeC.count == lambda.count else {
      throw S4Error.shapeMismatch("C̃ has \(tildeC.count) values, expected \(lambda.count)")
    }
    guard tildeC.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("C̃") }
    return try CauchyKernel(system: self).kernel(tildeC: tildeC, length: length, as: Scalar.self)
  }

  private func mapChannels(_ body: (Int) throws -> [Complex<Double>]) throws -> [Complex<Double>] {
    var result: [Complex<Double>] = []
    result.reserveCapacity(lambda.count)
    for h in 0..<channels { result += try body(h).prefix(modes) }
    return result
  }

  private func requirePositive(_ length: Int) throws -> Int {
    guard length >= 1 else { throw S4Error.invalidSize("kernel length \(length) must be at least 1") }
    return length
  }
}

/// `[v, v̄]`: the conjugate extension of a stored half.
func extend(_ half: [Complex<Double>]) -> [Complex<Double>] { half + half.map(\.conjugate) }

private func subtract(_ x: [Complex<Double>], _ y: [Complex<Double>]) -> [Complex<Double>] {
  zip(x, y).map { $0 - $1 }
}

extension Matrix where Scalar == Complex<Double> {
  /// `Mᵏ` by repeated squaring (`k ≥ 1`): `O(N³ log k)`.
  func power(_ exponent: Int) -> Matrix {
    var result: Matrix? = nil
    var base = self
    var k = exponent
    while k > 0 {
      if k & 1 == 1 { result = result.map { $0 * base } ?? base }
      k >>= 1
      if k > 0 { base = base * base }
    }
    return result ?? .identity(rows)
  }
}
