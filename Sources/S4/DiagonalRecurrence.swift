import FFT
import Numerics
import Parallelism

/// The state of a batch of diagonal systems, `x[b, h, n]` (`B × H × M` complex).
///
/// Stored mode-major, `[(b·M + n)·H + h]`, with separate real and imaginary arrays, so
/// that a step runs `SIMD8` lanes across channels (no horizontal sums). The float32 fast
/// path may store `x/B̄` instead of `x` (one complex multiply fewer per mode and step);
/// ``values`` always returns `x`, and ``init(batch:channels:modes:values:)`` takes `x`,
/// both in `B × H × M` order. Two states are equal when their values are.
public struct DiagonalState<Scalar: FFTScalar>: Sendable, Equatable {
  /// Sequences in the batch.
  public let batch: Int
  /// Channels per sequence.
  public let channels: Int
  /// Stored modes per channel.
  public let modes: Int
  /// Stored real parts, mode-major `B × M × H` (of `x`, or of `x/s` with `s = scaling`).
  var real: [Scalar]
  /// Stored imaginary parts, likewise.
  var imaginary: [Scalar]
  /// `s` (mode-major `M × H`) when the stored values are `x/s`; `nil` when they are `x`.
  var scaling: StateScaling<Scalar>?

  /// The zero state `x_{−1} = 0`.
  public init(batch: Int, channels: Int, modes: Int) {
    self.batch = batch
    self.channels = channels
    self.modes = modes
    real = [Scalar](repeating: 0, count: batch * channels * modes)
    imaginary = real
  }

  /// A state from complex values in `B × H × M` order.
  public init(batch: Int, channels: Int, modes: Int, values: [Complex<Scalar>]) throws {
    guard values.count == batch * channels * modes else {
      throw S4Error.shapeMismatch("state has \(values.count) values, expected \(batch) × \(channels) × \(modes)")
    }
    guard values.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("state") }
    self.init(batch: batch, channels: channels, modes: modes)
    for b in 0..<batch {
      for h in 0..<channels {
        for n in 0..<modes {
          let value = values[(b * channels + h) * modes + n]
          real[storageIndex(b, h, n)] = value.real
          imaginary[storageIndex(b, h, n)] = value.imaginary
        }
      }
    }
  }

  /// The state `x` as complex values in `B × H × M` order.
  public var values: [Complex<Scalar>] {
    var result = [Complex<Scalar>]()
    result.reserveCapacity(real.count)
    for b in 0..<batch {
      for h in 0..<channels {
        for n in 0..<modes { result.append(value(b, h, n)) }
      }
    }
    return result
  }

  /// `x[b, h, n]`.
  private func value(_ b: Int, _ h: Int, _ n: Int) -> Complex<Scalar> {
    let stored = Complex(real[storageIndex(b, h, n)], imaginary[storageIndex(b, h, n)])
    guard let scaling else { return stored }
    return stored * Complex(scaling.real[n * channels + h], scaling.imaginary[n * channels + h])
  }

  /// Re-expresses the stored values for `target` (`x/s`, or `x` when `nil`).
  mutating func rescale(to target: StateScaling<Scalar>?) {
    guard scaling !== target else { return }
    for b in 0..<batch {
      for n in 0..<modes {
        for h in 0..<channels {
          var x = value(b, h, n)
          if let target { x = x / Complex(target.real[n * channels + h], target.imaginary[n * channels + h]) }
          real[storageIndex(b, h, n)] = x.real
          imaginary[storageIndex(b, h, n)] = x.imaginary
        }
      }
    }
    scaling = target
  }

  func storageIndex(_ b: Int, _ h: Int, _ n: Int) -> Int { (b * modes + n) * channels + h }

  public static func == (lhs: DiagonalState, rhs: DiagonalState) -> Bool {
    lhs.batch == rhs.batch && lhs.channels == rhs.channels && lhs.modes == rhs.modes && lhs.values == rhs.values
  }
}

/// A per-mode complex factor `s` (mode-major `M × H`) of a scaled ``DiagonalState``; compared
/// by identity, so checking that a state matches its recurrence costs nothing per step.
final class StateScaling<Scalar: FFTScalar>: Sendable {
  let real: [Scalar]
  let imaginary: [Scalar]

