import Autodiff
import Models
import SeededRandom

/// One optimisation step of `model` on a batch of token sequences: forward pass,
/// mean cross-entropy over the scored positions, backward pass, clipping by global
/// norm, and an AdamW update. Works for a model of any family; its `training: true`
/// parallel logits draw the dropout masks.
///
/// - Parameters:
///   - model: the model; its parameters' gradients are reset, then updated in place.
///   - optimizer: the AdamW state.
///   - inputs: `B` token sequences of one length.
///   - targets: their targets, `CopyingTask.ignoredTarget` where unscored.
///   - maximumGradientNorm: the clipping bound of the global gradient norm.
///   - learningRateFactor: the schedule's multiplier at this step.
///   - step: the 1-based step number, for the error message.
///   - dropout: draws the dropout masks.
/// - Returns: the batch loss before the update.
/// - Throws: ``TrainingError/nonFiniteLoss(step:detail:)`` before any parameter changes
///   when the loss or a gradient is NaN or infinite.
public func trainingStep(
  _ model: any SequenceModel, optimizer: AdamW, inputs: [[Int]], targets: [[Int]], maximumGradientNorm: Float,
  learningRateFactor: Float, step: Int, dropout: inout SeededGenerator
) throws -> Float {
  let parameters = model.parameters
  parameters.forEach { $0.zeroGradient() }
  let tape = Tape()
  let logits = try model.logits(inputs, on: tape, training: true, generator: &dropout)
  let loss = try tape.softmaxCrossEntropy(logits, targets: targets.flatMap { $0 })
  let lossValue = tape.value(loss).scalar
  guard lossValue.isFinite else { throw TrainingError.nonFiniteLoss(step: step) }
  try tape.backward(loss)
  clipGradients(parameters, maximumNorm: maximumGradientNorm)
  do {
    try optimizer.update(parameters, learningRateFactor: learningRateFactor)
  } catch TrainingError.nonFiniteGradient(let name) {
    throw TrainingError.nonFiniteLoss(step: step, detail: "gradient of \(name)")
  }
  return lossValue
}
