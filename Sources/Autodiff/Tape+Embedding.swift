import SeededRandom

extension Tape {
  /// Rows of `table` (`V × D`) for each index: `n × D`; the backward pass adds each
  /// row's gradient into the table row it came from.
  public func embedding(_ table: Variable, indices: [Int]) throws -> Variable {
    let t = value(table)
    guard t.rank == 2 else { throw AutodiffError.shapeMismatch("embedding table of shape \(t.shape)") }
    let (v, d) = (t.shape[0], t.shape[1])
    for index in indices where !(0..<v).contains(index) {
      throw AutodiffError.invalidArgument("token \(index) outside 0..<\(v)")
    }
    var output = [Float]()
    output.reserveCapacity(indices.count * d)
    for index in indices { output += t.values[(index * d)..<((index + 1) * d)] }
    return record(value: Tensor(unchecked: [indices.count, d], output), inputs: [table]) { g in
      var back = Tensor(shape: t.shape)
      for (row, index) in indices.enumerated() {
        for j in 0..<d { back.values[index * d + j] += g.values[row * d + j] }
      }
      return [back]
    }
  }

  /// Inverted dropout: each element is kept with probability `1 − p` and scaled by
  /// `1/(1 − p)`, so the expectation is unchanged; the same mask scales the gradient.
  /// The mask comes from `generator` (seeded runs are reproducible).
  public func dropout(_ a: Variable, probability p: Float, generator: inout SeededGenerator) throws -> Variable {
    guard p >= 0, p < 1 else { throw AutodiffError.invalidArgument("dropout probability \(p) outside [0, 1)") }
    let x = value(a)
    guard p > 0 else { return a }
    let keep = 1 / (1 - p)
    let mask = (0..<x.count).map { _ in generator.nextUnitInterval() >= Double(p) ? keep : 0 }
    return record(value: Tensor(unchecked: x.shape, zip(x.values, mask).map { $0 * $1 }), inputs: [a]) { g in
      [Tensor(unchecked: g.shape, zip(g.values, mask).map { $0 * $1 })]
    }
  }
}
