import Autodiff

extension Tape {
  /// Rotary position embedding (RoPE; Su et al. 2021, "RoFormer") of `x` (`B × L × D`) split into
  /// `heads` heads of even width `d = D/heads`. Within each head the pairs `(x_i, x_{i+d/2})`
  /// (the half-split layout of GPT-NeoX and LLaMA) at position `p = offset + t` turn by the
  /// angle `p·θ_i`, `θ_i = base^{−2i/d}`:
  ///
  ///     y_i = x_i cos(pθ_i) − x_{i+d/2} sin(pθ_i),   y_{i+d/2} = x_i sin(pθ_i) + x_{i+d/2} cos(pθ_i),
  ///
  /// so `⟨R_p q, R_s k⟩` depends on `p − s` only. The backward pass turns by `−pθ_i`.
  /// Angles are computed in float64 (positions reach 10⁴ and more); the arithmetic is
  /// `RotaryKernels`'.
  ///
  /// - Parameters:
  ///   - a: `x`, `B × L × D`.
  ///   - heads: attention heads; `D/heads` must be even.
  ///   - offset: the position of the first of the `L` tokens (cached decoding).
  ///   - base: the frequency base (10 000 in RoPE).
  public func rotaryEmbedding(_ a: Variable, heads: Int, offset: Int = 0, base: Double = 10_000) throws -> Variable {
    let x = value(a)
    guard x.rank == 3, heads >= 1, x.shape[2].isMultiple(of: 2 * heads), offset >= 0 else {
      throw AutodiffError.shapeMismatch("rotary embedding of \(x.shape) with \(heads) heads (even head width)")
    }
    let (rows, length, width) = (x.shape[0], x.shape[1], x.shape[2])
    let half = width / heads / 2
    let frequencies = RotaryKernels.frequencies(half: half, base: base)
    var cosines = [Float](repeating: 0, count: length * half)
    var sines = cosines
    cosines.withUnsafeMutableBufferPointer { cosines in
      sines.withUnsafeMutableBufferPointer { sines in
        for t in 0..<length {
          RotaryKernels.angles(
            position: offset + t, frequencies: frequencies, half: half, cosines: cosines.baseAddress! + t * half,
            sines: sines.baseAddress! + t * half)
        }
      }
    }
    let (cosineTable, sineTable) = (cosines, sines)
    let rotate = { (input: [Float], sign: Float) -> [Float] in
      [Float](unsafeUninitializedCapacity: input.count) { output, count in
        input.withUnsafeBufferPointer { input in
          cosineTable.withUnsafeBufferPointer { cosines in
            sineTable.withUnsafeBufferPointer { sines in
              for row in 0..<(rows * length) {
                let t = row % length
                RotaryKernels.rotate(
                  input.baseAddress! + row * width, heads: heads, half: half, cosines: cosines.baseAddress! + t * half,
                  sines: sines.baseAddress! + t * half, sign: sign, into: output.baseAddress! + row * width)
              }
            }
          }
        }
        count = input.count
      }
    }
    return record(value: Tensor(unchecked: x.shape, rotate(x.values, 1)), inputs: [a]) { g in
      [Tensor(unchecked: g.shape, rotate(g.values, -1))]
    }
  }
}
