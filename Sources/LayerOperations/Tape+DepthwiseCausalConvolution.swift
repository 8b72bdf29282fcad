import Autodiff

extension Tape {
  /// A depthwise causal convolution over positions (PyTorch's `Conv1d(C, C, W, groups: C, padding: W − 1)`
  /// truncated to the first `L` outputs, as in Mamba's block): each channel `c` has its own `W` taps,
  ///
  ///     y[b, t, c] = bias[c] + Σ_{k=0}^{W−1} w[c, k] x̃[b, t − (W − 1) + k, c]
  ///
  /// where `x̃` is `x` at positions `t ≥ 0` and the `history` (the `W − 1` positions before the first,
  /// oldest first) at negative positions, zeros without one. Backward:
  /// `∂ℒ/∂x[b, s, c] = Σ_k w[c, k] g[b, s + W − 1 − k, c]` (terms inside `0 ..< L`),
  /// `∂ℒ/∂w[c, k] = Σ_{b,t} g[b, t, c] x̃[b, t − (W − 1) + k, c]`, `∂ℒ/∂bias[c] = Σ_{b,t} g[b, t, c]`; no gradient
  /// flows into the history.
  ///
  /// - Parameters:
  ///   - x: `B × L × C`.
  ///   - weight: `w`, `C × W` (`w[c, W − 1]` multiplies the current position).
  ///   - bias: `C`.
  ///   - history: `B × (W − 1) × C`, or `nil` for zeros.
  /// - Returns: `y`, `B × L × C`.
  /// - Throws: ``AutodiffError/shapeMismatch(_:)`` for other shapes or sizes below 1.
  public func depthwiseCausalConvolution(_ x: Variable, weight: Variable, bias: Variable, history: Tensor? = nil)
    throws -> Variable
  {
    let (input, w, b) = (value(x), value(weight), value(bias))
    guard input.rank == 3, input.shape.allSatisfy({ $0 >= 1 }) else {
      throw AutodiffError.shapeMismatch("convolution input \(input.shape) is not B × L × C with B, L, C ≥ 1")
    }
    let (batch, length, channels) = (input.shape[0], input.shape[1], input.shape[2])
    guard w.rank == 2, w.shape[0] == channels, w.shape[1] >= 1 else {
      throw AutodiffError.shapeMismatch("convolution weight \(w.shape) is not \(channels) × W with W ≥ 1")
    }
    let width = w.shape[1]
    guard b.shape == [channels] else {
      throw AutodiffError.shapeMismatch("convolution bias \(b.shape) is not [\(channels)]")
    }
    if let history, history.shape != [batch, width - 1, channels] {
      throw AutodiffError.shapeMismatch(
        "convolution history \(history.shape) is not [\(batch), \(width - 1), \(channels)] (B × (W − 1) × C)")
    }
    // x̃ = [history; x] per sequence: B × (W − 1 + L) × C.
    let padded = width - 1 + length
    var extended = [Float](repeating: 0, count: batch * padded * channels)
    for sequence in 0..<batch {
      if let history {
        let source = sequence * (width - 1) * channels
        let target = sequence * padded * channels
        extended.replaceSubrange(
          target..<(target + (width - 1) * channels), with: history.values[source..<(source + (width - 1) * channels)])
      }
      let (source, target) = (sequence * length * channels, (sequence * padded + width - 1) * channels)
      extended.replaceSubrange(
        target..<(target + length * channels), with: input.values[source..<(source + length * channels)])
    }
    var output = [Float](repeating: 0, count: batch * length * channels)
    for sequence in 0..<batch {
      for t in 0..<length {
        let row = (sequence * length + t) * channels
        for c in 0..<channels { output[row + c] = b.values[c] }
        for k in 0..<width {
          let source = (sequence * padded + t + k) * channels
          for c in 0..<channels { output[row + c] += w.values[c * width + k] * extended[source + c] }
        }
      }
    }
    return record(value: Tensor(unchecked: input.shape, output), inputs: [x, weight, bias]) { g in
      var inputGradient = [Float](repeating: 0, count: input.count)
      var weightGradient = [Float](repeating: 0, count: w.count)
      var biasGradient = [Float](repeating: 0, count: channels)
      for sequence in 0..<batch {
        for t in 0..<length {
          let row = (sequence * length + t) * channels
          for c in 0..<channels { biasGradient[c] += g.values[row + c] }
          for k in 0..<width {
            let position = t - (width - 1) + k
            let source = (sequence * padded + t + k) * channels
            for c in 0..<channels { weightGradient[c * width + k] += g.values[row + c] * extended[source + c] }
            guard position >= 0 else { continue }
            let target = (sequence * length + position) * channels
            for c in 0..<channels { inputGradient[target + c] += w.values[c * width + k] * g.values[row + c] }
          }
        }
      }
      return [
        Tensor(unchecked: input.shape, inputGradient), Tensor(unchecked: w.shape, weightGradient),
        Tensor(unchecked: [channels], biasGradient),
      ]
    }
  }
}
