extension Tape {
  /// The same values with another shape of equal count.
  public func reshape(_ a: Variable, to shape: [Int]) throws -> Variable {
    let x = value(a)
    guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == x.count else {
      throw AutodiffError.shapeMismatch("cannot reshape \(x.shape) to \(shape)")
    }
    return record(Tensor(unchecked: shape, x.values), inputs: [a]) { g in [Tensor(unchecked: x.shape, g.values)] }
  }

  /// Permutes the axes: output axis `i` is input axis `permutation[i]`. The backward pass
  /// applies the inverse permutation.
  public func transpose(_ a: Variable, permutation: [Int]) throws -> Variable {
    let x = value(a)
    guard permutation.sorted() == Array(0..<x.rank) else {
      throw AutodiffError.invalidArgument("\(permutation) is not a permutation of the \(x.rank) axes")
    }
    let (output, map) = Self.permute(x, permutation)
    return record(output, inputs: [a]) { g in
      var back = Tensor(shape: x.shape)
      for (flat, source) in map.enumerated() { back.values[source] = g.values[flat] }
      return [back]
    }
  }

  /// The permuted tensor and, for each of its flat indices, the source flat index.
  static func permute(_ x: Tensor, _ permutation: [Int]) -> (Tensor, [Int]) {
    let shape = permutation.map { x.shape[$0] }
    let strides = Tensor.strides(x.shape)
    let map = gatherMap(shape: shape, strides: permutation.map { strides[$0] })
    return (Tensor(unchecked: shape, map.map { x.values[$0] }), map)
  }
}
