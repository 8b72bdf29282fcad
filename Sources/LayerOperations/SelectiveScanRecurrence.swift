import Autodiff
import Foundation

/// The recurrent mode of the selective scan (``Tape/selectiveScan(_:delta:a:b:c:skip:initialState:)``), one
/// position at a time: the state `x` (`B × D × N`) advances by
///
///     x[b, d, n] ← exp(Δ[b, d] A[d, n]) x[b, d, n] + Δ[b, d] B[b, n] u[b, d]
///     y[b, d]    = Σ_n C[b, n] x[b, d, n] + D[d] u[b, d]
///
/// in scalar float32 loops: the same function as the parallel scan over a whole sequence, one token at a
/// time (generation), and written independently of it.
public struct SelectiveScanRecurrence: Sendable {
  /// `A`, `D × N`.
  public let a: Tensor
  /// `D`, `D` values.
  public let skip: Tensor
  /// `x`, `B × D × N`.
  public private(set) var state: Tensor

  /// A recurrence of `batch` sequences from `initialState` (zeros when `nil`).
  /// - Throws: ``AutodiffError/shapeMismatch(_:)`` unless `A` is `D × N`, `skip` is `D` and the initial
  ///   state `batch × D × N`, with every size ≥ 1.
  public init(a: Tensor, skip: Tensor, batch: Int, initialState: Tensor? = nil) throws {
    guard a.rank == 2, a.shape.allSatisfy({ $0 >= 1 }), batch >= 1, skip.shape == [a.shape[0]] else {
      throw AutodiffError.shapeMismatch("A \(a.shape), D \(skip.shape) and batch \(batch) are not D × N, D, ≥ 1")
    }
    let stateShape = [batch, a.shape[0], a.shape[1]]
    if let initialState, initialState.shape != stateShape {
      throw AutodiffError.shapeMismatch("initial state \(initialState.shape) is not \(stateShape)")
    }
    self.a = a
    self.skip = skip
    state = initialState ?? Tensor(shape: stateShape)
  }

  /// Advances the state past one position and returns its output `y` (`B × D`).
  /// - Parameters:
  ///   - u: `B × D`.
  ///   - delta: `Δ`, `B × D`.
  ///   - b: `B`, `B × N`.
  ///   - c: `C`, `B × N`.
  /// - Throws: ``AutodiffError/shapeMismatch(_:)`` for other shapes (the state is then unchanged).
  public mutating func step(u: Tensor, delta: Tensor, b: Tensor, c: Tensor) throws -> Tensor {
    let (batch, channels, stateSize) = (state.shape[0], state.shape[1], state.shape[2])
    guard u.shape == [batch, channels], delta.shape == [batch, channels], b.shape == [batch, stateSize],
      c.shape == [batch, stateSize]
    else {
      throw AutodiffError.shapeMismatch(
        "a step reads u, Δ of [\(batch), \(channels)] and B, C of [\(batch), \(stateSize)]; got \(u.shape), "
          + "\(delta.shape), \(b.shape), \(c.shape)")
    }
    var output = [Float](repeating: 0, count: batch * channels)
    for sequence in 0..<batch {
      for d in 0..<channels {
        let (dt, input) = (delta.values[sequence * channels + d], u.values[sequence * channels + d])
        var sum = skip.values[d] * input
        for n in 0..<stateSize {
          let index = (sequence * channels + d) * stateSize + n
          let x =
            Foundation.exp(dt * a.values[d * stateSize + n]) * state.values[index]
            + dt * b.values[sequence * stateSize + n] * input
          state.values[index] = x
          sum += c.values[sequence * stateSize + n] * x
        }
        output[sequence * channels + d] = sum
      }
    }
    return try Tensor(shape: [batch, channels], values: output)
  }
}
