import CBLAS

/// Whether an operand of ``multiplyFloat32(_:_:m:n:k:transposeA:transposeB:accumulateInto:)``
/// is used as stored or transposed.
public enum Transpose: Sendable {
  /// The operand as stored.
  case none
  /// The operand's transpose.
  case transposed
}

/// Single-precision matrix product on OpenBLAS `cblas_sgemm`:
/// `C ← op(A)·op(B) (+ C)`, all row-major.
///
/// Shapes: `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`. `A` is stored
/// `m × k` (or `k × m` when transposed), `B` `k × n` (or `n × k`).
///
/// - Parameters:
///   - a: `A`, `m·k` values.
///   - b: `B`, `k·n` values.
///   - m: rows of `op(A)` and `C`.
///   - n: columns of `op(B)` and `C`.
///   - k: the inner dimension.
///   - transposeA: whether `op(A) = Aᵀ`.
///   - transposeB: whether `op(B) = Bᵀ`.
///   - initial: when non-nil, the product is added to these `m·n` values
///     (`β = 1`); otherwise `C` starts from zero.
/// - Returns: `C`, `m·n` values row-major.
public func multiplyFloat32(
  _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
  transposeA: Transpose = .none, transposeB: Transpose = .none,
  accumulateInto initial: [Float]? = nil
) -> [Float] {
  precondition(m >= 0 && n >= 0 && k >= 0, "sgemm sizes must be non-negative")
  precondition(a.count == m * k, "sgemm: A has \(a.count) values, expected \(m * k)")
  precondition(b.count == k * n, "sgemm: B has \(b.count) values, expected \(k * n)")
  var c = initial ?? [Float](repeating: 0, count: m * n)
  precondition(c.count == m * n, "sgemm: C has \(c.count) values, expected \(m * n)")
  guard m > 0, n > 0, k > 0 else { return c }
  let lda = transposeA == .none ? k : m
  let ldb = transposeB == .none ? n : k
  cblas_sgemm(
    CblasRowMajor, transposeA == .none ? CblasNoTrans : CblasTrans,
    transposeB == .none ? CblasNoTrans : CblasTrans,
    blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb),
    initial == nil ? 0 : 1, &c, blasint(n))
  return c
}

/// Sets the number of threads OpenBLAS uses for one call. Use 1 when the caller
/// already parallelises over independent work.
public func setBLASThreadCount(_ count: Int) {
  precondition(count >= 1, "thread count must be at least 1")
  openblas_set_num_threads(Int32(count))
}
