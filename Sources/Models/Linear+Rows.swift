import Autodiff

extension Linear {
  /// `Y = X W + 1 bᵀ` of `rows` rows `X` (`rows × in`) into `Y` (`rows × out`), off the tape: the
  /// tape-free decoding steps' affine map (``RowKernels/affine(_:rows:weight:inputs:outputs:bias:into:)``),
  /// reading the current weights.
  func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
    weight.value.values.withUnsafeBufferPointer { weights in
      bias.value.values.withUnsafeBufferPointer { bias in
        RowKernels.affine(
          x, rows: rows, weight: weights.baseAddress!, inputs: weights.count / bias.count, outputs: bias.count,
          bias: bias.baseAddress!, into: y)
      }
    }
  }
}

extension LayerNorm {
  /// `LayerNorm` (ε = 1e-5, as the tape's) of `rows` rows of `γ.count` values from `x` into `y`,
  /// off the tape (``RowKernels/layerNorm(_:count:gamma:beta:epsilon:into:normalized:)``).
  func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
    gamma.value.values.withUnsafeBufferPointer { gamma in
      beta.value.values.withUnsafeBufferPointer { beta in
        let width = gamma.count
        for r in 0..<rows {
          _ = RowKernels.layerNorm(
            x + r * width, count: width, gamma: gamma.baseAddress!, beta: beta.baseAddress!, epsilon: 1e-5,
            into: y + r * width)
        }
      }
    }
  }

  /// `logits = LayerNorm(x) W_o + b_o` of `rows` rows off the tape (the final norm and the decoder of a
  /// tape-free step), the normalised rows left in `normalized`.
  func readOut(
    _ x: UnsafePointer<Float>, rows: Int, decoder: Linear, normalized: UnsafeMutablePointer<Float>,
    into logits: UnsafeMutablePointer<Float>
  ) {
    apply(x, rows: rows, into: normalized)
    decoder.apply(normalized, rows: rows, into: logits)
  }
}

extension Parameter {
  /// Rows of this `V × D` embedding table, one per token in order, into `x` (`tokens.count × D`), off
  /// the tape: the first operation of every tape-free step.
  func gatherRows(_ tokens: some Sequence<Int>, into x: UnsafeMutablePointer<Float>) {
    let width = value.shape[1]
    value.values.withUnsafeBufferPointer { table in
      for (row, token) in tokens.enumerated() {
        (x + row * width).update(from: table.baseAddress! + token * width, count: width)
      }
    }
  }

  /// `Y = X W` of `rows` rows `X` (`rows × k`) with this `k × n` weight into `Y` (`rows × n`), off the
  /// tape (``RowKernels/product(_:rows:weight:inputs:outputs:accumulating:into:)``): a bias-free
  /// projection of a tape-free step, reading the current weights.
  func project(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
    let (inputs, outputs) = (value.shape[0], value.shape[1])
    value.values.withUnsafeBufferPointer { weight in
      RowKernels.product(x, rows: rows, weight: weight.baseAddress!, inputs: inputs, outputs: outputs, into: y)
    }
  }
}
