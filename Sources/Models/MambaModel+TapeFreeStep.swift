import Autodiff
import Foundation

/// Preallocated activations of ``MambaModel``'s tape-free step for `B` sequences: the residual
/// stream `x`, the normalised input `h` and the block output (`B × D` each), the projections `v`,
/// `z`, the convolved and activated `u`, `Δ` and the scan output `y` (`B × E` each), the low-rank
/// `r` (`B × R`), `B_t`, `C_t` (`B × N` each) and the logits (`B × V`), in one allocation.
///
/// A ``MambaModel/State`` holds its buffers by reference; a state that shares them with a copy (a
/// checkpoint for speculative decoding, a beam) takes fresh ones before it steps, so copies never
/// write into each other's activations. The convolution inputs and scan states live in the
/// state's tensors, which copies share copy-on-write.
final class MambaStepBuffers {
  let x: UnsafeMutablePointer<Float>
  let h: UnsafeMutablePointer<Float>
  let branch: UnsafeMutablePointer<Float>
  let v: UnsafeMutablePointer<Float>
  let z: UnsafeMutablePointer<Float>
  let u: UnsafeMutablePointer<Float>
  let delta: UnsafeMutablePointer<Float>
  let y: UnsafeMutablePointer<Float>
  let low: UnsafeMutablePointer<Float>
  let inputMatrix: UnsafeMutablePointer<Float>
  let outputMatrix: UnsafeMutablePointer<Float>
  let logits: UnsafeMutablePointer<Float>
  private let storage: UnsafeMutablePointer<Float>

  init(batch: Int, width: Int, expanded: Int, rank: Int, stateSize: Int, vocabulary: Int) {
    let sizes =
      [Int](repeating: batch * width, count: 3) + [Int](repeating: batch * expanded, count: 5)
      + [batch * rank, batch * stateSize, batch * stateSize, batch * vocabulary]
    storage = .allocate(capacity: sizes.reduce(0, +))
    storage.initialize(repeating: 0, count: sizes.reduce(0, +))
    var next = storage
    let take = { (count: Int) -> UnsafeMutablePointer<Float> in
      defer { next += count }
      return next
    }
    (x, h, branch) = (take(sizes[0]), take(sizes[1]), take(sizes[2]))
    (v, z, u, delta, y) = (take(sizes[3]), take(sizes[4]), take(sizes[5]), take(sizes[6]), take(sizes[7]))
    (low, inputMatrix, outputMatrix, logits) = (take(sizes[8]), take(sizes[9]), take(sizes[10]), take(sizes[11]))
  }

  deinit {
    storage.deallocate()
  }
}

extension MambaModel {
  /// Whether one-token steps take ``tapeFreeStep(_:state:)``: token models.
  var hasTapeFreeStep: Bool { encoder.table != nil }

  /// The next-token logits (`B × 1 × V`) after one token per sequence, computed as
  /// ``prefill(_:state:)`` computes them but without a tape, on the state's preallocated
  /// ``MambaStepBuffers``. Per block, on each sequence (``MambaBlock`` with `L = 1`):
  ///
  ///     h = LayerNorm(x),  v = h W_in,  z = h W_z
  ///     u = SiLU(b_conv + Σ_{k<W−1} w[·, k] ⊙ v_{t−(W−1)+k} + w[·, W−1] ⊙ v)   (then v joins the history)
  ///     Δ = softplus((u W_r) W_Δ + b_Δ),  B_t = u W_B,  C_t = u W_C
  ///     s[e, n] ← exp(Δ[e] A[e, n]) s[e, n] + Δ[e] B_t[n] u[e],  A = −exp(A_log)
  ///     y[e] = Σ_n C_t[n] s[e, n] + D[e] u[e]
  ///     x ← x + (y ⊙ SiLU(z)) W_out
  ///
  /// then `logits = LayerNorm_f(x) W_o + b_o`. Parameters are read at every step (a model being
  /// trained decodes with its current weights).
  /// - Throws: tokens outside the vocabulary or not one per sequence of the state.
  func tapeFreeStep(_ tokens: [Int], state: inout State) throws -> Tensor {
    try validateStep(tokens, batch: state.batch)
    guard let table = encoder.table else { throw AutodiffError.invalidArgument("a token model steps tokens") }
    let (batch, width, vocabulary) = (state.batch, configuration.width, configuration.vocabulary)
    if state.stepBuffers == nil || !isKnownUniquelyReferenced(&state.stepBuffers!) {
      state.stepBuffers = MambaStepBuffers(
        batch: batch, width: width, expanded: configuration.expansion * width, rank: configuration.resolvedStepRank,
        stateSize: configuration.stateSize, vocabulary: vocabulary)
    }
    let buffers = state.stepBuffers!
    table.gatherRows(tokens, into: buffers.x)
    for (index, block) in blocks.enumerated() {
      Self.step(block, state: &state.blocks[index], buffers: buffers, batch: batch)
    }
    finalNorm.readOut(buffers.x, rows: batch, decoder: decoder, normalized: buffers.h, into: buffers.logits)
    return try Tensor(
      shape: [batch, 1, vocabulary],
      values: Array(UnsafeBufferPointer(start: buffers.logits, count: batch * vocabulary)))
  }

