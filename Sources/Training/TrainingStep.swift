import Autodiff
import Models
import SeededRandom
import Tasks

/// One optimisation step of `model` on a batch of token sequences: forward pass,
/// mean cross-entropy over the scored positions, backward pass, clipping by global
/// norm, and the optimiser's update. Works for a model of any family; its `training: true`
/// parallel logits draw the dropout masks.
///
/// - Parameters:
///   - model: the model; its parameters' gradients are reset, then updated in place.
///   - optimizer: the optimiser (``AdamW``, ``SGD``); it applies the update.
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
  _ model: any SequenceModel, optimizer: any Optimizer, inputs: [[Int]], targets: [[Int]], maximumGradientNorm: Float,
  learningRateFactor: Float, step: Int, dropout: inout SeededGenerator
) throws -> Float {
  try optimize(
    model.parameters, optimizer: optimizer, maximumGradientNorm: maximumGradientNorm,
    learningRateFactor: learningRateFactor, step: step
  ) { tape in
    let logits = try model.logits(inputs, on: tape, training: true, generator: &dropout)
    return try tape.softmaxCrossEntropy(logits, targets: targets.flatMap { $0 })
  }
}

/// One optimisation step of `model` on a task batch of either kind: the loss of
/// ``taskLoss(_:batch:on:training:generator:)`` (cross-entropy for class targets, mean squared
/// error at the scored positions for value targets), backward pass, clipping by global norm,
/// and the optimiser's update. The parameters are as in
/// ``trainingStep(_:optimizer:inputs:targets:maximumGradientNorm:learningRateFactor:step:dropout:)``.
/// - Returns: the batch loss before the update.
/// - Throws: ``TrainingError/nonFiniteLoss(step:detail:)`` before any parameter changes when the
///   loss or a gradient is NaN or infinite; the errors of ``taskLoss(_:batch:on:training:generator:)``.
public func trainingStep(
  _ model: any SequenceModel, optimizer: any Optimizer, batch: TaskBatch, maximumGradientNorm: Float,
  learningRateFactor: Float, step: Int, dropout: inout SeededGenerator
) throws -> Float {
  try trainingStep(
    model, optimizer: optimizer, batch: batch, maximumGradientNorm: maximumGradientNorm,
    learningRateFactor: learningRateFactor, step: step, dropout: &dropout, shardSum: nil)
}

/// The step of ``trainingStep(_:optimizer:batch:maximumGradientNorm:learningRateFactor:step:dropout:)``
/// on one process's shard of a data-parallel run when `shardSum` is given: the gradients and
/// loss are summed over the processes (``ShardGradientSum``) between the backward pass and the
/// clipping.
func trainingStep(
  _ model: any SequenceModel, optimizer: any Optimizer, batch: TaskBatch, maximumGradientNorm: Float,
  learningRateFactor: Float, step: Int, dropout: inout SeededGenerator, shardSum: ShardGradientSum?
) throws -> Float {
  try optimize(
    model.parameters, optimizer: optimizer, maximumGradientNorm: maximumGradientNorm,
    learningRateFactor: learningRateFactor, step: step, shardSum: shardSum
  ) { tape in
    try taskLoss(model, batch: batch, on: tape, training: true, generator: &dropout)
  }
}

/// One Medusa-1 step (``MedusaObjective``): the frozen backbone's hidden states for the batch's
/// tokens, the heads' loss `Σ_k λ_k CE_k` on them, backward pass into the heads only, clipping by
/// global norm over the heads' parameters and the optimiser's update of those alone; the backbone's
/// parameters are not touched. `shardSum` as in
/// ``trainingStep(_:optimizer:batch:maximumGradientNorm:learningRateFactor:step:dropout:)``.
/// - Returns: the batch loss before the update.
/// - Throws: ``TrainingError/invalidState(_:)`` for a batch without token inputs and class targets;
///   ``TrainingError/nonFiniteLoss(step:detail:)`` before any parameter changes.
func medusaTrainingStep(
  _ backbone: any SequenceModel, objective: MedusaObjective, optimizer: any Optimizer, batch: TaskBatch,
  maximumGradientNorm: Float, learningRateFactor: Float, step: Int, shardSum: ShardGradientSum?
) throws -> Float {
  guard case .tokens(let tokens) = batch.inputs, case .classes(let classes) = batch.targets else {
    throw TrainingError.invalidState("Medusa heads train on token inputs with class targets")
  }
  let hidden = try MedusaObjective.frozenHiddenStates(of: backbone, tokens: tokens)
  return try optimize(
    objective.heads.parameters, optimizer: optimizer, maximumGradientNorm: maximumGradientNorm,
    learningRateFactor: learningRateFactor, step: step, shardSum: shardSum
  ) { tape in
    try objective.loss(hidden: tape.constant(hidden), targets: classes, on: tape)
  }
}

