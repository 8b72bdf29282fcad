import FFT
import Numerics
import Parallelism

/// The state of a batch of diagonal systems: `x[b, h, n]` (`B × H × M` complex),
/// stored as separate real and imaginary arrays so the step vectorises.
public struct DiagonalState<Scalar: FFTScalar>: Sendable, Equatable {
  /// Sequences in the batch.
  public let batch: Int
  /// Channels per sequence.
  public let channels: Int
  /// Stored modes per channel.
  public let modes: Int
  /// `Re x`, `B × H × M` row-major.
  public var real: [Scalar]
  /// `Im x`, `B × H × M` row-major.
  public var imaginary: [Scalar]

  /// The zero state `x_{−1} = 0`.
  public init(batch: Int, channels: Int, modes: Int) {
    self.batch = batch
    self.channels = channels
    self.modes = modes
    real = [Scalar](repeating: 0, count: batch * channels * modes)
    imaginary = real
  }

  /// A state from complex values (`B × H × M`).
  public init(batch: Int, channels: Int, modes: Int, values: [Complex<Scalar>]) throws {
    guard values.count == batch * channels * modes else {
      throw S4Error.shapeMismatch("state has \(values.count) values, expected \(batch) × \(channels) × \(modes)")
    }
    guard values.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("state") }
    self.batch = batch
    self.channels = channels
    self.modes = modes
    real = values.map(\.real)
    imaginary = values.map(\.imaginary)
  }

  /// The state as complex values (`B × H × M`).
  public var values: [Complex<Scalar>] { zip(real, imaginary).map { Complex($0, $1) } }
}

/// Recurrent (step-by-step) evaluation of a ``DiagonalSSM`` in precision `Scalar`:
///
///     x_{k,n} = Ā_n x_{k−1,n} + B̄_n u_k,   y_k = 2 Re Σ_n C_n x_{k,n} + D u_k,
///
/// `O(M)` work per channel and token. Coefficients are discretised in float64 and
/// rounded once; the loop runs on split real/imaginary arrays in `SIMD8` chunks.
public struct DiagonalRecurrence<Scalar: FFTScalar>: Sendable {
  /// `H`.
  public let channels: Int
  /// `M`.
  public let modes: Int
  let aRe: [Scalar]
  let aIm: [Scalar]
  let bRe: [Scalar]
  let bIm: [Scalar]
  /// `2C` (the factor 2 of `2 Re`).
  let cRe: [Scalar]
  let cIm: [Scalar]

  /// Discretises `system` (its own ZOH or bilinear rule) for stepping.
  public init(_ system: DiagonalSSM, as _: Scalar.Type = Scalar.self) {
    let (aBar, bBar) = system.discretized()
    channels = system.channels
    modes = system.modes
    aRe = aBar.map { Scalar($0.real) }
    aIm = aBar.map { Scalar($0.imaginary) }
    bRe = bBar.map { Scalar($0.real) }
    bIm = bBar.map { Scalar($0.imaginary) }
    cRe = system.c.map { Scalar(2 * $0.real) }
    cIm = system.c.map { Scalar(2 * $0.imaginary) }
  }

  /// A zero state for `batch` sequences.
  public func initialState(batch: Int) -> DiagonalState<Scalar> {
    DiagonalState(batch: batch, channels: channels, modes: modes)
  }

  /// One token for every sequence and channel.
  ///
  /// - Parameters:
  ///   - u: `B × H` inputs.
  ///   - skip: `D`, `H` values (or `nil`).
  ///   - state: `x_{k−1}`, replaced by `x_k`.
  /// - Returns: `y_k`, `B × H`.
  public func step(_ u: [Scalar], skip: [Scalar]? = nil, state: inout DiagonalState<Scalar>) throws -> [Scalar] {
    try run(u, length: 1, skip: skip, state: &state)
  }