  init(real: [Scalar], imaginary: [Scalar]) {
    self.real = real
    self.imaginary = imaginary
  }
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
  /// The float32 fast path's coefficients for the state `z = x/B̄`, eight channels per group
  /// and group-major: `[(g·M + n)·32 + k·8 + lane]` for `k` = Re Ā, Im Ā, Re 2CB̄, Im 2CB̄
  /// (`z ← Ā z + u`, `y = Re Σ 2CB̄ z`): one contiguous stream per group. Empty when not used.
  let packed: [Scalar]
  /// `B̄` (mode-major) when the fast path runs on `z = x/B̄`: float32, every channel in a
  /// group of eight, and no `B̄ = 0`; `nil` otherwise.
  let scaling: StateScaling<Scalar>?

  /// Discretises `system` (its own ZOH or bilinear rule) for stepping.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public init(_ system: DiagonalSSM, as _: Scalar.Type = Scalar.self) {
    let (aBar, bBar) = system.discretized()
    let (channels, modes) = (system.channels, system.modes)
    self.channels = channels
    self.modes = modes
    // Mode-major (`[n·H + h]`), matching the state's layout.
    let modeMajor = { (values: [Complex<Double>], part: (Complex<Double>) -> Double) -> [Scalar] in
      (0..<(channels * modes)).map { index in
        let (n, h) = index.quotientAndRemainder(dividingBy: channels)
        return Scalar(part(values[h * modes + n]))
      }
    }
    aRe = modeMajor(aBar, \.real)
    aIm = modeMajor(aBar, \.imaginary)
    bRe = modeMajor(bBar, \.real)
    bIm = modeMajor(bBar, \.imaginary)
    cRe = modeMajor(system.c) { 2 * $0.real }
    cIm = modeMajor(system.c) { 2 * $0.imaginary }
    let foldable =
      Scalar.self == Float.self && channels.isMultiple(of: 8) && bBar.allSatisfy { $0.real != 0 || $0.imaginary != 0 }
    if foldable {
      let weights = zip(system.c, bBar).map { Complex(2, 0) * $0 * $1 }  // 2 C B̄, in float64
      packed = Float32Kernels.packedCoefficients(
        [aRe, aIm, modeMajor(weights, \.real), modeMajor(weights, \.imaginary)].map { $0.map { Float($0) } },
        channels: channels, modes: modes
      ).map { Scalar($0) }
      scaling = StateScaling(real: bRe, imaginary: bIm)
    } else {
      packed = []
      scaling = nil
    }
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
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func step(_ u: [Scalar], skip: [Scalar]? = nil, state: inout DiagonalState<Scalar>) throws -> [Scalar] {
    try [Scalar](unsafeUninitializedCapacity: u.count) { output, count in
      try u.withUnsafeBufferPointer { try step($0, skip: skip, state: &state, into: output) }
      count = u.count
    }
  }

