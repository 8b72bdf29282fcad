import Autodiff

/// What ``Tape/selectiveScan(_:delta:a:b:c:skip:initialState:)`` returns: the output on the tape and
/// the state after the last position (for state passing in recurrent mode).
public struct SelectiveScanResult {
  /// `y`, `B × L × D`.
  public let output: Variable
  /// `x_{L−1}`, `B × D × N`.
  public let finalState: Tensor
}

extension Tape {
  /// Mamba's selective scan (S6) as one coarse operation: for every sequence and channel `d`, with
  /// input-dependent `Δ_t`, `B_t`, `C_t`,
  ///
  ///     x_t[d, n] = exp(Δ_t[d] A[d, n]) x_{t−1}[d, n] + Δ_t[d] B_t[n] u_t[d]
  ///     y_t[d]    = Σ_n C_t[n] x_t[d, n] + D[d] u_t[d]
  ///
  /// from `x_{−1}` = `initialState` (zeros when `nil`): `A` zero-order held (`Ā = exp(ΔA)`), `B`
  /// discretised Euler-style (`B̄ = Δ B`), the Mamba paper's reference discretisation. `Δ` arrives
  /// positive (the caller applies softplus); `A < 0` gives decaying states. The forward pass keeps no
  /// states; the backward pass recomputes them and runs the reverse scan
  /// `∂ℒ/∂x_t = C_t ∂ℒ/∂y_t + Ā_{t+1} ∂ℒ/∂x_{t+1}` (see `SelectiveScanKernel.backward`). No gradient
  /// flows into the initial state.
  ///
  /// - Parameters:
  ///   - u: the input, `B × L × D`.
  ///   - delta: the step sizes `Δ`, `B × L × D`.
  ///   - a: the transition `A`, `D × N`.
  ///   - b: the input matrices `B_t`, `B × L × N`.
  ///   - c: the output matrices `C_t`, `B × L × N`.
  ///   - skip: `D`, `D` values.
  ///   - initialState: `x_{−1}`, `B × D × N`, or `nil` for zeros.
  /// - Returns: `y` (`B × L × D`) on the tape and the final state `x_{L−1}` (`B × D × N`).
  /// - Throws: ``AutodiffError/shapeMismatch(_:)`` for shapes other than these or any size below 1.
  public func selectiveScan(
    _ u: Variable, delta: Variable, a: Variable, b: Variable, c: Variable, skip: Variable,
    initialState: Tensor? = nil
  ) throws -> SelectiveScanResult {
    let (input, steps, transition) = (value(u), value(delta), value(a))
    let (inputMatrix, outputMatrix, skipValues) = (value(b), value(c), value(skip))
    guard input.rank == 3, input.shape.allSatisfy({ $0 >= 1 }) else {
      throw AutodiffError.shapeMismatch("selective scan input \(input.shape) is not B × L × D with B, L, D ≥ 1")
    }
    let (batch, length, channels) = (input.shape[0], input.shape[1], input.shape[2])
    guard steps.shape == input.shape else {
      throw AutodiffError.shapeMismatch("selective scan Δ \(steps.shape) differs from the input \(input.shape)")
    }
    guard transition.rank == 2, transition.shape[0] == channels, transition.shape[1] >= 1 else {
      throw AutodiffError.shapeMismatch("selective scan A \(transition.shape) is not \(channels) × N with N ≥ 1")
    }
    let stateSize = transition.shape[1]
    for (name, matrix) in [("B", inputMatrix), ("C", outputMatrix)] where matrix.shape != [batch, length, stateSize] {
      throw AutodiffError.shapeMismatch(
        "selective scan \(name) \(matrix.shape) is not [\(batch), \(length), \(stateSize)] (B × L × N)")
    }
    guard skipValues.shape == [channels] else {
      throw AutodiffError.shapeMismatch("selective scan D \(skipValues.shape) is not [\(channels)]")
    }
    if let initialState, initialState.shape != [batch, channels, stateSize] {
      throw AutodiffError.shapeMismatch(
        "selective scan initial state \(initialState.shape) is not [\(batch), \(channels), \(stateSize)] (B × D × N)")
    }
    let shape = SelectiveScanShape(batch: batch, length: length, channels: channels, stateSize: stateSize)
    var transposed = [Float](repeating: 0, count: channels * stateSize)
    for d in 0..<channels {
      for n in 0..<stateSize { transposed[n * channels + d] = transition.values[d * stateSize + n] }
    }
    let (output, final) = SelectiveScanKernel.forward(
      u: input.values, delta: steps.values, transitionT: transposed, b: inputMatrix.values, c: outputMatrix.values,
      skip: skipValues.values, initial: initialState?.values, shape: shape)
    let variable = record(value: Tensor(unchecked: input.shape, output), inputs: [u, delta, a, b, c, skip]) { g in
      let gradients = SelectiveScanKernel.backward(
        outputGradient: g.values, u: input.values, delta: steps.values, transitionT: transposed,
        b: inputMatrix.values, c: outputMatrix.values, skip: skipValues.values, initial: initialState?.values,
        shape: shape)
      return [
        Tensor(unchecked: input.shape, gradients.u), Tensor(unchecked: input.shape, gradients.delta),
        Tensor(unchecked: transition.shape, gradients.transition), Tensor(unchecked: inputMatrix.shape, gradients.b),
        Tensor(unchecked: outputMatrix.shape, gradients.c), Tensor(unchecked: [channels], gradients.skip),
      ]
    }
    return SelectiveScanResult(
      output: variable, finalState: Tensor(unchecked: [batch, channels, stateSize], final))
  }
}
