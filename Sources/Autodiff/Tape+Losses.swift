import Numerics

extension Tape {
  /// Mean softmax cross-entropy of `logits` (`N × V`) against class `targets` (`N`),
  /// skipping positions whose target is `ignoredTarget`:
  ///
  ///     ℒ = −(1/n) Σ_{i kept} log softmax(z_i)[t_i],   ∂ℒ/∂z_i = (softmax(z_i) − e_{t_i})/n,
  ///
  /// with `n` the number of kept positions (the loss is 0 when none is kept). Softmax
  /// subtracts the row maximum first.
  public func softmaxCrossEntropy(_ logits: Variable, targets: [Int], ignoredTarget: Int = -100) throws -> Variable {
    let z = value(logits)
    guard z.rank == 2, z.shape[0] == targets.count else {
      throw AutodiffError.shapeMismatch("logits \(z.shape) for \(targets.count) targets")
    }
    let (n, v) = (z.shape[0], z.shape[1])
    for t in targets where t != ignoredTarget && !(0..<v).contains(t) {
      throw AutodiffError.invalidArgument("target \(t) outside 0..<\(v)")
    }
    let kept = targets.filter { $0 != ignoredTarget }.count
    var probabilities = [Float](repeating: 0, count: z.count)
    var loss: Double = 0
    for i in 0..<n {
      let row = z.values[(i * v)..<((i + 1) * v)]
      let top = row.max() ?? 0
      let total = row.reduce(Double(0)) { $0 + Double.exp(Double($1 - top)) }
      for j in 0..<v { probabilities[i * v + j] = Float(Double.exp(Double(z.values[i * v + j] - top)) / total) }
      if targets[i] != ignoredTarget { loss += Double.log(total) - Double(z.values[i * v + targets[i]] - top) }
    }
    let weight = kept > 0 ? 1 / Float(kept) : 0
    return record(value: Tensor(scalar: Float(loss) * weight), inputs: [logits]) { g in
      var back = Tensor(shape: z.shape)
      for i in 0..<n where targets[i] != ignoredTarget {
        for j in 0..<v {
          back.values[i * v + j] = g.scalar * weight * (probabilities[i * v + j] - (j == targets[i] ? 1 : 0))
        }
      }
      return [back]
    }
  }

  /// Mean squared error `(1/n) Σ (p − t)²` against a constant target of the same shape;
  /// `∂ℒ/∂p = 2(p − t)/n`.
  public func meanSquaredError(_ prediction: Variable, target: Tensor) throws -> Variable {
    let p = value(prediction)
    guard p.shape == target.shape else {
      throw AutodiffError.shapeMismatch("prediction \(p.shape) vs target \(target.shape)")
    }
    let n = Float(max(1, p.count))
    let differences = zip(p.values, target.values).map { $0 - $1 }
    let loss = differences.reduce(0) { $0 + $1 * $1 } / n
    return record(value: Tensor(scalar: loss), inputs: [prediction]) { g in
      [Tensor(unchecked: p.shape, differences.map { 2 * $0 / n * g.scalar })]
    }
  }
}
