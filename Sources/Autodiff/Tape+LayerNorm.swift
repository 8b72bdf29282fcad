import Parallelism

extension Tape {
  /// Layer normalisation over the last axis (`D`):
  ///
  ///     x̂ = (x − μ)/√(σ² + ε),   y = γ ⊙ x̂ + β,
  ///
  /// with `μ`, `σ²` the mean and (biased) variance of each row. Backward, per row:
  /// `∂ℒ/∂x = (1/σ̃)(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))` with `ĝ = g ⊙ γ`, `σ̃ = √(σ² + ε)`;
  /// `∂ℒ/∂γ = Σ_rows g ⊙ x̂`, `∂ℒ/∂β = Σ_rows g`. Rows in parallel, eight lanes at a time; the
  /// sums over rows add fixed blocks of rows in order (see `ParallelRows`).
  public func layerNorm(_ a: Variable, gamma: Variable, beta: Variable, epsilon: Float = 1e-5) throws -> Variable {
    let x = value(a)
    guard let d = x.shape.last, d > 0, value(gamma).shape == [d], value(beta).shape == [d] else {
      throw AutodiffError.shapeMismatch("layer norm of \(x.shape) with γ \(value(gamma).shape), β \(value(beta).shape)")
    }
    let (g0, b0) = (value(gamma).values, value(beta).values)
    let rows = x.count / d
    guard rows > 0 else {
      return record(value: x, inputs: [a, gamma, beta]) { _ in [x, Tensor(shape: [d]), Tensor(shape: [d])] }
    }
    let keep = recordsGradients
    var normalized = [Float](repeating: 0, count: keep ? x.count : 1)
    var inverseDeviation = [Float](repeating: 0, count: rows)
    var output = [Float](repeating: 0, count: x.count)
    x.values.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { y in
        normalized.withUnsafeMutableBufferPointer { n in
          inverseDeviation.withUnsafeMutableBufferPointer { deviations in
            g0.withUnsafeBufferPointer { gammaValues in
              b0.withUnsafeBufferPointer { betaValues in
                let (source, target, kept, inverses) = (
                  SharedPointer(UnsafeMutablePointer(mutating: input.baseAddress!)), SharedPointer(y.baseAddress!),
                  SharedPointer(n.baseAddress!), SharedPointer(deviations.baseAddress!)
                )
                let (scale, shift) = (
                  SharedPointer(UnsafeMutablePointer(mutating: gammaValues.baseAddress!)),
                  SharedPointer(UnsafeMutablePointer(mutating: betaValues.baseAddress!))
                )
                ParallelRows.forEach(rows: rows, width: d) { range in
                  for r in range {
                    inverses.base[r] = RowKernels.layerNorm(
                      source.base + r * d, count: d, gamma: scale.base, beta: shift.base, epsilon: epsilon,
                      into: target.base + r * d, normalized: keep ? kept.base + r * d : nil)
                  }
                }
              }
            }
          }
        }
      }
    }
    return record(value: Tensor(unchecked: x.shape, output), inputs: [a, gamma, beta]) { g in
      Self.layerNormGradients(
        g.values, normalized: normalized, inverseDeviation: inverseDeviation, gamma: g0, rows: rows, width: d,
        shape: x.shape)
    }
  }

  /// `[∂ℒ/∂x, ∂ℒ/∂γ, ∂ℒ/∂β]` of ``layerNorm(_:gamma:beta:epsilon:)`` for the upstream gradient `g`
  /// (`rows × width`), the forward's `x̂` and `1/σ̃` per row.
  private static func layerNormGradients(
    _ g: [Float], normalized: [Float], inverseDeviation: [Float], gamma: [Float], rows: Int, width d: Int,
    shape: [Int]
  ) -> [Tensor] {
    let blocks = (rows + ParallelRows.reductionBlock - 1) / ParallelRows.reductionBlock
    // Per block of rows: Σ g ⊙ x̂ (first d values) and Σ g (next d values).
    var partialSums = [Float](repeating: 0, count: blocks * 2 * d)
    var gx = [Float](repeating: 0, count: g.count)
    g.withUnsafeBufferPointer { upstream in
      normalized.withUnsafeBufferPointer { n in
        inverseDeviation.withUnsafeBufferPointer { deviations in
          gamma.withUnsafeBufferPointer { gammaValues in
            gx.withUnsafeMutableBufferPointer { target in
              partialSums.withUnsafeMutableBufferPointer { partial in
                let (gy, kept, inverses, scale) = (
                  SharedPointer(UnsafeMutablePointer(mutating: upstream.baseAddress!)),
                  SharedPointer(UnsafeMutablePointer(mutating: n.baseAddress!)),
                  SharedPointer(UnsafeMutablePointer(mutating: deviations.baseAddress!)),
                  SharedPointer(UnsafeMutablePointer(mutating: gammaValues.baseAddress!))
                )
                let (output, sums) = (SharedPointer(target.baseAddress!), SharedPointer(partial.baseAddress!))
                ParallelRows.forEach(rows: blocks, width: ParallelRows.reductionBlock * d) { blockRange in
                  for block in blockRange {
                    let (gammaSum, betaSum) = (sums.base + block * 2 * d, sums.base + block * 2 * d + d)
                    let firstRow = block * ParallelRows.reductionBlock
                    for r in firstRow..<min(firstRow + ParallelRows.reductionBlock, rows) {
                      let (gRow, nRow, gxRow) = (gy.base + r * d, kept.base + r * d, output.base + r * d)
                      var (sumG, sumGX) = (SIMD8<Float>(), SIMD8<Float>())
                      for j in stride(from: 0, to: d, by: 8) {
                        let lanes = min(8, d - j)
                        let (gj, nj) = (
                          VectorMath.load(gRow + j, lanes: lanes), VectorMath.load(nRow + j, lanes: lanes)
                        )
                        let scaled = gj * VectorMath.load(scale.base + j, lanes: lanes)
                        sumG += scaled
                        sumGX += scaled * nj
                        VectorMath.store(
                          VectorMath.load(gammaSum + j, lanes: lanes) + gj * nj, to: gammaSum + j, lanes: lanes)
                        VectorMath.store(VectorMath.load(betaSum + j, lanes: lanes) + gj, to: betaSum + j, lanes: lanes)
                      }
                      let (meanG, meanGX) = (sumG.sum() / Float(d), sumGX.sum() / Float(d))
                      let inverse = inverses.base[r]
                      for j in stride(from: 0, to: d, by: 8) {
                        let lanes = min(8, d - j)
                        let scaled =
                          VectorMath.load(gRow + j, lanes: lanes) * VectorMath.load(scale.base + j, lanes: lanes)
                        VectorMath.store(
                          inverse * (scaled - meanG - VectorMath.load(nRow + j, lanes: lanes) * meanGX), to: gxRow + j,
                          lanes: lanes)
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
    var (gGamma, gBeta) = ([Float](repeating: 0, count: d), [Float](repeating: 0, count: d))
    for block in 0..<blocks {
      for j in 0..<d {
        gGamma[j] += partialSums[block * 2 * d + j]
        gBeta[j] += partialSums[block * 2 * d + d + j]
      }
    }
    return [
      Tensor(unchecked: shape, gx), Tensor(unchecked: [d], gGamma), Tensor(unchecked: [d], gBeta),
    ]
  }
}
