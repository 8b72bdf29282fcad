import FFT
import Numerics

extension DiagonalSSM {
  /// Convolution-mode forward of one chunk with state passing: `(u, x₀) → (y, x_L)`.
  ///
  /// With `x_{−1} = x₀` the outputs split into the zero-state response (the FFT
  /// convolution with the kernel) and the zero-input response of `x₀`:
  ///
  ///     y_k = (K ∗ u)_k + D u_k + 2 Re Σ_n C_n Ā_n^{k+1} x₀_n,
  ///     x_{L−1} = Ā^L x₀ + Σ_j Ā^{L−1−j} B̄ u_j,
  ///
  /// the second sum being a Vandermonde evaluation with weights `C ⊙ Ā ⊙ x₀`. The
  /// final state comes from the `O(M)`-per-step recurrence (no outputs). Feeding
  /// chunk after chunk equals one recurrent run over their concatenation.
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
    var state = start
    _ = try DiagonalRecurrence(self, as: Scalar.self).run(u, length: shape.length, skip: skip, state: &state)
    let kernel = try kernel(length: shape.length, as: Scalar.self)
    var y = try causalConvolution(u, shape: shape, kernel: kernel, skip: skip)
    if initialState != nil {
      let (aBar, _) = discretized()
      let m = modes
      let channels = self.channels
      let x0Values = start.values
      let weights = (0..<(shape.rows * m)).map { index -> Complex<Double> in
        let (row, n) = index.quotientAndRemainder(dividingBy: m)
        let h = row % channels
        let x0 = Complex(Double(x0Values[index].real), Double(x0Values[index].imaginary))
        return c[h * m + n] * aBar[h * m + n] * x0
      }
      let response = VandermondeKernel(aBar: aBar, channels: channels, modes: m)
        .evaluate(
          weights: weights, rows: shape.rows, channelOfRow: { $0 % channels }, length: shape.length, as: Scalar.self)
      for i in y.indices { y[i] += response[i] }
    }
    return (y, state)
  }
}
