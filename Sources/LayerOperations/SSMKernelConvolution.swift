import Autodiff
import FFT

/// The convolution half of the S4 and S4D tape ops: `y = K ∗ u + D u` with `H` causal kernels,
/// or, given `2H` kernels, the bidirectional form `y_t += Σ_{s>t} K̃[s−t−1] u_s` with the last `H`;
/// and its backward pass by FFT correlations.
struct SSMKernelConvolution {
  let shape: SignalShape
  let causal: [Float]
  let antiCausal: [Float]?
  let skip: [Float]

  /// Splits `kernels` (`H·L`, or `2H·L` when `bidirectional`) into the causal and anti-causal halves.
  init(shape: SignalShape, kernels: [Float], bidirectional: Bool, skip: [Float]) {
    let split = shape.channels * shape.length
    self.shape = shape
    causal = Array(kernels[..<split])
    antiCausal = bidirectional ? Array(kernels[split...]) : nil
    self.skip = skip
  }

  /// `y` for `u` (`B × H × L`).
  func apply(_ u: [Float]) throws -> [Float] {
    try antiCausal.map {
      try bidirectionalConvolution(u, shape: shape, kernel: causal, antiCausalKernel: $0, skip: skip)
    } ?? causalConvolution(u, shape: shape, kernel: causal, skip: skip)
  }

  /// `∂ℒ/∂u`, `∂ℒ/∂K` (causal then anti-causal kernels, the layout of `kernels`) and `∂ℒ/∂D`.
  /// - Throws: the FFT module's errors (shapes other than the forward pass's).
  func gradients(outputGradient g: [Float], input u: [Float]) throws -> (
    input: [Float], kernels: [Float], skip: [Float]
  ) {
    let result =
      try antiCausal.map {
        try bidirectionalConvolutionGradients(
          outputGradient: g, input: u, shape: shape, kernel: causal, antiCausalKernel: $0, skip: skip)
      } ?? causalConvolutionGradients(outputGradient: g, input: u, shape: shape, kernel: causal, skip: skip)
    return (result.input, result.kernel + (result.antiCausalKernel ?? []), result.skip)
  }
}
