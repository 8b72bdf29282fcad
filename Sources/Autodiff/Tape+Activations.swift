import Foundation

extension Tape {
  /// GELU, exact: `y = x Φ(x) = ½ x (1 + erf(x/√2))`, `y′ = Φ(x) + x φ(x)`, with
  /// `φ(x) = e^{−x²/2}/√(2π)`; eight lanes at a time (erf to 1.5e-7, see `VectorMath`).
  public func gelu(_ a: Variable) -> Variable {
    let x = value(a)
    var output = [Float](repeating: 0, count: x.count)
    var derivative = [Float](repeating: 0, count: recordsGradients ? x.count : 0)
    let keep = recordsGradients
    x.values.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { y in
        VectorMath.map(input.baseAddress!, y.baseAddress!, count: x.count) { v in
          0.5 * v * (1 + VectorMath.erf(v * 0.707_106_77))
        }
      }
      guard keep else { return }
      derivative.withUnsafeMutableBufferPointer { slope in
        VectorMath.map(input.baseAddress!, slope.baseAddress!, count: x.count) { v in
          0.5 * (1 + VectorMath.erf(v * 0.707_106_77)) + v * VectorMath.exp(-0.5 * v * v) * 0.398_942_3
        }
      }
    }
    return record(Tensor(unchecked: x.shape, output), inputs: [a]) { g in
      [Tensor(unchecked: g.shape, zip(g.values, derivative).map { $0 * $1 })]
    }
  }

  /// SiLU: `y = x σ(x)`, `y′ = σ(x)(1 + x(1 − σ(x)))`.
  public func silu(_ a: Variable) -> Variable {
    unary(a) { x in
      let sigma = 1 / (1 + exp(-x))
      return (x * sigma, sigma * (1 + x * (1 - sigma)))
    }
  }

  /// `tanh`, `y′ = 1 − y²`.
  public func tanh(_ a: Variable) -> Variable {
    unary(a) { x in
      let y = Foundation.tanh(x)
      return (y, 1 - y * y)
    }
  }

  /// `σ(x) = 1/(1 + e^{−x})`, `σ′ = σ(1 − σ)`.
  public func sigmoid(_ a: Variable) -> Variable {
    unary(a) { x in
      let sigma = 1 / (1 + exp(-x))
      return (sigma, sigma * (1 - sigma))
    }
  }

  /// GLU over the last axis (even extent `2D`): with `x = [u, v]`, `y = u ⊙ σ(v)`
  /// (`… × D`); `∂ℒ/∂u = g σ(v)`, `∂ℒ/∂v = g u σ(v)(1 − σ(v))`.
  public func glu(_ a: Variable) throws -> Variable {
    let x = value(a)
    guard let last = x.shape.last, last.isMultiple(of: 2), last > 0 else {
      throw AutodiffError.shapeMismatch("GLU needs an even last dimension, got \(x.shape)")
    }
    let half = last / 2
    let rows = x.count / last
    var output = [Float](repeating: 0, count: rows * half)
    for r in 0..<rows {
      for j in 0..<half {
        let (u, v) = (x.values[r * last + j], x.values[r * last + half + j])
        output[r * half + j] = u / (1 + Foundation.exp(-v))
      }
    }
    return record(Tensor(unchecked: Array(x.shape.dropLast()) + [half], output), inputs: [a]) { g in
      var gx = Tensor(shape: x.shape)
      for r in 0..<rows {
        for j in 0..<half {
          let (u, v) = (x.values[r * last + j], x.values[r * last + half + j])
          let sigma = 1 / (1 + Foundation.exp(-v))
          let gy = g.values[r * half + j]
          gx.values[r * last + j] = gy * sigma
          gx.values[r * last + half + j] = gy * u * sigma * (1 - sigma)
        }
      }
      return [gx]
    }
  }

  /// An elementwise function given as `x ↦ (f(x), f′(x))` (float32 libm functions, accurate
  /// to a few ulp); the derivatives are kept only when the tape records gradients.
  private func unary(_ a: Variable, _ function: (Float) -> (Float, Float)) -> Variable {
    let x = value(a)
    var output = [Float](repeating: 0, count: x.count)
    var derivative = [Float](repeating: 0, count: recordsGradients ? x.count : 0)
    for i in x.values.indices {
      let (y, slope) = function(x.values[i])
      output[i] = y
      if recordsGradients { derivative[i] = slope }
    }
    return record(Tensor(unchecked: x.shape, output), inputs: [a]) { g in
      [Tensor(unchecked: g.shape, zip(g.values, derivative).map { $0 * $1 })]
    }
  }
}
