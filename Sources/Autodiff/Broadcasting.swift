/// NumPy-style broadcasting: shapes align at their last dimension, and a dimension of
/// 1 (or a missing leading one) stretches to the other's extent.
enum Broadcast {
  /// The broadcast shape of `a` and `b`.
  static func shape(_ a: [Int], _ b: [Int]) throws -> [Int] {
    let rank = max(a.count, b.count)
    let paddedA = [Int](repeating: 1, count: rank - a.count) + a
    let paddedB = [Int](repeating: 1, count: rank - b.count) + b
    return try zip(paddedA, paddedB).map { x, y in
      guard x == y || x == 1 || y == 1 else {
        throw AutodiffError.shapeMismatch("cannot broadcast \(a) with \(b)")
      }
      return max(x, y)
    }
  }

  /// For every flat index of `output`, the flat index of the element of a tensor of
  /// `shape` that broadcasting maps to it; `nil` when `shape == output` (the identity, so
  /// same-shape operations build no index array).
  static func indices(from shape: [Int], to output: [Int]) -> [Int]? {
    if shape == output { return nil }
    let count = output.reduce(1, *)
    // A trailing block repeated (a bias over the last axes).
    if shape.count <= output.count, Array(output.suffix(shape.count)) == shape {
      let block = max(1, shape.reduce(1, *))
      return (0..<count).map { $0 % block }
    }
    let padded = [Int](repeating: 1, count: output.count - shape.count) + shape
    let strides = Tensor.strides(padded).enumerated().map { padded[$0.offset] == 1 ? 0 : $0.element }
    return gatherMap(shape: output, strides: strides)
  }

  /// Sums a gradient of the broadcast shape back onto `shape` (the adjoint of broadcasting).
  static func reduce(_ gradient: Tensor, to shape: [Int]) -> Tensor {
    guard let map = indices(from: shape, to: gradient.shape) else { return gradient }
    var result = Tensor(shape: shape)
    for (flat, source) in map.enumerated() {
      result.values[source] += gradient.values[flat]
    }
    return result
  }
}
