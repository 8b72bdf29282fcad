import Autodiff
import LayerOperations
import ModelTestSupport
import Numerics
import S4
import Testing

@Suite("Bidirectional S4 (DPLR) convolution")
struct BidirectionalS4Tests {
  /// Inputs of a bidirectional DPLR layer with `H = 2`, `S = 2H` systems, `M = 3`, rank 1:
  /// `u`, `log(−Re λ)` (Re λ = −½), `Im λ`, `P` (small), `B`, `C̃`, `log dt`, `D`.
  static func inputs(batch: Int, length: Int) throws -> [Tensor] {
    let (channels, systems, modes) = (2, 4, 3)
    return [
      randomTensor([batch, channels, length], seed: 111),
      try Tensor(shape: [systems, modes], values: [Float](repeating: Float(-0.6931), count: systems * modes)),
      try Tensor(shape: [systems, modes], values: (0..<(systems * modes)).map { -Float($0 % modes) * 2 - 0.5 }),
      randomTensor([systems, 1, modes, 2], seed: 112, scale: 0.3), randomTensor([systems, modes, 2], seed: 113),
      randomTensor([systems, modes, 2], seed: 114), try Tensor(shape: [systems], values: [-2.5, -1.2, -2, -1.5]),
      randomTensor([channels], seed: 115),
    ]
  }

  static func convolve(_ tape: Tape, _ v: [Variable]) throws -> Variable {
    try tape.s4Convolution(
      v[0],
      S4Variables(
        logNegativeRealLambda: v[1], imaginaryLambda: v[2], p: v[3], b: v[4], tildeC: v[5], logDt: v[6], skip: v[7]),
      bidirectional: true, horizon: tape.value(v[0]).shape[2])
  }

  // The forward pass against its definition, summed directly in float64 from the float64
  // kernels of the 2H systems: y_t = Σ_{s≤t} K[t−s] u_s + Σ_{s>t} K̃[s−t−1] u_s + D u_t.
  // 1e-5 of max|y|: the op's kernel is float32 Cauchy sums (≈ 1e-6 relative here) and its
  // convolution a float32 FFT; reading the anti-causal kernel reversed or off by one step
  // changes y at O(1).
  @Test func equalsDirectSum() throws {
    let (batch, length) = (2, 12)
    let inputs = try Self.inputs(batch: batch, length: length)
    let tape = Tape(recordsGradients: false)
    let y = tape.value(try Self.convolve(tape, inputs.map { tape.constant($0) })).values
    let system = try DPLRSSM(
      logNegativeRealLambda: inputs[1], imaginaryLambda: inputs[2], p: inputs[3], b: inputs[4], c: inputs[5],
      logDt: inputs[6])
    let kernel = try system.kernel(length: length, tildeC: inputs[5].complexValues, as: Double.self)
    let (u, skip, channels) = (inputs[0].values.map(Double.init), inputs[7].values.map(Double.init), 2)
    var reference = [Double](repeating: 0, count: u.count)
    for b in 0..<batch {
      for h in 0..<channels {
        let row = (b * channels + h) * length
        let (causal, antiCausal) = (h * length, (channels + h) * length)
        for t in 0..<length {
          var sum = skip[h] * u[row + t]
          for s in 0...t { sum += kernel[causal + t - s] * u[row + s] }
          for s in (t + 1)..<length { sum += kernel[antiCausal + s - t - 1] * u[row + s] }
          reference[row + t] = sum
        }
      }
    }
    let scale = reference.map(abs).max()!
    let deviation = zip(y, reference).map { abs(Double($0) - $1) }.max()!
    #expect(deviation <= 1e-5 * scale, "max deviation \(deviation) of \(scale)")
  }

  // The backward pass (bidirectionalConvolutionGradients, then DPLRSSM.kernelGradients of the
  // 2H kernels) against central differences of the float32 forward pass for u, λ, P, B, C̃,
  // log dt and D — the conventions of `checkGradients` (step 1e-2, 1e-2 of the largest gradient).
  @Test func gradientsMatchCentralDifferences() throws {
    try checkGradients(try Self.inputs(batch: 2, length: 12)) { tape, v in try Self.convolve(tape, v) }
  }

  // Bidirectional layers need 2H systems; H systems (a causal parameter set) are refused.
  @Test func rejectsCausalParameterShapes() throws {
    let inputs = try Self.inputs(batch: 1, length: 8)
    let tape = Tape(recordsGradients: false)
    /// The first half of each system-indexed tensor (`H` systems instead of `2H`).
    func firstHalf(_ tensor: Tensor) throws -> Tensor {
      try Tensor(
        shape: [tensor.shape[0] / 2] + tensor.shape.dropFirst(), values: Array(tensor.values.prefix(tensor.count / 2)))
    }
    let causalShaped = [inputs[0]] + (try inputs[1..<7].map(firstHalf)) + [inputs[7]]
    #expect(throws: AutodiffError.self) { _ = try Self.convolve(tape, causalShaped.map { tape.constant($0) }) }
  }
}
