import CBLAS

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
    return record(Tensor(unchecked: [m, n], output), inputs: [a, b]) { g in
      [
        Tensor(unchecked: [m, k], gemm(g.values, y.values, m: m, n: k, k: n, transposeA: false, transposeB: true)),
        Tensor(unchecked: [k, n], gemm(x.values, g.values, m: k, n: n, k: m, transposeA: true, transposeB: false)),
      ]
    }
  }

  /// A linear layer on the last axis: `x W + b` for `x` (`… × D_in`), `W` (`D_in × D_out`),
  /// `b` (`D_out`), computed as one matrix product over all leading positions.
  public func linear(_ x: Variable, weight: Variable, bias: Variable?) throws -> Variable {
    let input = value(x)
    guard let inner = input.shape.last else { throw AutodiffError.shapeMismatch("linear of a scalar") }
    let rows = try reshape(x, to: [input.count / max(inner, 1), inner])
    var output = try matmul(rows, weight)
    if let bias { output = try add(output, bias) }
    return try reshape(output, to: Array(input.shape.dropLast()) + [value(weight).shape[1]])
  }
}

/// Row-major `op(A)·op(B)` with `op(A)` `m × k` and `op(B)` `k × n`.
func gemm(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> [Float] {
  var c = [Float](repeating: 0, count: m * n)
  guard m > 0, n > 0, k > 0 else { return c }
  cblas_sgemm(
    CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
    blasint(m), blasint(n), blasint(k), 1, a, blasint(transposeA ? m : k), b, blasint(transposeB ? k : n), 0, &c,
    blasint(n))
  return c
}
