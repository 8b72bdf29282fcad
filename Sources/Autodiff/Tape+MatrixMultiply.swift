extension Tape {
  /// `A·B` for `A` (`M × K`) and `B` (`K × N`) on `cblas_sgemm`;
  /// `∂ℒ/∂A = G Bᵀ`, `∂ℒ/∂B = Aᵀ G`.
  public func matmul(_ a: Variable, _ b: Variable) throws -> Variable {
    let (x, y) = (value(a), value(b))
    guard x.rank == 2, y.rank == 2, x.shape[1] == y.shape[0] else {
      throw AutodiffError.shapeMismatch("matmul of \(x.shape) and \(y.shape)")
    }
    let (m, k, n) = (x.shape[0], x.shape[1], y.shape[1])
    let output = gemm(x.values, y.values, m: m, n: n, k: k, transposeA: false, transposeB: false)
    return record(value: Tensor(unchecked: [m, n], output), inputs: [a, b]) { g in
      [
        Tensor(unchecked: [m, k], gemm(g.values, y.values, m: m, n: k, k: n, transposeA: false, transposeB: true)),
        Tensor(unchecked: [k, n], gemm(x.values, g.values, m: k, n: n, k: m, transposeA: true, transposeB: false)),
      ]
    }
  }

  /// A linear layer on the last axis: `y = x W + b` for `x` (`… × D_in`), `W` (`D_in × D_out`),
  /// `b` (`D_out`), as one matrix product over all `n` leading positions and one node:
  /// `∂ℒ/∂x = G Wᵀ`, `∂ℒ/∂W = Xᵀ G`, `∂ℒ/∂b = Σ_rows G` (with `X`: `n × D_in`, `G`: `n × D_out`).
  public func linear(_ x: Variable, weight: Variable, bias: Variable?) throws -> Variable {
    let (input, w) = (value(x), value(weight))
    guard let inner = input.shape.last, w.rank == 2, w.shape[0] == inner,
      bias.map({ value($0).shape == [w.shape[1]] }) ?? true
    else {
      throw AutodiffError.shapeMismatch(
        "linear of \(input.shape) with weight \(w.shape)\(bias.map { " and bias \(value($0).shape)" } ?? "")")
    }
    let (rows, outer) = (input.count / max(inner, 1), w.shape[1])
    var output = gemm(input.values, w.values, m: rows, n: outer, k: inner, transposeA: false, transposeB: false)
    if let bias {
      value(bias).values.withUnsafeBufferPointer { b in
        output.withUnsafeMutableBufferPointer { y in
          for r in 0..<rows {
            let row = y.baseAddress! + r * outer
            for j in 0..<outer { row[j] += b[j] }
          }
        }
      }
    }
    let shape = Array(input.shape.dropLast()) + [outer]
    return record(value: Tensor(unchecked: shape, output), inputs: [x, weight] + (bias.map { [$0] } ?? [])) { g in
      var gradients = [
        Tensor(
          unchecked: input.shape,
          gemm(g.values, w.values, m: rows, n: inner, k: outer, transposeA: false, transposeB: true)),
        Tensor(
          unchecked: w.shape,
          gemm(input.values, g.values, m: inner, n: outer, k: rows, transposeA: true, transposeB: false)),
      ]
      if bias != nil {
        var sums = [Float](repeating: 0, count: outer)
        for r in 0..<rows {
          for j in 0..<outer { sums[j] += g.values[r * outer + j] }
        }
        gradients.append(Tensor(unchecked: [outer], sums))
      }
      return gradients
    }
  }
}
