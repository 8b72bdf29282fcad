/// A float32 n-dimensional array, row-major: element `(i₀, …, i_{k−1})` is at
/// `Σ_j i_j · stride_j` with `stride_{k−1} = 1`. A rank-0 tensor (shape `[]`) holds one value.
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
  /// The extent of each dimension.
  public let shape: [Int]
  /// The `shape.product` values, row-major.
  public var values: [Float]

  /// A tensor with the given values.
  /// - Throws: ``AutodiffError/shapeMismatch(_:)`` if `values.count ≠ Π shape` or a dimension is negative.
  public init(shape: [Int], values: [Float]) throws {
    guard shape.allSatisfy({ $0 >= 0 }) else { throw AutodiffError.shapeMismatch("negative dimension in \(shape)") }
    guard values.count == shape.reduce(1, *) else {
      throw AutodiffError.shapeMismatch("\(values.count) values for shape \(shape) (\(shape.reduce(1, *)))")
    }
    self.shape = shape
    self.values = values
  }

  /// A tensor of `value` (zeros by default).
  public init(shape: [Int], repeating value: Float = 0) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
    self.shape = shape
    values = [Float](repeating: value, count: shape.reduce(1, *))
  }

  /// A rank-0 tensor.
  public init(scalar: Float) {
    shape = []
    values = [scalar]
  }

  /// `Π shape`.
  public var count: Int { values.count }
  /// The number of dimensions.
  public var rank: Int { shape.count }
  /// The single value of a tensor with one element.
  public var scalar: Float {
    precondition(values.count == 1, "tensor of shape \(shape) is not a scalar")
    return values[0]
  }

  /// Row-major strides of `shape`.
  static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[axis] = running
      running *= shape[axis]
    }
    return strides
  }

  public var description: String { "Tensor(shape: \(shape), values: \(values.prefix(8))\(count > 8 ? "…" : ""))" }
}
