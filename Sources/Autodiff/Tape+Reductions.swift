extension Tape {
  /// `Σ x` over every element (a scalar); `∂ℒ/∂x = g` everywhere.
  public func sum(_ a: Variable) -> Variable {
    let x = value(a)
    return record(value: Tensor(scalar: x.values.reduce(0, +)), inputs: [a]) { g in
      [Tensor(shape: x.shape, repeating: g.scalar)]
    }
  }

  /// The mean over every element.
  public func mean(_ a: Variable) -> Variable {
    scale(sum(a), by: 1 / Float(max(1, value(a).count)))
  }

  /// The mean over one axis (removed from the shape), e.g. mean pooling over the
  /// sequence axis of `B × L × D` with `axis: 1`.
  public func mean(_ a: Variable, axis: Int) throws -> Variable {
    let x = value(a)
    guard axis >= 0, axis < x.rank, x.shape[axis] > 0 else {
      throw AutodiffError.invalidArgument("axis \(axis) of shape \(x.shape)")
    }
    let outer = x.shape[..<axis].reduce(1, *)
    let extent = x.shape[axis]
    let inner = x.shape[(axis + 1)...].reduce(1, *)
    var output = [Float](repeating: 0, count: outer * inner)
    let weight = 1 / Float(extent)
    for o in 0..<outer {
      for e in 0..<extent {
        for i in 0..<inner { output[o * inner + i] += x.values[(o * extent + e) * inner + i] * weight }
      }
    }
    var shape = x.shape
    shape.remove(at: axis)
    return record(value: Tensor(unchecked: shape, output), inputs: [a]) { g in
      var back = Tensor(shape: x.shape)
      for o in 0..<outer {
        for e in 0..<extent {
          for i in 0..<inner { back.values[(o * extent + e) * inner + i] = g.values[o * inner + i] * weight }
        }
      }
      return [back]
    }
  }
}
