import Autodiff
import Parallelism

/// The sizes of a selective scan: `B` sequences of `L` positions, `D` channels, `N` states per channel.
public struct SelectiveScanShape: Sendable, Equatable {
  /// Sequences `B`.
  public let batch: Int
  /// Positions `L`.
  public let length: Int
  /// Channels `D`.
  public let channels: Int
  /// States per channel `N`.
  public let stateSize: Int
}

/// The float32 kernels of Mamba's selective scan (S6) over `B` sequences, `L` positions, `D` channels and `N`
/// states per channel (layouts row-major: `u`, `Δ`, `y` are `B × L × D`; `B`, `C` are `B × L × N`; the state
/// is `B × D × N`):
///
///     x_t = exp(Δ_t A) ⊙ x_{t−1} + Δ_t B_t u_t      (per channel d: x_t[d, n], Ā = exp(Δ_t[d] A[d, n]))
///     y_t = C_t · x_t + D ⊙ u_t                      (y_t[d] = Σ_n C_t[n] x_t[d, n] + D[d] u_t[d])
///
/// with `A` zero-order held and `B` discretised Euler-style (`B̄ = Δ B`), as the reference implementation
/// of the Mamba paper. Channels run eight at a time in `SIMD8` lanes (the sum over `n` then needs no
/// horizontal reduction), work items are (sequence, channel block) pairs split over the cores; every sum
/// runs in a fixed order, so the results do not depend on the number of cores.
enum SelectiveScanKernel {
  /// Channels per backward work item: the item's sums of `∂ℒ/∂B` and `∂ℒ/∂C` over its channels are one
  /// partial sum, and the partial sums of the items of a sequence are added in order afterwards.
  static let groupChannels = 64

