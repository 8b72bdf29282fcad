import Autodiff
import Foundation

/// Preallocated activations of ``MambaModel``'s tape-free step for `B` sequences: the residual
/// stream `x` and the block output (`B × D` each), the normalised input `h` (`B × D`), the
/// projections `v`, `z`, the convolved and activated `u`, `Δ` and the scan output `y` (`B × E`
/// each), the low-rank `r` (`B × R`), `B_t`, `C_t` (`B × N` each) and the logits (`B × V`).
///
/// A ``MambaModel/State`` holds its buffers by reference; a state that shares them with a copy (a
/// checkpoint for speculative decoding, a beam) takes fresh ones before it steps, so copies never
/// write into each other's activations. The convolution inputs and scan states live in the
/// state's tensors, which copies share copy-on-write.
final class MambaStepBuffers {
  var x: [Float]
  var h: [Float]
  var branch: [Float]
  var v: [Float]
  var z: [Float]
  var u: [Float]
  var delta: [Float]
  var y: [Float]
  var low: [Float]
  var inputMatrix: [Float]
  var outputMatrix: [Float]
  var logits: [Float]

  init(batch: Int, width: Int, expanded: Int, rank: Int, stateSize: Int, vocabulary: Int) {
    x = [Float](repeating: 0, count: batch * width)
    h = x
    branch = x
    v = [Float](repeating: 0, count: batch * expanded)
    z = v
    u = v
    delta = v
    y = v
    low = [Float](repeating: 0, count: batch * rank)
    inputMatrix = [Float](repeating: 0, count: batch * stateSize)
    outputMatrix = inputMatrix
    logits = [Float](repeating: 0, count: batch * vocabulary)
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
    let (expanded, rank) = (configuration.expansion * width, configuration.resolvedStepRank)
    if state.stepBuffers == nil || !isKnownUniquelyReferenced(&state.stepBuffers!) {
      state.stepBuffers = MambaStepBuffers(
        batch: batch, width: width, expanded: expanded, rank: rank, stateSize: configuration.stateSize,
        vocabulary: vocabulary)
    }
    let buffers = state.stepBuffers!
    buffers.x.withUnsafeMutableBufferPointer { table.gatherRows(tokens, into: $0.baseAddress!) }
    for (index, block) in blocks.enumerated() {
      Self.step(block, state: &state.blocks[index], buffers: buffers, batch: batch)
    }
    buffers.x.withUnsafeBufferPointer { x in
      buffers.h.withUnsafeMutableBufferPointer { normalized in
        buffers.logits.withUnsafeMutableBufferPointer { logits in
          finalNorm.readOut(
            x.baseAddress!, rows: batch, decoder: decoder, normalized: normalized.baseAddress!,
            into: logits.baseAddress!)
        }
      }
    }
    return try Tensor(shape: [batch, 1, vocabulary], values: buffers.logits)
  }

