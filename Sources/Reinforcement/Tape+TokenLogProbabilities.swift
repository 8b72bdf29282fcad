import Autodiff
import Foundation

extension Tape {
  /// The log-probabilities of chosen tokens under the softmax of chosen logit rows (a log-softmax
  /// gather): for each `k`,
  ///
  ///     ℓ_k = log softmax(z_{r_k})[v_k] = z_{r_k, v_k} − log Σ_u exp z_{r_k, u},
  ///     ∂ℓ_k/∂z_{r_k, u} = 𝟙[u = v_k] − softmax(z_{r_k})_u,
  ///
  /// for `logits` `z` of shape `N × V`, rows `r_k ∈ 0 ..< N` and tokens `v_k ∈ 0 ..< V`; the result
  /// has shape `K` (one entry per pair; a row may appear several times or not at all). The softmax
  /// subtracts the row maximum first and sums in float64.
  /// - Throws: `AutodiffError` for logits not of rank 2, `rows` and `tokens` of different counts,
  ///   or a row or token out of range.
  public func tokenLogProbabilities(_ logits: Variable, rows: [Int], tokens: [Int]) throws -> Variable {
    let z = value(logits)
    guard z.rank == 2 else { throw AutodiffError.shapeMismatch("logits must be N × V, got \(z.shape)") }
    guard rows.count == tokens.count else {
      throw AutodiffError.shapeMismatch("\(rows.count) rows for \(tokens.count) tokens")
    }
    let (n, v) = (z.shape[0], z.shape[1])
    if let row = rows.first(where: { !(0..<n).contains($0) }) {
      throw AutodiffError.invalidArgument("row \(row) outside 0..<\(n)")
    }
    if let token = tokens.first(where: { !(0..<v).contains($0) }) {
      throw AutodiffError.invalidArgument("token \(token) outside 0..<\(v)")
    }
    var probabilities: [[Float]] = []
    probabilities.reserveCapacity(rows.count)
    var logProbabilities = [Float](repeating: 0, count: rows.count)
    for (k, (row, token)) in zip(rows, tokens).enumerated() {
      let logits = z.values[(row * v)..<((row + 1) * v)]
      let top = Double(logits.max() ?? 0)
      let exponentials = logits.map { exp(Double($0) - top) }
      let total = exponentials.reduce(0, +)
      probabilities.append(exponentials.map { Float($0 / total) })
      logProbabilities[k] = Float(Double(z.values[row * v + token]) - top - log(total))
    }
    return record(value: try Tensor(shape: [rows.count], values: logProbabilities), inputs: [logits]) { g in
      var back = Tensor(shape: z.shape)
      for (k, (row, token)) in zip(rows, tokens).enumerated() {
        for u in 0..<v { back.values[row * v + u] -= g.values[k] * probabilities[k][u] }
        back.values[row * v + token] += g.values[k]
      }
      return [back]
    }
  }
}
