import Autodiff
import Testing

/// Compares the tape's gradients of `ℒ = Σ w ⊙ f(inputs)` (fixed random `w`) with central
/// differences in float32: step `h = 1e-2` makes the rounding error of the difference
/// ≈ ε₃₂|ℒ|/h ≈ 1e-5|ℒ| and the truncation error ≈ h²|ℒ‴|/6 ≈ 2e-5|ℒ‴|, so a tolerance of
/// 1e-2 of the largest gradient passes any correct backward and fails a wrong sign, a
/// missing factor 2 or an ignored input (errors of order the gradient itself).
public func checkGradients(
  _ inputs: [Tensor], tolerance: Float = 1e-2, step: Float = 1e-2, maximumChecks: Int = 40,
  sourceLocation: SourceLocation = #_sourceLocation,
  _ function: (Tape, [Variable]) throws -> Variable
) throws {
  func loss(_ values: [Tensor]) throws -> (Tape, [Variable], Variable) {
    let tape = Tape()
    let variables = values.map { tape.constant($0) }
    let output = try function(tape, variables)
    let weights = tape.constant(randomTensor(tape.value(output).shape, seed: 99))
    return (tape, variables, tape.sum(try tape.multiply(output, weights)))
  }
  let (tape, variables, total) = try loss(inputs)
  let gradients = try tape.backward(total)
  for (which, input) in inputs.enumerated() {
    let analytic = gradients[variables[which]] ?? Tensor(shape: input.shape)
    let scale = max(analytic.values.map(abs).max() ?? 0, 1e-3)
    let stride = max(1, input.count / maximumChecks)
    for element in Swift.stride(from: 0, to: input.count, by: stride) {
      var (plus, minus) = (inputs, inputs)
      plus[which].values[element] += step
      minus[which].values[element] -= step
      let (tapePlus, _, lossPlus) = try loss(plus)
      let (tapeMinus, _, lossMinus) = try loss(minus)
      let numeric = (tapePlus.value(lossPlus).scalar - tapeMinus.value(lossMinus).scalar) / (2 * step)
      #expect(
        abs(analytic.values[element] - numeric) <= tolerance * scale,
        "input \(which)[\(element)]: analytic \(analytic.values[element]), numeric \(numeric)",
        sourceLocation: sourceLocation)
    }
  }
}