  /// One block on the residual stream `buffers.x`, advancing the block's convolution history and scan
  /// state in place (see ``tapeFreeStep(_:state:)``).
  private static func step(
    _ block: MambaBlock, state: inout MambaBlock.State, buffers: MambaStepBuffers, batch: Int
  ) {
    let (width, expanded) = (block.norm.gamma.value.count, block.expanded)
    block.norm.apply(buffers.x, rows: batch, into: buffers.h)
    block.inputProjection.project(buffers.h, rows: batch, into: buffers.v)
    block.gateProjection.project(buffers.h, rows: batch, into: buffers.z)
    convolve(block, history: &state.convolution, buffers: buffers, batch: batch)
    block.stepInput.project(buffers.u, rows: batch, into: buffers.low)
    block.stepProjection.project(buffers.low, rows: batch, into: buffers.delta)
    block.stepBias.value.values.withUnsafeBufferPointer { bias in
      for index in 0..<(batch * expanded) {
        let s = buffers.delta[index] + bias[index % expanded]
        buffers.delta[index] = Swift.max(s, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(s)))
      }
    }
    block.inputMatrixProjection.project(buffers.u, rows: batch, into: buffers.inputMatrix)
    block.outputMatrixProjection.project(buffers.u, rows: batch, into: buffers.outputMatrix)
    scan(block, state: &state.scan, buffers: buffers, batch: batch)
    for index in 0..<(batch * expanded) {
      let gate = buffers.z[index]
      buffers.y[index] *= gate / (1 + Foundation.exp(-gate))
    }
    block.outputProjection.project(buffers.y, rows: batch, into: buffers.branch)
    for index in 0..<(batch * width) { buffers.x[index] += buffers.branch[index] }
  }

  /// `u = SiLU(b_conv + Σ_k w[·, k] ⊙ ṽ_k)` over the `W − 1` remembered inputs and `buffers.v`, which
  /// then replaces the oldest of them (`history`: `B × (W − 1) × E`, oldest first).
  private static func convolve(
    _ block: MambaBlock, history: inout Tensor, buffers: MambaStepBuffers, batch: Int
  ) {
    let (expanded, taps) = (block.expanded, MambaBlock.convolutionWidth)
    let (v, u) = (buffers.v, buffers.u)
    block.convolutionWeight.value.values.withUnsafeBufferPointer { weight in
      block.convolutionBias.value.values.withUnsafeBufferPointer { bias in
        history.values.withUnsafeMutableBufferPointer { past in
          for b in 0..<batch {
            let remembered = past.baseAddress! + b * (taps - 1) * expanded
            for e in 0..<expanded {
              var sum = bias[e] + weight[e * taps + taps - 1] * v[b * expanded + e]
              for k in 0..<(taps - 1) { sum += weight[e * taps + k] * remembered[k * expanded + e] }
              u[b * expanded + e] = sum / (1 + Foundation.exp(-sum))
            }
            if taps > 2 { remembered.update(from: remembered + expanded, count: (taps - 2) * expanded) }
            (remembered + (taps - 2) * expanded).update(from: v + b * expanded, count: expanded)
          }
        }
      }
    }
  }

  /// The selective scan's step on `state` (`B × E × N`) from `u`, `Δ`, `B_t`, `C_t` of `buffers`, writing
  /// `y` (see ``tapeFreeStep(_:state:)``); eight state entries at a time.
  private static func scan(_ block: MambaBlock, state: inout Tensor, buffers: MambaStepBuffers, batch: Int) {
    let (expanded, stateSize) = (block.expanded, block.stateSize)
    block.logNegativeTransition.value.values.withUnsafeBufferPointer { logA in
      block.skip.value.values.withUnsafeBufferPointer { skip in
        state.values.withUnsafeMutableBufferPointer { s in
          for b in 0..<batch {
            let (bRow, cRow) = (buffers.inputMatrix + b * stateSize, buffers.outputMatrix + b * stateSize)
            for e in 0..<expanded {
              let (dt, input) = (buffers.delta[b * expanded + e], buffers.u[b * expanded + e])
              let row = s.baseAddress! + (b * expanded + e) * stateSize
              let logRow = logA.baseAddress! + e * stateSize
              var total = SIMD8<Float>()
              var n = 0
              while n < stateSize {
                let lanes = Swift.min(8, stateSize - n)
                let a = -VectorMath.exp(VectorMath.load(logRow + n, lanes: lanes))
                let next =
                  VectorMath.exp(dt * a) * VectorMath.load(row + n, lanes: lanes)
                  + (dt * input) * VectorMath.load(bRow + n, lanes: lanes)
                VectorMath.store(next, to: row + n, lanes: lanes)
                total += next * VectorMath.load(cRow + n, lanes: lanes)
                n += 8
              }
              buffers.y[b * expanded + e] = total.sum() + skip[e] * input
            }
          }
        }
      }
    }
  }
}