  /// ``step(_:skip:state:)`` from and into buffers of `B × H` values (no allocation): the step
  /// of a decoder that keeps its activations in preallocated memory.
  /// - Throws: ``S4Error`` for sizes that do not match the state or a non-finite input or `D`.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func step(
    _ u: UnsafeBufferPointer<Scalar>, skip: [Scalar]? = nil, state: inout DiagonalState<Scalar>,
    into output: UnsafeMutableBufferPointer<Scalar>
  ) throws {
    try validate(u: u, length: 1, skip: skip, state: state)
    guard output.count == u.count else {
      throw S4Error.shapeMismatch("output has \(output.count) values, expected \(u.count)")
    }
    state.rescale(to: scaling)
    // Tokens are already `B × H` contiguous: no gather, and no threads unless the
    // batch is large enough to pay for them (one step of B = 1 takes ~2 µs).
    let (h, m) = (channels, modes)
    state.real.withUnsafeMutableBufferPointer { re in
      state.imaginary.withUnsafeMutableBufferPointer { im in
        let shared = (
          input: SharedPointer(UnsafeMutablePointer(mutating: u.baseAddress!)),
          output: SharedPointer(output.baseAddress!), re: SharedPointer(re.baseAddress!),
          im: SharedPointer(im.baseAddress!)
        )
        // A local function, not a closure value: its captures stay on the stack (a closure
        // stored in a constant gets a heap context every step).
        @Sendable func sequences(_ range: Range<Int>) {
          for b in range {
            let (tokens, outputs) = (shared.input.base + b * h, shared.output.base + b * h)
            advance(
              channels: 0..<h, re: shared.re.base + b * m * h, im: shared.im.base + b * m * h, inputs: tokens,
              outputs: outputs)
            if let skip {
              for j in 0..<h { outputs[j] += skip[j] * tokens[j] }
            }
          }
        }
        let batch = state.batch
        if batch * h * m < 65_536 {
          sequences(0..<batch)
        } else {
          forEachChunk(of: batch, minimumChunk: max(1, 16_384 / (h * m)), sequences)
        }
      }
    }
  }

  /// A whole sequence: `u` is `B × H × L` (as `SignalShape`), starting from `state`,
  /// which ends as `x_{L−1}`. Blocks of channels of each sequence run in parallel
  /// over the cores when the work is large enough to pay for the threads.
  ///
  /// - Returns: `y`, `B × H × L`.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func run(_ u: [Scalar], length: Int, skip: [Scalar]? = nil, state: inout DiagonalState<Scalar>) throws
    -> [Scalar]
  {
    try validate(u: u, length: length, skip: skip, state: state)
    state.rescale(to: scaling)
    let blockWidth = 64
    let blocks = (channels + blockWidth - 1) / blockWidth
    var y = [Scalar](repeating: 0, count: u.count)
    let (h, m) = (channels, modes)
    let zeros = [Scalar](repeating: 0, count: channels)
    u.withUnsafeBufferPointer { input in
      y.withUnsafeMutableBufferPointer { output in
        state.real.withUnsafeMutableBufferPointer { re in
          state.imaginary.withUnsafeMutableBufferPointer { im in
            (skip ?? zeros).withUnsafeBufferPointer { d in
              let shared = (
                input: SharedPointer(UnsafeMutablePointer(mutating: input.baseAddress!)),
                output: SharedPointer(output.baseAddress!), re: SharedPointer(re.baseAddress!),
                im: SharedPointer(im.baseAddress!), d: SharedPointer(UnsafeMutablePointer(mutating: d.baseAddress!))
              )
              let work = min(blockWidth, h) * m * length
              forEachChunk(of: state.batch * blocks, minimumChunk: max(1, 16_384 / work)) { items in
                withUnsafeTemporaryAllocation(of: Scalar.self, capacity: 2 * blockWidth) { buffer in
                  let (tokens, outputs) = (buffer.baseAddress!, buffer.baseAddress! + blockWidth)
                  for item in items {
                    let (b, block) = item.quotientAndRemainder(dividingBy: blocks)
                    let first = block * blockWidth
                    let width = min(blockWidth, h - first)
                    let rows = shared.input.base + (b * h + first) * length
                    for t in 0..<length {
                      for j in 0..<width { tokens[j] = rows[j * length + t] }
                      advance(
                        channels: first..<(first + width), re: shared.re.base + b * m * h,
                        im: shared.im.base + b * m * h, inputs: tokens, outputs: outputs)
                      let out = shared.output.base + (b * h + first) * length
                      for j in 0..<width { out[j * length + t] = outputs[j] + shared.d.base[first + j] * tokens[j] }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return y
  }

  /// Updates the modes of channels `range` of one sequence (state base `re`, `im`,
  /// mode-major) with `inputs[j]` for channel `range.lowerBound + j`, and writes
  /// `outputs[j] = 2 Re Σ_n C x`. Float32 runs eight channels per `SIMD8` lane group
  /// (``Float32Kernels/diagonalStep(packed:firstGroup:groups:channels:modes:re:im:inputs:outputs:)``);
  /// float64 and leftover channels take the plain loop below, whose inner loop over
  /// contiguous channels LLVM vectorises.
  @inline(__always)
  private func advance(
    channels range: Range<Int>, re: UnsafeMutablePointer<Scalar>, im: UnsafeMutablePointer<Scalar>,
    inputs: UnsafeMutablePointer<Scalar>, outputs: UnsafeMutablePointer<Scalar>
  ) {
    aRe.withUnsafeBufferPointer { ar in
      aIm.withUnsafeBufferPointer { ai in
        bRe.withUnsafeBufferPointer { br in
          bIm.withUnsafeBufferPointer { bi in
            cRe.withUnsafeBufferPointer { cr in
              cIm.withUnsafeBufferPointer { ci in
                var done = 0
                if scaling != nil {
                  // The fast path covers whole groups only (channels is a multiple of 8).
                  let groups = range.count / 8
                  packed.withUnsafeBufferPointer { packed in
                    Float32Kernels.diagonalStep(
                      packed: UnsafeRawPointer(packed.baseAddress!).assumingMemoryBound(to: Float.self),
                      firstGroup: range.lowerBound / 8, groups: groups, channels: channels, modes: modes,
                      re: UnsafeMutableRawPointer(re).assumingMemoryBound(to: Float.self),
                      im: UnsafeMutableRawPointer(im).assumingMemoryBound(to: Float.self),
                      inputs: UnsafeRawPointer(inputs).assumingMemoryBound(to: Float.self),
                      outputs: UnsafeMutableRawPointer(outputs).assumingMemoryBound(to: Float.self))
                  }
                  done = 8 * groups
                }
                let width = range.count - done
                guard width > 0 else { return }
                let (inputs, outputs) = (inputs + done, outputs + done)
                outputs.update(repeating: 0, count: width)
                for n in 0..<modes {
                  let offset = n * channels + range.lowerBound + done
                  let (xr, xi) = (re + offset, im + offset)
                  let (ar, ai) = (ar.baseAddress! + offset, ai.baseAddress! + offset)
                  let (br, bi) = (br.baseAddress! + offset, bi.baseAddress! + offset)
                  let (cr, ci) = (cr.baseAddress! + offset, ci.baseAddress! + offset)
                  for j in 0..<width {
                    let (real, imaginary, u) = (xr[j], xi[j], inputs[j])
                    let nextReal = ar[j] * real - ai[j] * imaginary + br[j] * u
                    let nextImaginary = ar[j] * imaginary + ai[j] * real + bi[j] * u
                    xr[j] = nextReal
                    xi[j] = nextImaginary
                    outputs[j] += cr[j] * nextReal - ci[j] * nextImaginary
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  private func validate(u: some Collection<Scalar>, length: Int, skip: [Scalar]?, state: DiagonalState<Scalar>)
    throws
  {
    try validateDiagonalChunk(u: u, length: length, skip: skip, state: state, channels: channels, modes: modes)
  }
}

/// Checks a chunk `u` (`B × H × L`, `B` = the state's batch) and `D` for a diagonal system of
/// `channels × modes` started from `state`: sizes agree, every value is finite.
func validateDiagonalChunk<Scalar: FFTScalar>(
  u: some Collection<Scalar>, length: Int, skip: [Scalar]?, state: DiagonalState<Scalar>, channels: Int, modes: Int
) throws {
  guard length >= 1 else { throw S4Error.invalidSize("sequence length \(length) must be at least 1") }
  guard state.batch >= 1 else { throw S4Error.invalidSize("the state holds no sequences (batch \(state.batch))") }
  guard state.channels == channels, state.modes == modes else {
    throw S4Error.shapeMismatch(
      "state is for \(state.channels) channels × \(state.modes) modes, the system has \(channels) × \(modes)")
  }
  guard u.count == state.batch * channels * length else {
    throw S4Error.shapeMismatch("u has \(u.count) values, expected \(state.batch) × \(channels) × \(length)")
  }
  guard allFinite(u) else { throw S4Error.nonFinite("input u") }
  if let skip {
    guard skip.count == channels else {
      throw S4Error.shapeMismatch("D has \(skip.count) values, expected \(channels)")
    }
    guard allFinite(skip) else { throw S4Error.nonFinite("D") }
  }
}

/// Whether every value is finite, as a branch-free OR over the array (LLVM vectorises it;
/// this check runs on every recurrent step).
@inline(__always)
func allFinite<Scalar: FFTScalar>(_ values: some Collection<Scalar>) -> Bool {
  var invalid: UInt8 = 0
  for value in values { invalid |= value.isFinite ? 0 : 1 }
  return invalid == 0
}