  /// One block on the residual stream `buffers.x`, advancing the block's convolution history and scan
  /// state in place (see ``tapeFreeStep(_:state:)``).
  private static func step(
    _ block: MambaBlock, state: inout MambaBlock.State, buffers: MambaStepBuffers, batch: Int
  ) {
    let (expanded, stateSize) = (block.expanded, block.stateSize)
    let width = block.norm.gamma.value.count
    let rank = block.stepInput.value.shape[1]
    buffers.x.withUnsafeBufferPointer { x in
      buffers.h.withUnsafeMutableBufferPointer { h in
        block.norm.apply(x.baseAddress!, rows: batch, into: h.baseAddress!)
        buffers.v.withUnsafeMutableBufferPointer { v in
          block.inputProjection.value.values.withUnsafeBufferPointer { weight in
            RowKernels.product(
              h.baseAddress!, rows: batch, weight: weight.baseAddress!, inputs: width, outputs: expanded,
              into: v.baseAddress!)
          }
        }
        buffers.z.withUnsafeMutableBufferPointer { z in
          block.gateProjection.value.values.withUnsafeBufferPointer { weight in
            RowKernels.product(
              h.baseAddress!, rows: batch, weight: weight.baseAddress!, inputs: width, outputs: expanded,
              into: z.baseAddress!)
          }
        }
      }
    }
    convolve(block, history: &state.convolution, buffers: buffers, batch: batch)
    buffers.u.withUnsafeBufferPointer { u in
      buffers.low.withUnsafeMutableBufferPointer { low in
        block.stepInput.value.values.withUnsafeBufferPointer { weight in
          RowKernels.product(
            u.baseAddress!, rows: batch, weight: weight.baseAddress!, inputs: expanded, outputs: rank,
            into: low.baseAddress!)
        }
        buffers.delta.withUnsafeMutableBufferPointer { delta in
          block.stepProjection.value.values.withUnsafeBufferPointer { weight in
            block.stepBias.value.values.withUnsafeBufferPointer { bias in
              RowKernels.affine(
                low.baseAddress!, rows: batch, weight: weight.baseAddress!, inputs: rank, outputs: expanded,
                bias: bias.baseAddress!, into: delta.baseAddress!)
            }
          }
          for index in 0..<(batch * expanded) {
            let s = delta[index]
            delta[index] = Swift.max(s, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(s)))
          }
        }
      }
      for (projection, matrix) in [
        (block.inputMatrixProjection, \MambaStepBuffers.inputMatrix),
        (block.outputMatrixProjection, \MambaStepBuffers.outputMatrix),
      ] {
        buffers[keyPath: matrix].withUnsafeMutableBufferPointer { target in
          projection.value.values.withUnsafeBufferPointer { weight in
            RowKernels.product(
              u.baseAddress!, rows: batch, weight: weight.baseAddress!, inputs: expanded, outputs: stateSize,
              into: target.baseAddress!)
          }
        }
      }
    }
    scan(block, state: &state.scan, buffers: buffers, batch: batch)
    buffers.y.withUnsafeMutableBufferPointer { y in
      buffers.z.withUnsafeBufferPointer { z in
        for index in 0..<(batch * expanded) {
          let gate = z[index]
          y[index] *= gate / (1 + Foundation.exp(-gate))
        }
      }
      buffers.branch.withUnsafeMutableBufferPointer { branch in
        block.outputProjection.value.values.withUnsafeBufferPointer { weight in
          RowKernels.product(
            UnsafePointer(y.baseAddress!), rows: batch, weight: weight.baseAddress!, inputs: expanded,
            outputs: width, into: branch.baseAddress!)
        }
        buffers.x.withUnsafeMutableBufferPointer { x in
          for index in 0..<(batch * width) { x[index] += branch[index] }
        }
      }
    }
  }

  /// `u = SiLU(b_conv + Σ_k w[·, k] ⊙ ṽ_k)` over the `W − 1` remembered inputs and `buffers.v`, which
  /// then replaces the oldest of them (`history`: `B × (W − 1) × E`, oldest first).
  private static func convolve(
    _ block: MambaBlock, history: inout Tensor, buffers: MambaStepBuffers, batch: Int
  ) {
    let expanded = block.expanded
    let taps = MambaBlock.convolutionWidth
    block.convolutionWeight.value.values.withUnsafeBufferPointer { weight in
      block.convolutionBias.value.values.withUnsafeBufferPointer { bias in
        buffers.v.withUnsafeBufferPointer { v in
          buffers.u.withUnsafeMutableBufferPointer { u in
            history.values.withUnsafeMutableBufferPointer { past in
              for b in 0..<batch {
                let remembered = past.baseAddress! + b * (taps - 1) * expanded
                for e in 0..<expanded {
                  var sum = bias[e] + weight[e * taps + taps - 1] * v[b * expanded + e]
                  for k in 0..<(taps - 1) { sum += weight[e * taps + k] * remembered[k * expanded + e] }
                  u[b * expanded + e] = sum / (1 + Foundation.exp(-sum))
                }
                if taps > 2 {
                  remembered.update(from: remembered + expanded, count: (taps - 2) * expanded)
                }
                (remembered + (taps - 2) * expanded).update(from: v.baseAddress! + b * expanded, count: expanded)
              }
            }
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
        buffers.u.withUnsafeBufferPointer { u in
          buffers.delta.withUnsafeBufferPointer { delta in
            buffers.inputMatrix.withUnsafeBufferPointer { inputMatrix in
              buffers.outputMatrix.withUnsafeBufferPointer { outputMatrix in
                buffers.y.withUnsafeMutableBufferPointer { y in
                  state.values.withUnsafeMutableBufferPointer { s in
                    for b in 0..<batch {
                      let (bRow, cRow) = (
                        inputMatrix.baseAddress! + b * stateSize, outputMatrix.baseAddress! + b * stateSize
                      )
                      for e in 0..<expanded {
                        let (dt, input) = (delta[b * expanded + e], u[b * expanded + e])
                        let row = s.baseAddress! + (b * expanded + e) * stateSize
                        let logRow = logA.baseAddress! + e * stateSize
                        var total = SIMD8<Float>()
                        var n = 0
                        while n < stateSize {
                          let lanes = Swift.min(8, stateSize - n)
                          let a = -VectorMath.exp(VectorMath.load(logRow + n, lanes: lanes))
                          let decay = VectorMath.exp(dt * a)
                          let next =
                            decay * VectorMath.load(row + n, lanes: lanes)
                            + (dt * input) * VectorMath.load(bRow + n, lanes: lanes)
                          VectorMath.store(next, to: row + n, lanes: lanes)
                          total += next * VectorMath.load(cRow + n, lanes: lanes)
                          n += 8
                        }
                        y[b * expanded + e] = total.sum() + skip[e] * input
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
