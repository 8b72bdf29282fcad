import Autodiff
import LayerOperations
import ModelTestSupport
import Testing

@Suite("S4 and S4D layer operations: gradients against central differences")
struct SSMConvolutionGradientTests {
  // The whole S4D convolution layer as one operation, against differences of the
  // float32 forward pass (inputs, λ, B, C, log dt, D all checked).
  @Test func s4dConvolution() throws {
    let (batch, channels, modes, length) = (2, 2, 3, 16)
    let inputs = [
      randomTensor([batch, channels, length], seed: 81),
      try Tensor(shape: [channels, modes], values: [Float](repeating: Float(-0.6931), count: channels * modes)),
      try Tensor(shape: [channels, modes], values: (0..<(channels * modes)).map { Float($0 % modes) * 3.14159 }),
      randomTensor([channels, modes, 2], seed: 82), randomTensor([channels, modes, 2], seed: 83),
      try Tensor(shape: [channels], values: [-2.5, -1.2]), randomTensor([channels], seed: 84),
    ]
    try checkGradients(inputs, step: 1e-2) { tape, v in
      try tape.s4dConvolution(
        v[0],
        S4DVariables(logNegativeRealLambda: v[1], imaginaryLambda: v[2], b: v[3], c: v[4], logDt: v[5], skip: v[6]))
    }
  }

  // The bidirectional S4D layer: 2H systems (H causal, H anti-causal kernels), D per channel.
  @Test func bidirectionalS4DConvolution() throws {
    let (batch, channels, modes, length) = (2, 2, 3, 12)
    let systems = 2 * channels
    let inputs = [
      randomTensor([batch, channels, length], seed: 101),
      try Tensor(shape: [systems, modes], values: [Float](repeating: Float(-0.6931), count: systems * modes)),
      try Tensor(shape: [systems, modes], values: (0..<(systems * modes)).map { Float($0 % modes) * 3.14159 }),
      randomTensor([systems, modes, 2], seed: 102), randomTensor([systems, modes, 2], seed: 103),
      try Tensor(shape: [systems], values: [-2.5, -1.2, -2, -1.5]), randomTensor([channels], seed: 104),
    ]
    try checkGradients(inputs) { tape, v in
      try tape.s4dConvolution(
        v[0],
        S4DVariables(logNegativeRealLambda: v[1], imaginaryLambda: v[2], b: v[3], c: v[4], logDt: v[5], skip: v[6]),
        bidirectional: true)
    }
  }

  // The S4 (DPLR) layer as one op: LegS-like λ (Re λ = −½), rank 1, against differences of
  // the float32 forward pass for inputs, λ, P, B, C̃, log dt and D; at the input's length and at
  // a longer kernel horizon (the input uses the first 16 of 40 taps). Step 2.5e-3: at horizon 40
  // the loss curves faster in log dt, and h = 1e-2's O(h²) truncation reached 3.5 % of the
  // gradient (measured: the difference to the analytic value fell 0.087 → 0.021 → 0.0049 as h
  // halved, ×4 per halving, so the backward is right); rounding stays ≈ ε₃₂|ℒ|/h ≈ 3e-5|ℒ|.
  @Test(arguments: [16, 40]) func s4Convolution(horizon: Int) throws {
    let (batch, channels, modes, length) = (2, 2, 3, 16)
    let inputs = [
      randomTensor([batch, channels, length], seed: 91),
      try Tensor(shape: [channels, modes], values: [Float](repeating: Float(-0.6931), count: channels * modes)),
      try Tensor(shape: [channels, modes], values: (0..<(channels * modes)).map { -Float($0 % modes) * 2 - 0.5 }),
      randomTensor([channels, 1, modes, 2], seed: 92, scale: 0.3), randomTensor([channels, modes, 2], seed: 93),
      randomTensor([channels, modes, 2], seed: 94), try Tensor(shape: [channels], values: [-2.5, -1.2]),
      randomTensor([channels], seed: 95),
    ]
    try checkGradients(inputs, step: 2.5e-3) { tape, v in
      try tape.s4Convolution(
        v[0],
        S4Variables(
          logNegativeRealLambda: v[1], imaginaryLambda: v[2], p: v[3], b: v[4], tildeC: v[5], logDt: v[6],
          skip: v[7]), horizon: horizon)
    }
  }
}
