import Foundation
import Parallelism

extension Tape {
  /// GELU, exact: `y = x Φ(x) = ½ x (1 + erf(x/√2))`, `y′ = Φ(x) + x φ(x)`, with
  /// `φ(x) = e^{−x²/2}/√(2π)`; eight lanes at a time (erf to 1.5e-7, see `VectorMath`), over the cores.
  public func gelu(_ a: Variable) -> Variable {
    let x = value(a)
    var output = [Float](repeating: 0, count: x.count)
    var derivative = [Float](repeating: 0, count: recordsGradients ? x.count : 0)
    let keep = recordsGradients
    x.values.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { y in
        ParallelRows.map(input.baseAddress!, y.baseAddress!, count: x.count, RowKernels.gelu)
      }
      guard keep else { return }
      derivative.withUnsafeMutableBufferPointer { slope in
        ParallelRows.map(input.baseAddress!, slope.baseAddress!, count: x.count) { v in
          0.5 * (1 + VectorMath.erf(v * 0.707_106_77)) + v * VectorMath.exp(-0.5 * v * v) * 0.398_942_3
        }
      }
    }
    return record(value: Tensor(unchecked: x.shape, output), inputs: [a]) { g in
      [Tensor(unchecked: g.shape, ParallelRows.combine(g.values, derivative) { $0 * $1 })]
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

  /// Softplus: `y = log(1 + eˣ)`, computed as `max(x, 0) + log1p(e^{−|x|})` (no overflow for large
  /// `x`), `y′ = σ(x)`.
  public func softplus(_ a: Variable) -> Variable {
    unary(a) { x in
      (Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))), 1 / (1 + exp(-x)))
    }
  }

  /// GLU over the last axis (even extent `2D`): with `x = [u, v]`, `y = u ⊙ σ(v)`
  /// (`… × D`); `∂ℒ/∂u = g σ(v)`, `∂ℒ/∂v = g u σ(v)(1 − σ(v))`. Rows in parallel, eight lanes at a time.
  public func glu(_ a: Variable) throws -> Variable {
    let x = value(a)
    guard let last = x.shape.last, last.isMultiple(of: 2), last > 0 else {
      throw AutodiffError.shapeMismatch("GLU needs an even last dimension, got \(x.shape)")
    }
    let half = last / 2
    let rows = x.count / last
    guard rows > 0 else {
      return record(value: Tensor(unchecked: Array(x.shape.dropLast()) + [half], []), inputs: [a]) { _ in [x] }
    }
    let output = [Float](unsafeUninitializedCapacity: rows * half) { y, count in
      x.values.withUnsafeBufferPointer { input in
        let (source, target) = (
          SharedPointer(UnsafeMutablePointer(mutating: input.baseAddress!)), SharedPointer(y.baseAddress!)
        )
        ParallelRows.forEach(rows: rows, width: last) { range in
          for r in range { RowKernels.glu(source.base + r * last, half: half, into: target.base + r * half) }
        }
      }
      count = rows * half
    }
    return record(value: Tensor(unchecked: Array(x.shape.dropLast()) + [half], output), inputs: [a]) { g in
      let gradient = [Float](unsafeUninitializedCapacity: x.count) { gx, count in
        x.values.withUnsafeBufferPointer { input in
          g.values.withUnsafeBufferPointer { upstream in
            let (source, gy, target) = (
              SharedPointer(UnsafeMutablePointer(mutating: input.baseAddress!)),
              SharedPointer(UnsafeMutablePointer(mutating: upstream.baseAddress!)), SharedPointer(gx.baseAddress!)
            )
            ParallelRows.forEach(rows: rows, width: last) { range in
              for r in range {
                let (u, v, gOut) = (source.base + r * last, source.base + r * last + half, gy.base + r * half)
                let (gu, gv) = (target.base + r * last, target.base + r * last + half)
                for j in stride(from: 0, to: half, by: 8) {
                  let lanes = min(8, half - j)
                  let gate = VectorMath.sigmoid(VectorMath.load(v + j, lanes: lanes))
                  let upstreamLanes = VectorMath.load(gOut + j, lanes: lanes)
                  VectorMath.store(upstreamLanes * gate, to: gu + j, lanes: lanes)
                  VectorMath.store(
                    upstreamLanes * VectorMath.load(u + j, lanes: lanes) * gate * (1 - gate), to: gv + j, lanes: lanes)
                }
              }
            }
          }
        }
        count = x.count
      }
      return [Tensor(unchecked: x.shape, gradient)]
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
    return record(value: Tensor(unchecked: x.shape, output), inputs: [a]) { g in
      [Tensor(unchecked: g.shape, zip(g.values, derivative).map { $0 * $1 })]
    }
  }
}
