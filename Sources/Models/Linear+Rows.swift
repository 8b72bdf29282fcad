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
}
