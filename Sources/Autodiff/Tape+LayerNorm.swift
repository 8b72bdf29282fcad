extension Tape {
  /// Layer normalisation over the last axis (`D`):
  ///
  ///     x̂ = (x − μ)/√(σ² + ε),   y = γ ⊙ x̂ + β,
  ///
  /// with `μ`, `σ²` the mean and (biased) variance of each row. Backward, per row:
  /// `∂ℒ/∂x = (1/σ̃)(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))` with `ĝ = g ⊙ γ`, `σ̃ = √(σ² + ε)`;
  /// `∂ℒ/∂γ = Σ_rows g ⊙ x̂`, `∂ℒ/∂β = Σ_rows g`.
  public func layerNorm(_ a: Variable, gamma: Variable, beta: Variable, epsilon: Float = 1e-5) throws -> Variable {
    let x = value(a)
    guard let d = x.shape.last, d > 0, value(gamma).shape == [d], value(beta).shape == [d] else {
      throw AutodiffError.shapeMismatch("layer norm of \(x.shape) with γ \(value(gamma).shape), β \(value(beta).shape)")
    }
    let (g0, b0) = (value(gamma).values, value(beta).values)
    let rows = x.count / d
    let keep = recordsGradients
    var normalized = [Float](repeating: 0, count: keep ? x.count : 0)
    var inverseDeviation = [Float](repeating: 0, count: rows)
    var output = [Float](repeating: 0, count: x.count)
    x.values.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { y in
        normalized.withUnsafeMutableBufferPointer { n in
          for r in 0..<rows {
            let row = input.baseAddress! + r * d
            let mean = VectorMath.sum(row, count: d) / Float(d)
            let variance = VectorMath.sumOfSquares(row, count: d, shift: mean) / Float(d)
            let inverse = 1 / (variance + epsilon).squareRoot()
            inverseDeviation[r] = inverse
            for j in 0..<d {
              let value = (row[j] - mean) * inverse
              if keep { n[r * d + j] = value }
              y[r * d + j] = g0[j] * value + b0[j]
            }
          }
        }
      }
    }
    return record(Tensor(unchecked: x.shape, output), inputs: [a, gamma, beta]) { g in
      var (gx, gGamma, gBeta) = (Tensor(shape: x.shape), Tensor(shape: [d]), Tensor(shape: [d]))
      for r in 0..<rows {
        var (meanG, meanGX) = (Float(0), Float(0))
        for j in 0..<d {
          let scaled = g.values[r * d + j] * g0[j]
          meanG += scaled
          meanGX += scaled * normalized[r * d + j]
          gGamma.values[j] += g.values[r * d + j] * normalized[r * d + j]
          gBeta.values[j] += g.values[r * d + j]
        }
        (meanG, meanGX) = (meanG / Float(d), meanGX / Float(d))
        for j in 0..<d {
          let scaled = g.values[r * d + j] * g0[j]
          gx.values[r * d + j] = inverseDeviation[r] * (scaled - meanG - normalized[r * d + j] * meanGX)
        }
      }
      return [gx, gGamma, gBeta]
    }
  }
}
