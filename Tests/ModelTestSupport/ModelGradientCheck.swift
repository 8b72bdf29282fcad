import Autodiff
import Models
import SeededRandom
import Testing

/// Checks the tape's gradient of a model's mean cross-entropy against central differences,
/// for up to `checksPerParameter` entries of every parameter. In float32 with step
/// `h = 1e-2`: the difference's rounding error is ≈ ε₃₂|ℒ|/h ≈ 3e-5 and the truncation error
/// ≈ h²|ℒ‴|/6, so `2e-2` of the parameter's largest gradient (plus 1e-4 absolute) passes a
/// correct backward and fails a wrong sign, a missing factor or an ignored path.
public func checkModelGradients<Model: SequenceModel>(
  _ model: Model, tokens: [[Int]], targets: [[Int]], checksPerParameter: Int = 4,
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  try checkParameterGradients(model.parameters, checksPerParameter: checksPerParameter, sourceLocation: sourceLocation)
  {
    tape in
    var unused = SeededGenerator(seed: 0)
    let logits = try model.logits(tokens, on: tape, training: false, generator: &unused)
    return try tape.softmaxCrossEntropy(logits, targets: targets.flatMap { $0 })
  }
}

/// The central-difference check behind ``checkModelGradients(_:tokens:targets:checksPerParameter:sourceLocation:)``
/// for any scalar `loss` of the `parameters` recorded on a fresh tape: for up to `checksPerParameter` evenly strided
/// entries θ of each parameter, the tape's `∂ℒ/∂θ` must agree with `(ℒ(θ + h) − ℒ(θ − h)) / 2h` (`h = 1e-2`) to
/// `relativeTolerance · max(max |∂ℒ/∂parameter|, smallestScale) + absoluteTolerance`. The defaults are the model
/// check's (see there for why); a caller with other tolerances states its own reasons.
public func checkParameterGradients(
  _ parameters: [Parameter], checksPerParameter: Int = 4, relativeTolerance: Float = 2e-2,
  absoluteTolerance: Float = 1e-4, smallestScale: Float = 0, sourceLocation: SourceLocation = #_sourceLocation,
  loss: (Tape) throws -> Variable
) throws {
  func evaluate() throws -> (Tape, Variable) {
    let tape = Tape()
    return (tape, try loss(tape))
  }
  parameters.forEach { $0.zeroGradient() }
  let (tape, total) = try evaluate()
  try tape.backward(total)
  let step: Float = 1e-2
  for parameter in parameters {
    let analytic = parameter.gradient
    let scale = max(analytic.values.map(abs).max() ?? 0, smallestScale)
    let stride = max(1, parameter.value.count / checksPerParameter)
    for element in Swift.stride(from: 0, to: parameter.value.count, by: stride) {
      let original = parameter.value.values[element]
      parameter.value.values[element] = original + step
      let (plusTape, plus) = try evaluate()
      parameter.value.values[element] = original - step
      let (minusTape, minus) = try evaluate()
      parameter.value.values[element] = original
      let numeric = (plusTape.value(plus).scalar - minusTape.value(minus).scalar) / (2 * step)
      #expect(
        abs(analytic.values[element] - numeric) <= relativeTolerance * scale + absoluteTolerance,
        "\(parameter.name)[\(element)]: analytic \(analytic.values[element]), numeric \(numeric)",
        sourceLocation: sourceLocation)
    }
  }
}
