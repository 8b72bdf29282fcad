import Autodiff
import CBLAS
import Foundation

extension Tape {
  /// The recurrence of one GRU layer over a whole sequence, as one coarse operation with
  /// backpropagation through time; PyTorch's `nn.GRU` equations, gate order `r, z, n`.
  ///
  /// The input projections `x_t = u_t W_ih + b_ih` are computed beforehand for all positions
  /// (one ``linear(_:weight:bias:)``) and split as `x_t = [x_r, x_z, x_n]` (`3H`). With the
  /// hidden-to-hidden products `a_t = h_{t−1} W_hh + b_hh = [a_r, a_z, a_n]` (row vectors;
  /// `W_hh = [W_hr | W_hz | W_hn]` is `H × 3H`, so `a_r` is PyTorch's `W_hr h_{t−1} + b_hr`):
  ///
  ///     r_t = σ(x_r + a_r)
  ///     z_t = σ(x_z + a_z)
  ///     n_t = tanh(x_n + r_t ⊙ a_n)
  ///     h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
  ///
  /// Each step's `h_{t−1} W_hh` is one `cblas_sgemm` (`B × H · H × 3H`). The forward pass keeps
  /// `r_t`, `z_t`, `n_t` and `a_n` for every position (`B × L × H` each). The backward pass runs
  /// from `t = L − 1` down to `0` with `δh = ∂ℒ/∂h_t` (the output's gradient plus what flows back
  /// from step `t + 1`):
  ///
  ///     δn = δh ⊙ (1 − z_t),   δz = δh ⊙ (h_{t−1} − n_t)
  ///     δñ = ∂ℒ/∂x_n = δn ⊙ (1 − n_t²)
  ///     ∂ℒ/∂a_n = δñ ⊙ r_t,    δr = δñ ⊙ a_n
  ///     ∂ℒ/∂x_r = ∂ℒ/∂a_r = δr ⊙ r_t (1 − r_t)
  ///     ∂ℒ/∂x_z = ∂ℒ/∂a_z = δz ⊙ z_t (1 − z_t)
  ///     ∂ℒ/∂h_{t−1} = δh ⊙ z_t + (∂ℒ/∂a_t) W_hhᵀ  (one `B × 3H · 3H × H` sgemm per step)
  ///
  /// and, over all positions at once, `∂ℒ/∂W_hh = Σ_t h_{t−1}ᵀ (∂ℒ/∂a_t)` (one sgemm over
  /// `B·L` rows) and `∂ℒ/∂b_hh = Σ_{b,t} ∂ℒ/∂a_t`; `∂ℒ/∂h₀` is the last `∂ℒ/∂h_{t−1}`.
  ///
  /// - Parameters:
  ///   - inputGates: `x`, `B × L × 3H`, position `t` of sequence `b` at row `b·L + t`.
  ///   - hiddenWeight: `W_hh`, `H × 3H`.
  ///   - hiddenBias: `b_hh`, `3H`.
  ///   - initialHidden: `h₀`, `B × H` (gradients flow into it, e.g. for state passing).
  /// - Returns: every hidden state `h_1 … h_L`, `B × L × H`.
  /// - Throws: ``AutodiffError/shapeMismatch(_:)`` for shapes other than these, `B < 1`,
  ///   `L < 1` or `H < 1`.
  public func gruRecurrence(
    _ inputGates: Variable, hiddenWeight: Variable, hiddenBias: Variable, initialHidden: Variable
  ) throws -> Variable {
    let (x, w, bias, h0) = (value(inputGates), value(hiddenWeight), value(hiddenBias), value(initialHidden))
    guard w.rank == 2, w.shape[0] >= 1, w.shape[1] == 3 * w.shape[0] else {
      throw AutodiffError.shapeMismatch("GRU hidden weight \(w.shape) is not H × 3H with H ≥ 1")
    }
    let hidden = w.shape[0]
    let gates = 3 * hidden
    guard x.rank == 3, x.shape[0] >= 1, x.shape[1] >= 1, x.shape[2] == gates else {
      throw AutodiffError.shapeMismatch("GRU input gates \(x.shape) are not B × L × \(gates) with B, L ≥ 1")
    }
    let (batch, length) = (x.shape[0], x.shape[1])
    guard bias.shape == [gates] else {
      throw AutodiffError.shapeMismatch("GRU hidden bias \(bias.shape) is not [\(gates)]")
    }
    guard h0.shape == [batch, hidden] else {
      throw AutodiffError.shapeMismatch("GRU initial hidden state \(h0.shape) is not [\(batch), \(hidden)]")
    }

    // B × L × H, row b·L + t: the hidden states h_t and, for the backward pass, r_t, z_t, n_t, a_n.
    let count = batch * length * hidden
    var output = [Float](repeating: 0, count: count)
    var reset = [Float](repeating: 0, count: count)
    var update = [Float](repeating: 0, count: count)
    var candidate = [Float](repeating: 0, count: count)
    var hiddenCandidate = [Float](repeating: 0, count: count)
    var product = [Float](repeating: 0, count: batch * gates)
    for t in 0..<length {
      // a = b_hh + h_{t−1} W_hh: h_{t−1} is h₀ (row stride H) or the output at t − 1 (stride L·H).
      for b in 0..<batch { product.replaceSubrange((b * gates)..<((b + 1) * gates), with: bias.values) }
      if t == 0 {
        multiplyAdd(
          h0.values, offset: 0, rowStride: hidden, w.values, transposeB: false, into: &product,
          rows: batch, columns: gates, inner: hidden)
      } else {
        multiplyAdd(
          output, offset: (t - 1) * hidden, rowStride: length * hidden, w.values, transposeB: false,
          into: &product, rows: batch, columns: gates, inner: hidden)
      }
      for b in 0..<batch {
        let (gateRow, productRow, row) = ((b * length + t) * gates, b * gates, (b * length + t) * hidden)
        for j in 0..<hidden {
          let previous = t == 0 ? h0.values[b * hidden + j] : output[row - hidden + j]
          let r = logistic(x.values[gateRow + j] + product[productRow + j])
          let z = logistic(x.values[gateRow + hidden + j] + product[productRow + hidden + j])
          let an = product[productRow + 2 * hidden + j]
          let n = Foundation.tanh(x.values[gateRow + 2 * hidden + j] + r * an)
          (reset[row + j], update[row + j], candidate[row + j], hiddenCandidate[row + j]) = (r, z, n, an)
          output[row + j] = (1 - z) * n + z * previous
        }
      }
    }

    let inputs = [inputGates, hiddenWeight, hiddenBias, initialHidden]
    return record(value: Tensor(unchecked: [batch, length, hidden], output), inputs: inputs) { g in
      // ∂ℒ/∂x and ∂ℒ/∂a (B × L × 3H), h_{t−1} for every position (B × L × H), ∂ℒ/∂h_t (B × H).
      var inputGradient = [Float](repeating: 0, count: batch * length * gates)
      var productGradient = [Float](repeating: 0, count: batch * length * gates)
      var previousStates = [Float](repeating: 0, count: count)
      var carried = [Float](repeating: 0, count: batch * hidden)
      for t in stride(from: length - 1, through: 0, by: -1) {
        for b in 0..<batch {
          let (row, gateRow) = ((b * length + t) * hidden, (b * length + t) * gates)
          for j in 0..<hidden {
            let previous = t == 0 ? h0.values[b * hidden + j] : output[row - hidden + j]
            previousStates[row + j] = previous
            let (r, z, n) = (reset[row + j], update[row + j], candidate[row + j])
            let dh = g.values[row + j] + carried[b * hidden + j]
            // ∂ℒ/∂x_r, ∂ℒ/∂x_z, ∂ℒ/∂x_n; the first two are also ∂ℒ/∂a_r, ∂ℒ/∂a_z.
            let dxn = dh * (1 - z) * (1 - n * n)
            let dxr = dxn * hiddenCandidate[row + j] * r * (1 - r)
            let dxz = dh * (previous - n) * z * (1 - z)
            (inputGradient[gateRow + j], inputGradient[gateRow + hidden + j]) = (dxr, dxz)
            inputGradient[gateRow + 2 * hidden + j] = dxn
            (productGradient[gateRow + j], productGradient[gateRow + hidden + j]) = (dxr, dxz)
            productGradient[gateRow + 2 * hidden + j] = dxn * r
            carried[b * hidden + j] = dh * z
          }
        }
        // ∂ℒ/∂h_{t−1} = δh ⊙ z + (∂ℒ/∂a_t) W_hhᵀ.
        multiplyAdd(
          productGradient, offset: t * gates, rowStride: length * gates, w.values, transposeB: true,
          into: &carried, rows: batch, columns: hidden, inner: gates)
      }
      var biasGradient = [Float](repeating: 0, count: gates)
      for position in 0..<(batch * length) {
        for k in 0..<gates { biasGradient[k] += productGradient[position * gates + k] }
      }
      let weightGradient = gemm(
        previousStates, productGradient, m: hidden, n: gates, k: batch * length, transposeA: true, transposeB: false)
      return [
        Tensor(unchecked: x.shape, inputGradient),
        Tensor(unchecked: w.shape, weightGradient),
        Tensor(unchecked: [gates], biasGradient),
        Tensor(unchecked: h0.shape, carried),
      ]
    }
  }
}

/// `σ(v) = 1/(1 + e^{−v})`.
private func logistic(_ v: Float) -> Float { 1 / (1 + Foundation.exp(-v)) }

/// `C += A·op(B)` on `cblas_sgemm`, row-major: `A` is `rows × inner` starting at `a[offset]`
/// with `rowStride` between rows; `op(B)` is `inner × columns` (`B` stored `inner × columns`,
/// or `columns × inner` when `transposeB`); `C` is a dense `rows × columns`.
private func multiplyAdd(
  _ a: [Float], offset: Int, rowStride: Int, _ b: [Float], transposeB: Bool, into c: inout [Float], rows: Int,
  columns: Int, inner: Int
) {
  a.withUnsafeBufferPointer { a in
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, blasint(rows), blasint(columns),
      blasint(inner), 1, a.baseAddress! + offset, blasint(rowStride), b, blasint(transposeB ? inner : columns), 1, &c,
      blasint(columns))
  }
}
