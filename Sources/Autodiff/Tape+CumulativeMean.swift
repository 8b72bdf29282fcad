extension Tape {
  /// Causal mean pooling over the sequence axis of `x` (`B × L × D`): position `t` holds the mean
  /// of positions `0 … t`, continuing a sum of `priorCount` earlier positions (`priorSum`, `B × D`,
  /// a constant) when the sequence is read in chunks:
  ///
  ///     y_t = (S₀ + Σ_{s≤t} x_s) / (n₀ + t + 1),   ∂ℒ/∂x_s = Σ_{t≥s} (∂ℒ/∂y_t) / (n₀ + t + 1).
  ///
  /// At the last position of a whole sequence this is the mean over all positions (the pooled
  /// read-out of sequence classifiers), while every position still sees only its past.
  public func cumulativeMean(_ a: Variable, priorSum: Tensor? = nil, priorCount: Int = 0) throws -> Variable {
    let x = value(a)
    guard x.rank == 3, priorCount >= 0, priorSum.map({ $0.shape == [x.shape[0], x.shape[2]] }) ?? (priorCount == 0)
    else {
      throw AutodiffError.shapeMismatch(
        "cumulative mean of \(x.shape) with prior sum \(priorSum?.shape ?? []) over \(priorCount) positions")
    }
    let (batch, length, width) = (x.shape[0], x.shape[1], x.shape[2])
    var output = [Float](repeating: 0, count: x.count)
    for b in 0..<batch {
      var sum =
        priorSum.map { Array($0.values[(b * width)..<((b + 1) * width)]) } ?? [Float](repeating: 0, count: width)
      for t in 0..<length {
        let row = (b * length + t) * width
        let scale = 1 / Float(priorCount + t + 1)
        for j in 0..<width {
          sum[j] += x.values[row + j]
          output[row + j] = sum[j] * scale
        }
      }
    }
    return record(value: Tensor(unchecked: x.shape, output), inputs: [a]) { g in
      var back = [Float](repeating: 0, count: x.count)
      for b in 0..<batch {
        var carried = [Float](repeating: 0, count: width)
        for t in stride(from: length - 1, through: 0, by: -1) {
          let row = (b * length + t) * width
          let scale = 1 / Float(priorCount + t + 1)
          for j in 0..<width {
            carried[j] += g.values[row + j] * scale
            back[row + j] = carried[j]
          }
        }
      }
      return [Tensor(unchecked: x.shape, back)]
    }
  }
}