/// One Medusa-2 step (``MedusaObjective/jointLoss(_:tokens:targets:on:generator:)``): the backbone's
/// loss and the heads' on one forward pass, backward pass into backbone and heads, clipping by
/// global norm over all their parameters and the optimiser's update of them. `shardSum` as in
/// ``trainingStep(_:optimizer:batch:maximumGradientNorm:learningRateFactor:step:dropout:)``.
/// - Returns: the batch loss before the update.
/// - Throws: as ``medusaTrainingStep(_:objective:optimizer:batch:maximumGradientNorm:learningRateFactor:step:shardSum:)``.
func medusaJointTrainingStep(
  _ backbone: any SequenceModel, objective: MedusaObjective, optimizer: any Optimizer, batch: TaskBatch,
  maximumGradientNorm: Float, learningRateFactor: Float, step: Int, dropout: inout SeededGenerator,
  shardSum: ShardGradientSum?
) throws -> Float {
  guard case .tokens(let tokens) = batch.inputs, case .classes(let classes) = batch.targets else {
    throw TrainingError.invalidState("Medusa heads train on token inputs with class targets")
  }
  return try optimize(
    backbone.parameters + objective.heads.parameters, optimizer: optimizer, maximumGradientNorm: maximumGradientNorm,
    learningRateFactor: learningRateFactor, step: step, shardSum: shardSum
  ) { tape in
    try objective.jointLoss(backbone, tokens: tokens, targets: classes, on: tape, generator: &dropout)
  }
}

/// Zeroes the gradients, records `loss` on a fresh tape, back-propagates, sums over the processes
/// of a data-parallel run (`shardSum`), clips and updates. A process whose own loss is not finite
/// skips its backward pass but still joins the sum, whose loss is then not finite on every
/// process, so all stop at the same step.
private func optimize(
  _ parameters: [Parameter], optimizer: any Optimizer, maximumGradientNorm: Float, learningRateFactor: Float, step: Int,
  shardSum: ShardGradientSum? = nil, loss makeLoss: (Tape) throws -> Variable
) throws -> Float {
  parameters.forEach { $0.zeroGradient() }
  let tape = Tape()
  let loss = try makeLoss(tape)
  let ownLoss = tape.value(loss).scalar
  if ownLoss.isFinite { try tape.backward(loss) }
  let lossValue = try shardSum?.apply(to: parameters, loss: ownLoss) ?? ownLoss
  guard lossValue.isFinite else { throw TrainingError.nonFiniteLoss(step: step) }
  clipGradients(parameters, maximumNorm: maximumGradientNorm)
  do {
    try optimizer.update(parameters, learningRateFactor: learningRateFactor)
  } catch TrainingError.nonFiniteGradient(let name) {
    throw TrainingError.nonFiniteLoss(step: step, detail: "gradient of \(name)")
  }
  return lossValue
}

/// The training loss of `model` on `batch`, recorded on `tape`:
/// - token inputs with class targets: the mean softmax cross-entropy of
///   `SequenceModel/logits(_:on:training:generator:)` over the scored positions;
/// - feature inputs with value targets: ``scoredMeanSquaredError(_:batch:on:)`` of
///   `SequenceModel/outputs(features:on:training:generator:)`.
///
/// `generator` draws the dropout masks when `training`.
/// - Throws: ``TrainingError/invalidState(_:)`` for a batch mixing tokens with values or features
///   with classes; the model's errors when it reads the other kind of input.
public func taskLoss(
  _ model: any SequenceModel, batch: TaskBatch, on tape: Tape, training: Bool, generator: inout SeededGenerator
) throws -> Variable {
  switch (batch.inputs, batch.targets) {
  case (.tokens(let tokens), .classes(let classes)):
    let logits = try model.logits(tokens, on: tape, training: training, generator: &generator)
    return try tape.softmaxCrossEntropy(logits, targets: classes.flatMap { $0 }, ignoredTarget: TaskBatch.ignoredTarget)
  case (.features, .values):
    let outputs = try model.outputs(
      features: featureTensor(of: batch), on: tape, training: training, generator: &generator)
    return try scoredMeanSquaredError(outputs, batch: batch, on: tape)
  default:
    throw TrainingError.invalidState("a batch needs tokens with class targets or features with value targets")
  }
}

/// The mean squared error of a feature model's read-out `Y` (`B·L × O`, row `b·L + t`, as
/// `SequenceModel/outputs(features:on:training:generator:)` returns it) at the batch's
/// scored positions `P` only:
///
///     ℒ = 1/(B·|P|·O) Σ_b Σ_{p ∈ P} Σ_c (Y[b·L + p, c] − y[b, p, c])²,
///
/// recorded as a row gather (`Tape.embedding(_:indices:)` of `Y` at rows `b·L + p`, whose
/// backward scatters the rows' gradients back, zero elsewhere) then `Tape.meanSquaredError`.
/// Its value is the batch's `TaskBatch/meanSquaredError(predictions:layout:)` mean.
/// - Throws: ``TrainingError/invalidState(_:)`` for class targets or a read-out of another shape.
public func scoredMeanSquaredError(_ outputs: Variable, batch: TaskBatch, on tape: Tape) throws -> Variable {
  guard case .values(let values, let channels, let positions) = batch.targets else {
    throw TrainingError.invalidState("a mean squared error needs value targets")
  }
  let shape = tape.value(outputs).shape
  guard shape == [batch.size * batch.length, channels] else {
    throw TrainingError.invalidState(
      "read-out of shape \(shape); expected \(batch.size * batch.length) × \(channels) for the task's outputs")
  }
  let rows = (0..<batch.size).flatMap { b in positions.map { b * batch.length + $0 } }
  let scored = try tape.embedding(outputs, indices: rows)
  return try tape.meanSquaredError(scored, target: Tensor(shape: [rows.count, channels], values: values))
}

/// The inputs of a feature batch as a tensor, `size × length × channels`.
/// - Throws: ``TrainingError/invalidState(_:)`` for a token batch.
public func featureTensor(of batch: TaskBatch) throws -> Tensor {
  guard case .features(let values, let channels) = batch.inputs else {
    throw TrainingError.invalidState("a token batch has no features")
  }
  return try Tensor(shape: [batch.size, batch.length, channels], values: values)
}
