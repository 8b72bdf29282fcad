import FFT
import Numerics

extension DiagonalSSM {
  /// Convolution-mode forward of one chunk with state passing: `(u, x₀) → (y, x_L)`.
  ///
  /// With `x_{−1} = x₀` the outputs split into the zero-state response (the FFT
  /// convolution with the kernel) and the zero-input response of `x₀`, and the final
  /// state into the decayed `x₀` and the chunk's own contribution:
  ///
  ///     y_k = (K ∗ u)_k + D u_k + 2 Re Σ_n C_n Ā_n^{k+1} x₀_n,
  ///     x_{L−1} = Ā^L x₀ + B̄ Σ_j Ā^{L−1−j} u_j.
  ///
  /// The response of `x₀` is a Vandermonde evaluation with weights `C ⊙ Ā ⊙ x₀`
  /// (``VandermondeKernel``), the last sum a transposed one (``VandermondeReduction``):
  /// `O(M·L)` per row each, and no step-by-step recurrence. Feeding chunk after chunk
  /// equals one recurrent run over their concatenation.
  ///
  /// Both modes cost `O(M·L)` per row; on a CPU the float32 ``DiagonalRecurrence/run(_:length:skip:state:)``
  /// is the faster way to advance a state at every chunk length (3× at `(B, H, N, L) = (1, 128, 64, 4096)`,
  /// where the FFT convolution alone costs about as much as the whole recurrence).
  ///
  /// - Parameters:
  ///   - u: `B × H × L` inputs.
  ///   - shape: `(B × H × L)`; `H` must equal ``channels``.
  ///   - skip: `D`, `H` values, or `nil`.
  ///   - initialState: `x₀` (`B × H × M`), zero when `nil`.
  /// - Returns: `y` (`B × H × L`) and the state after the last input.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func forward<Scalar: FFTScalar>(
    _ u: [Scalar], shape: SignalShape, skip: [Scalar]? = nil, initialState: DiagonalState<Scalar>? = nil
  ) throws -> (y: [Scalar], finalState: DiagonalState<Scalar>) {
    guard shape.channels == channels else {
      throw S4Error.shapeMismatch("the input has \(shape.channels) channels, the system \(channels)")
    }
    let start = initialState ?? DiagonalState(batch: shape.batch, channels: channels, modes: modes)
    guard start.batch == shape.batch else {
      throw S4Error.shapeMismatch("initial state is for batch \(start.batch), the input has \(shape.batch)")
    }
    try validateDiagonalChunk(u: u, length: shape.length, skip: skip, state: start, channels: channels, modes: modes)
    let (aBar, bBar) = discretized()
    let m = modes
    var y = try causalConvolution(
      u, shape: shape, kernel: try kernel(length: shape.length, as: Scalar.self), skip: skip)
    var finalState = VandermondeReduction(aBar: aBar, channels: channels, modes: m)
      .evaluate(u, batch: shape.batch, length: shape.length)
    for index in finalState.indices { finalState[index] *= bBar[index % (channels * m)] }
    if let initialState {
      let channels = self.channels
      let x0 = initialState.values.map { Complex(Double($0.real), Double($0.imaginary)) }
      let decay = aBar.map { $0.power(shape.length) }
      for index in finalState.indices { finalState[index] += decay[index % (channels * m)] * x0[index] }
      let weights = x0.indices.map { index in
        let channelMode = index % (channels * m)
        return c[channelMode] * aBar[channelMode] * x0[index]
      }
      let response = VandermondeKernel(aBar: aBar, channels: channels, modes: m)
        .evaluate(
          weights: weights, rows: shape.rows, channelOfRow: { $0 % channels }, length: shape.length, as: Scalar.self)
      for i in y.indices { y[i] += response[i] }
    }
    let state = try DiagonalState(
      batch: shape.batch, channels: channels, modes: m,
      values: finalState.map { Complex(Scalar($0.real), Scalar($0.imaginary)) })
    return (y, state)
  }
}

extension Complex<Double> {
  /// `zⁿ` for `n ≥ 0` by repeated squaring (`≈ 2 log₂ n` products, relative error ≈ `2 log₂ n · ε`).
  fileprivate func power(_ exponent: Int) -> Complex<Double> {
    var (result, base, remaining) = (Complex<Double>.one, self, exponent)
    while remaining > 0 {
      if remaining & 1 == 1 { result *= base }
      base *= base
      remaining >>= 1
    }
    return result
  }
}