  /// The output `y` (`B × L × D`) and the final state `x_{L−1}` (`B × D × N`) from `initial` (`x_{−1}`,
  /// `B × D × N`, zeros when `nil`). `transitionT` is `Aᵀ` (`N × D`).
  static func forward(
    u: [Float], delta: [Float], transitionT: [Float], b: [Float], c: [Float], skip: [Float], initial: [Float]?,
    shape: SelectiveScanShape
  ) -> (output: [Float], finalState: [Float]) {
    let (batch, length, channels, n) = (shape.batch, shape.length, shape.channels, shape.stateSize)
    let blocks = (channels + 7) / 8
    let results = zeroedArrays(counts: [batch * length * channels, batch * channels * n]) { results in
      let (y, last) = (results[0], results[1])
      withPointers(u, delta, transitionT, b, c, skip, initial ?? []) { u, delta, aT, b, c, skip, x0 in
        forEachChunk(of: batch * blocks, minimumChunk: max(1, 32_768 / max(1, length * n * 8))) { items in
          let state = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: n)
          let a = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: n)
          defer {
            state.deallocate()
            a.deallocate()
          }
          for item in items {
            let (sequence, d0) = (item / blocks, (item % blocks) * 8)
            let lanes = min(8, channels - d0)
            load(
              block: d0, lanes: lanes, sequence: sequence, transitionT: aT, initial: x0, shape: shape, a: a,
              state: state)
            let skipLanes = VectorMath.load(skip.base + d0, lanes: lanes)
            for t in 0..<length {
              let row = sequence * length + t
              let dt = VectorMath.load(delta.base + row * channels + d0, lanes: lanes)
              let input = VectorMath.load(u.base + row * channels + d0, lanes: lanes)
              let (du, bRow, cRow) = (dt * input, b.base + row * n, c.base + row * n)
              var sum = skipLanes * input
              for k in 0..<n {
                let x = VectorMath.exp(dt * a[k]) * state[k] + du * bRow[k]
                state[k] = x
                sum += x * cRow[k]
              }
              VectorMath.store(sum, to: y.base + row * channels + d0, lanes: lanes)
            }
            for lane in 0..<lanes {
              for k in 0..<n { last.base[(sequence * channels + d0 + lane) * n + k] = state[k][lane] }
            }
          }
        }
      }
    }
    return (results[0], results[1])
  }

  /// The gradients of a scan from `initial` (zeros when `nil`) for `∂ℒ/∂y` (`outputGradient`, `B × L × D`):
  /// `∂ℒ/∂u`, `∂ℒ/∂Δ` (`B × L × D`), `∂ℒ/∂A` (`D × N`), `∂ℒ/∂B`, `∂ℒ/∂C` (`B × L × N`), `∂ℒ/∂D` (`D`).
  ///
  /// Each work item recomputes its states `x_t` (a forward pass, `L × N` vectors of eight channels), then
  /// runs backwards with `h_t = ∂ℒ/∂x_t = C_t g_t + Ā_{t+1} h_{t+1}` (`g_t = ∂ℒ/∂y_t`):
  ///
  ///     ∂ℒ/∂C_t[n] = Σ_d g_t[d] x_t[d, n]             ∂ℒ/∂B_t[n] = Σ_d h_t[d, n] Δ_t[d] u_t[d]
  ///     ∂ℒ/∂u_t[d] = D[d] g_t[d] + Σ_n h_t[d, n] Δ_t[d] B_t[n]
  ///     ∂ℒ/∂Δ_t[d] = Σ_n h_t[d, n] (A[d, n] Ā_t[d, n] x_{t−1}[d, n] + B_t[n] u_t[d])
  ///     ∂ℒ/∂A[d, n] = Σ_{b,t} h_t[d, n] Δ_t[d] Ā_t[d, n] x_{t−1}[d, n]      ∂ℒ/∂D[d] = Σ_{b,t} g_t[d] u_t[d]
  static func backward(
    outputGradient: [Float], u: [Float], delta: [Float], transitionT: [Float], b: [Float], c: [Float],
    skip: [Float], initial: [Float]?, shape: SelectiveScanShape
  ) -> (u: [Float], delta: [Float], transition: [Float], b: [Float], c: [Float], skip: [Float]) {
    let (batch, length, channels, n) = (shape.batch, shape.length, shape.channels, shape.stateSize)
    let groups = (channels + groupChannels - 1) / groupChannels
    // ∂u, ∂Δ; partial sums of ∂B, ∂C per (channel group, sequence) (groups × B × L × N), of ∂A, ∂D per
    // sequence.
    let counts = [
      batch * length * channels, batch * length * channels, groups * batch * length * n, groups * batch * length * n,
      batch * channels * n, batch * channels,
    ]
    let results = zeroedArrays(counts: counts) { results in
      let (gu, gDelta, gB, gC, gA, gSkip) = (results[0], results[1], results[2], results[3], results[4], results[5])
      withPointers(u, delta, transitionT, b, c, skip, initial ?? []) { u, delta, aT, b, c, skip, x0 in
        outputGradient.withUnsafeBufferPointer { g in
          let gy = SharedPointer(UnsafeMutablePointer(mutating: g.baseAddress!))
          forEachChunk(of: batch * groups) { items in
            let states = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: length * n)
            let scratch = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: 4 * n)
            defer {
              states.deallocate()
              scratch.deallocate()
            }
            let (a, state, carried, gradientA) = (scratch, scratch + n, scratch + 2 * n, scratch + 3 * n)
            for item in items {
              let (sequence, group) = (item / groups, item % groups)
              let (partialOffset, groupEnd) = (
                (group * batch + sequence) * length * n, min(channels, (group + 1) * groupChannels)
              )
              for d0 in stride(from: group * groupChannels, to: groupEnd, by: 8) {
                let lanes = min(8, channels - d0)
                load(
                  block: d0, lanes: lanes, sequence: sequence, transitionT: aT, initial: x0, shape: shape, a: a,
                  state: state)
                for t in 0..<length {
                  let row = sequence * length + t
                  let dt = VectorMath.load(delta.base + row * channels + d0, lanes: lanes)
                  let du = dt * VectorMath.load(u.base + row * channels + d0, lanes: lanes)
                  for k in 0..<n {
                    let previous = t == 0 ? state[k] : states[(t - 1) * n + k]
                    states[t * n + k] = VectorMath.exp(dt * a[k]) * previous + du * b.base[row * n + k]
                  }
                }
                let skipLanes = VectorMath.load(skip.base + d0, lanes: lanes)
                var gradientSkip = SIMD8<Float>()
                carried.update(repeating: SIMD8<Float>(), count: n)
                gradientA.update(repeating: SIMD8<Float>(), count: n)
                for t in stride(from: length - 1, through: 0, by: -1) {
                  let row = sequence * length + t
                  let offset = row * channels + d0
                  let g = VectorMath.load(gy.base + offset, lanes: lanes)
                  let dt = VectorMath.load(delta.base + offset, lanes: lanes)
                  let input = VectorMath.load(u.base + offset, lanes: lanes)
                  let dtInput = dt * input
                  gradientSkip += g * input
                  var gradientInput = skipLanes * g
                  var gradientDelta = SIMD8<Float>()
                  let (bRow, cRow) = (b.base + row * n, c.base + row * n)
                  let (gBRow, gCRow) = (gB.base + partialOffset + t * n, gC.base + partialOffset + t * n)
                  for k in 0..<n {
                    let previous = t == 0 ? state[k] : states[(t - 1) * n + k]
                    let h = carried[k] + g * cRow[k]
                    gCRow[k] += (g * states[t * n + k]).sum()
                    let decay = VectorMath.exp(dt * a[k])
                    let decayed = decay * previous
                    gradientDelta += h * (a[k] * decayed + bRow[k] * input)
                    gradientA[k] += h * dt * decayed
                    gBRow[k] += (h * dtInput).sum()
                    gradientInput += h * dt * bRow[k]
                    carried[k] = decay * h
                  }
                  VectorMath.store(gradientInput, to: gu.base + offset, lanes: lanes)
                  VectorMath.store(gradientDelta, to: gDelta.base + offset, lanes: lanes)
                }
                VectorMath.store(gradientSkip, to: gSkip.base + sequence * channels + d0, lanes: lanes)
                for lane in 0..<lanes {
                  for k in 0..<n { gA.base[(sequence * channels + d0 + lane) * n + k] = gradientA[k][lane] }
                }
              }
            }
          }
        }
      }
    }
    return (
      results[0], results[1], sumOver(batch, of: results[4]), sumOver(groups, of: results[2]),
      sumOver(groups, of: results[3]), sumOver(batch, of: results[5])
    )
  }

  /// `Aᵀ` of the block `d0 ..< d0 + lanes` into `a` (`N` vectors) and that block's initial state into
  /// `state` (zero lanes past `lanes`, zeros without an initial state).
  private static func load(
    block d0: Int, lanes: Int, sequence: Int, transitionT: SharedPointer<Float>, initial: SharedPointer<Float>?,
    shape: SelectiveScanShape, a: UnsafeMutablePointer<SIMD8<Float>>, state: UnsafeMutablePointer<SIMD8<Float>>
  ) {
    let (channels, n) = (shape.channels, shape.stateSize)
    for k in 0..<n {
      a[k] = VectorMath.load(transitionT.base + k * channels + d0, lanes: lanes)
      state[k] = SIMD8<Float>()
    }
    guard let initial else { return }
    for lane in 0..<lanes {
      for k in 0..<n { state[k][lane] = initial.base[(sequence * channels + d0 + lane) * n + k] }
    }
  }

  /// The sum of `parts` consecutive equal blocks of `values`, in order.
  private static func sumOver(_ parts: Int, of values: [Float]) -> [Float] {
    let size = values.count / parts
    var sum = [Float](values[0..<size])
    for part in 1..<max(1, parts) {
      for i in 0..<size { sum[i] += values[part * size + i] }
    }
    return sum
  }

  /// Arrays of zeros of `counts`, filled by `body` through shareable pointers.
  private static func zeroedArrays(counts: [Int], _ body: ([SharedPointer<Float>]) -> Void) -> [[Float]] {
    let buffers = counts.map { count in
      let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, count))
      buffer.initialize(repeating: 0)
      return buffer
    }
    defer { for buffer in buffers { buffer.deallocate() } }
    body(buffers.map { SharedPointer($0.baseAddress!) })
    return zip(buffers, counts).map { buffer, count in Array(buffer.prefix(count)) }
  }

  /// Calls `body` with shareable pointers to the inputs (`initial` `nil` when empty).
  private static func withPointers<Result>(
    _ u: [Float], _ delta: [Float], _ transitionT: [Float], _ b: [Float], _ c: [Float], _ skip: [Float],
    _ initial: [Float],
    _ body: (
      SharedPointer<Float>, SharedPointer<Float>, SharedPointer<Float>, SharedPointer<Float>, SharedPointer<Float>,
      SharedPointer<Float>, SharedPointer<Float>?
    ) -> Result
  ) -> Result {
    func shared(_ values: UnsafeBufferPointer<Float>) -> SharedPointer<Float> {
      SharedPointer(UnsafeMutablePointer(mutating: values.baseAddress!))
    }
    return u.withUnsafeBufferPointer { u in
      delta.withUnsafeBufferPointer { delta in
        transitionT.withUnsafeBufferPointer { aT in
          b.withUnsafeBufferPointer { b in
            c.withUnsafeBufferPointer { c in
              skip.withUnsafeBufferPointer { skip in
                initial.withUnsafeBufferPointer { x0 in
                  body(
                    shared(u), shared(delta), shared(aT), shared(b), shared(c), shared(skip),
                    x0.isEmpty ? nil : shared(x0))
                }
              }
            }
          }
        }
      }
    }
  }
}
