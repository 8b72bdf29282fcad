import Parallelism

extension Tape {
  /// The same values with another shape of equal count.
  public func reshape(_ a: Variable, to shape: [Int]) throws -> Variable {
    let x = value(a)
    guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == x.count else {
      throw AutodiffError.shapeMismatch("cannot reshape \(x.shape) to \(shape)")
    }
    return record(value: Tensor(unchecked: shape, x.values), inputs: [a]) { g in
      [Tensor(unchecked: x.shape, g.values)]
    }
  }

  /// Permutes the axes: output axis `i` is input axis `permutation[i]`. The backward pass
  /// applies the inverse permutation.
  public func transpose(_ a: Variable, permutation: [Int]) throws -> Variable {
    let x = value(a)
    guard permutation.sorted() == Array(0..<x.rank) else {
      throw AutodiffError.invalidArgument("\(permutation) is not a permutation of the \(x.rank) axes")
    }
    // Swapping the last two axes (B × L × H ↔ B × H × L around every S4 layer) is common
    // enough for a direct loop: no index map of B·L·H integers to build.
    if x.rank == 3, permutation == [0, 2, 1] {
      let (batch, rows, columns) = (x.shape[0], x.shape[1], x.shape[2])
      return record(
        value: Tensor(unchecked: [batch, columns, rows], Self.swapLastAxes(x.values, batch, rows, columns)), inputs: [a]
      ) {
        g in [Tensor(unchecked: x.shape, Self.swapLastAxes(g.values, batch, columns, rows))]
      }
    }
    let (output, map) = Self.permute(x, permutation)
    return record(value: output, inputs: [a]) { g in
      var back = Tensor(shape: x.shape)
      for (flat, source) in map.enumerated() { back.values[source] = g.values[flat] }
      return [back]
    }
  }

  /// `B × R × C` → `B × C × R`, in tiles of 32 × 32 for cache locality, bands of 32 rows in parallel.
  static func swapLastAxes(_ values: [Float], _ batch: Int, _ rows: Int, _ columns: Int) -> [Float] {
    guard !values.isEmpty else { return [] }
    return [Float](unsafeUninitializedCapacity: values.count) { output, count in
      values.withUnsafeBufferPointer { input in
        let tile = 32
        let bands = (rows + tile - 1) / tile
        let (source, target) = (
          SharedPointer(UnsafeMutablePointer(mutating: input.baseAddress!)), SharedPointer(output.baseAddress!)
        )
        ParallelRows.forEach(rows: batch * bands, width: tile * columns) { range in
          for item in range {
            let (b, r0) = (item / bands, (item % bands) * tile)
            let (from, to) = (source.base + b * rows * columns, target.base + b * rows * columns)
            for c0 in stride(from: 0, to: columns, by: tile) {
              for r in r0..<min(r0 + tile, rows) {
                for c in c0..<min(c0 + tile, columns) { to[c * rows + r] = from[r * columns + c] }
              }
            }
          }
        }
      }
      count = values.count
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