  /// A whole sequence: `u` is `B × H × L` (as ``SignalShape``), starting from `state`,
  /// which ends as `x_{L−1}`. Rows run in parallel over the cores when large.
  ///
  /// - Returns: `y`, `B × H × L`.
  public func run(_ u: [Scalar], length: Int, skip: [Scalar]? = nil, state: inout DiagonalState<Scalar>) throws
    -> [Scalar]
  {
    try validate(u: u, length: length, skip: skip, state: state)
    let rows = state.batch * channels
    var y = [Scalar](repeating: 0, count: u.count)
    let m = modes
    u.withUnsafeBufferPointer { input in
      y.withUnsafeMutableBufferPointer { output in
        state.real.withUnsafeMutableBufferPointer { re in
          state.imaginary.withUnsafeMutableBufferPointer { im in
            let shared = (
              input: SharedPointer(UnsafeMutablePointer(mutating: input.baseAddress!)),
              output: SharedPointer(output.baseAddress!), re: SharedPointer(re.baseAddress!),
              im: SharedPointer(im.baseAddress!)
            )
            forEachChunk(of: rows, minimumChunk: max(1, 32_768 / max(1, m * length))) { range in
              for row in range {
                let h = row % channels
                let d = skip?[h] ?? 0
                for t in 0..<length {
                  let value = shared.input.base[row * length + t]
                  let sum = advance(
                    channel: h, re: shared.re.base + row * m, im: shared.im.base + row * m, input: value)
                  shared.output.base[row * length + t] = sum + d * value
                }
              }
            }
          }
        }
      }
    }
    return y
  }

  /// Updates one row's `M` modes with input `u` and returns `2 Re Σ C x`.
  @inline(__always)
  private func advance(
    channel h: Int, re: UnsafeMutablePointer<Scalar>, im: UnsafeMutablePointer<Scalar>, input u: Scalar
  ) -> Scalar {
    aRe.withUnsafeBufferPointer { ar in
      aIm.withUnsafeBufferPointer { ai in
        bRe.withUnsafeBufferPointer { br in
          bIm.withUnsafeBufferPointer { bi in
            cRe.withUnsafeBufferPointer { cr in
              cIm.withUnsafeBufferPointer { ci in
                let base = h * modes
                let (ar, ai) = (ar.baseAddress! + base, ai.baseAddress! + base)
                let (br, bi) = (br.baseAddress! + base, bi.baseAddress! + base)
                let (cr, ci) = (cr.baseAddress! + base, ci.baseAddress! + base)
                let uu = SIMD8<Scalar>(repeating: u)
                var accumulator = SIMD8<Scalar>()
                var n = 0
                while n + 8 <= modes {
                  let xr = load(UnsafePointer(re + n))
                  let xi = load(UnsafePointer(im + n))
                  let (a, b) = (load(ar + n), load(ai + n))
                  let nr = a * xr - b * xi + load(br + n) * uu
                  let ni = a * xi + b * xr + load(bi + n) * uu
                  store(nr, re + n)
                  store(ni, im + n)
                  accumulator += load(cr + n) * nr - load(ci + n) * ni
                  n += 8
                }
                var sum = accumulator.sum()
                while n < modes {
                  let (xr, xi) = (re[n], im[n])
                  let nr = ar[n] * xr - ai[n] * xi + br[n] * u
                  let ni = ar[n] * xi + ai[n] * xr + bi[n] * u
                  re[n] = nr
                  im[n] = ni
                  sum += cr[n] * nr - ci[n] * ni
                  n += 1
                }
                return sum
              }
            }
          }
        }
      }
    }
  }

  private func validate(u: [Scalar], length: Int, skip: [Scalar]?, state: DiagonalState<Scalar>) throws {
    guard length >= 1 else { throw S4Error.invalidSize("sequence length \(length) must be at least 1") }
    guard state.channels == channels, state.modes == modes else {
      throw S4Error.shapeMismatch(
        "state is for \(state.channels) channels × \(state.modes) modes, the system has \(channels) × \(modes)")
    }
    guard u.count == state.batch * channels * length else {
      throw S4Error.shapeMismatch("u has \(u.count) values, expected \(state.batch) × \(channels) × \(length)")
    }
    guard u.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("input u") }
    if let skip {
      guard skip.count == channels else {
        throw S4Error.shapeMismatch("D has \(skip.count) values, expected \(channels)")
      }
      guard skip.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("D") }
    }
  }
}

@inline(__always)
private func load<Scalar: FFTScalar>(_ pointer: UnsafePointer<Scalar>) -> SIMD8<Scalar> {
  UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Scalar>.self)
}

@inline(__always)
private func store<Scalar: FFTScalar>(_ value: SIMD8<Scalar>, _ pointer: UnsafeMutablePointer<Scalar>) {
  UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Scalar>.self)
}
