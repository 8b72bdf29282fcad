import Autodiff
import Foundation

/// Preallocated activations of ``GRUModel``'s tape-free step for `B` sequences: the residual
/// stream `x` and its normalisation (`B × H` each), the input and hidden gate pre-activations
/// (`B × 3H` each) and the logits (`B × V`).
///
/// A ``GRUModel/State`` holds its buffers by reference; a state that shares them with a copy (a
/// checkpoint for speculative decoding, a beam) takes fresh ones before it steps, so copies never
/// write into each other's activations. The hidden states live in the state's tensors, which
/// copies share copy-on-write.
final class GRUStepBuffers {
  var x: [Float]
  var normalized: [Float]
  var inputGates: [Float]
  var hiddenGates: [Float]
  var logits: [Float]

  init(batch: Int, width: Int, vocabulary: Int) {
    x = [Float](repeating: 0, count: batch * width)
    normalized = x
    inputGates = [Float](repeating: 0, count: batch * 3 * width)
    hiddenGates = inputGates
    logits = [Float](repeating: 0, count: batch * vocabulary)
  }
}

extension GRUModel {
  /// Whether one-token steps take ``tapeFreeStep(_:state:)``: token models.
  var hasTapeFreeStep: Bool { encoder.table != nil }

  /// The next-token logits (`B × 1 × V`) after one token per sequence, computed as
  /// ``prefill(_:state:)`` computes them but without a tape, on the state's preallocated
  /// ``GRUStepBuffers``. Per layer, on each sequence (`Tape/gruRecurrence` with `L = 1`):
  ///
  ///     [x_r, x_z, x_n] = x W_ih + b_ih,   [a_r, a_z, a_n] = h W_hh + b_hh
  ///     r = σ(x_r + a_r),  z = σ(x_z + a_z),  n = tanh(x_n + r ⊙ a_n)
  ///     h ← (1 − z) ⊙ n + z ⊙ h,   x ← x + h
  ///
  /// then `logits = LayerNorm_f(x) W_o + b_o`. Parameters are read at every step (a model being
  /// trained decodes with its current weights).
  /// - Throws: tokens outside the vocabulary or not one per sequence of the state.
  func tapeFreeStep(_ tokens: [Int], state: inout State) throws -> Tensor {
    try validateStep(tokens, batch: state.batch)
    guard let table = encoder.table else { throw AutodiffError.invalidArgument("a token model steps tokens") }
    let (batch, width, vocabulary) = (state.batch, configuration.width, configuration.vocabulary)
    if state.stepBuffers == nil || !isKnownUniquelyReferenced(&state.stepBuffers!) {
      state.stepBuffers = GRUStepBuffers(batch: batch, width: width, vocabulary: vocabulary)
    }
    let buffers = state.stepBuffers!
    buffers.x.withUnsafeMutableBufferPointer { table.gatherRows(tokens, into: $0.baseAddress!) }
    for (index, layer) in blocks.enumerated() {
      Self.step(layer, hidden: &state.hidden[index], buffers: buffers, batch: batch, width: width)
    }
    buffers.x.withUnsafeBufferPointer { x in
      buffers.normalized.withUnsafeMutableBufferPointer { normalized in
        buffers.logits.withUnsafeMutableBufferPointer { logits in
          finalNorm.readOut(
            x.baseAddress!, rows: batch, decoder: decoder, normalized: normalized.baseAddress!,
            into: logits.baseAddress!)
        }
      }
    }
    return try Tensor(shape: [batch, 1, vocabulary], values: buffers.logits)
  }

  /// One layer on the residual stream `buffers.x`, advancing its hidden state `hidden` (`B × H`)
  /// in place (see ``tapeFreeStep(_:state:)``).
  private static func step(
    _ layer: GRULayer, hidden: inout Tensor, buffers: GRUStepBuffers, batch: Int, width: Int
  ) {
    buffers.x.withUnsafeMutableBufferPointer { x in
      buffers.inputGates.withUnsafeMutableBufferPointer { inputGates in
        buffers.hiddenGates.withUnsafeMutableBufferPointer { hiddenGates in
          hidden.values.withUnsafeMutableBufferPointer { h in
            layer.inputProjection.apply(x.baseAddress!, rows: batch, into: inputGates.baseAddress!)
            layer.hiddenWeight.value.values.withUnsafeBufferPointer { weight in
              layer.hiddenBias.value.values.withUnsafeBufferPointer { bias in
                RowKernels.affine(
                  h.baseAddress!, rows: batch, weight: weight.baseAddress!, inputs: width, outputs: 3 * width,
                  bias: bias.baseAddress!, into: hiddenGates.baseAddress!)
              }
            }
            for b in 0..<batch {
              let (input, recurrent) = (
                inputGates.baseAddress! + b * 3 * width, hiddenGates.baseAddress! + b * 3 * width
              )
              for j in 0..<width {
                let r = 1 / (1 + Foundation.exp(-(input[j] + recurrent[j])))
                let z = 1 / (1 + Foundation.exp(-(input[width + j] + recurrent[width + j])))
                let n = Foundation.tanh(input[2 * width + j] + r * recurrent[2 * width + j])
                let next = (1 - z) * n + z * h[b * width + j]
                h[b * width + j] = next
                x[b * width + j] += next
              }
            }
          }
        }
      }
    }
  }
}
