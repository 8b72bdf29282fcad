extension Tape {
  /// `a + b` with broadcasting; `∂ℒ/∂a` is `∂ℒ/∂y` summed over the broadcast dimensions.
  public func add(_ a: Variable, _ b: Variable) throws -> Variable {
    let (x, y) = (value(a), value(b))
    if x.shape == y.shape {  // residual connections: no broadcast, both gradients are g itself
      let sum = ParallelRows.combine(x.values, y.values) { $0 + $1 }
      return record(value: Tensor(unchecked: x.shape, sum), inputs: [a, b]) { g in [g, g] }
    }
    return try binary(a, b, { $0 + $1 }, { g, _, _ in (g, g) })
  }

  /// `a − b` with broadcasting.
  public func subtract(_ a: Variable, _ b: Variable) throws -> Variable {
    try binary(a, b, { $0 - $1 }, { g, _, _ in (g, -g) })
  }

  /// `a ⊙ b` with broadcasting: `∂ℒ/∂a = g ⊙ b`, `∂ℒ/∂b = g ⊙ a`.
  public func multiply(_ a: Variable, _ b: Variable) throws -> Variable {
    try binary(a, b, { $0 * $1 }, { g, x, y in (g * y, g * x) })
  }

  /// `c · a` for a constant `c`.
  public func scale(_ a: Variable, by factor: Float) -> Variable {
    let x = value(a)
    return record(value: Tensor(unchecked: x.shape, x.values.map { $0 * factor }), inputs: [a]) { g in
      [Tensor(unchecked: g.shape, g.values.map { $0 * factor })]
    }
  }

  /// An elementwise binary operation with broadcasting; `derivative(g, a, b)` gives the
  /// per-element contributions to `∂ℒ/∂a`, `∂ℒ/∂b` before reduction to the input shapes.
  @inline(__always)
  private func binary(
    _ a: Variable, _ b: Variable, _ operation: (Float, Float) -> Float,
    _ derivative: @escaping (Float, Float, Float) -> (Float, Float)
  ) throws -> Variable {
    let (x, y) = (value(a), value(b))
    let shape = try Broadcast.shape(x.shape, y.shape)
    let (xIndex, yIndex) = (Broadcast.indices(from: x.shape, to: shape), Broadcast.indices(from: y.shape, to: shape))
    let count = shape.reduce(1, *)
    let output =
      xIndex == nil && yIndex == nil
      ? zip(x.values, y.values).map { operation($0, $1) }
      : (0..<count).map { operation(x.values[xIndex?[$0] ?? $0], y.values[yIndex?[$0] ?? $0]) }
    return record(value: Tensor(unchecked: shape, output), inputs: [a, b]) { g in
      var (gx, gy) = (Tensor(shape: shape), Tensor(shape: shape))
      for i in 0..<g.count {
        (gx.values[i], gy.values[i]) = derivative(g.values[i], x.values[xIndex?[i] ?? i], y.values[yIndex?[i] ?? i])
      }
      return [Broadcast.reduce(gx, to: x.shape), Broadcast.reduce(gy, to: y.shape)]
    }
  }
}

extension Tensor {
  /// A tensor whose shape and count are known to agree.
  package init(unchecked shape: [Int], _ values: [Float]) {
    precondition(values.count == shape.reduce(1, *), "internal: \(values.count) values for \(shape)")
    self.shape = shape
    self.values = values
  }
}
