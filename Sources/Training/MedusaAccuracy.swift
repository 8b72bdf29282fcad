import Autodiff
import Models
import Tasks

/// Per-head top-1 accuracy of Medusa heads on held-out data: for head `k` (0-based), the fraction
/// of the positions with a target (``MedusaObjective/targets(_:head:)``: token `t + k + 2`
/// exists and is scored) at which the arg-max of the head's logits on the backbone's hidden state
/// `h_t` is that token (`TaskBatch.accuracy(logits:classes:)`, ties to the lowest token). Read on
/// `examples` instances of `split` (default `test`, disjoint from the training batches) of a token
/// task at `seed`, in batches of `batch`.
/// - Returns: one accuracy per head, nearest offset first.
/// - Throws: ``TrainingError/invalidState(_:)`` for a backbone that does not fit the task, a
///   feature task, or counts below 1.
public func medusaAccuracy(
  _ heads: MedusaHeads, on backbone: any SequenceModel, task: any SequenceTask, examples: Int, seed: UInt64,
  split: Split = .test, batch: Int = 16
) throws -> [Accuracy] {
  guard examples >= 1, batch >= 1 else { throw TrainingError.invalidState("evaluation needs examples and batch ≥ 1") }
  try checkModelShape(inputChannels: backbone.inputChannels, vocabulary: backbone.vocabulary, fits: task)
  var scores = [Accuracy](repeating: Accuracy(correct: 0, total: 0), count: heads.count)
  var (index, remaining) = (0, examples)
  while remaining > 0 {
    let size = min(batch, remaining)
    let instances = try task.batch(size, split: split, index: index, seed: seed, length: task.length)
    guard case .tokens(let tokens) = instances.inputs, let classes = instances.classes else {
      throw TrainingError.invalidState("Medusa heads read token inputs with class targets")
    }
    let tape = Tape(recordsGradients: false)
    let hidden = tape.constant(try MedusaObjective.frozenHiddenStates(of: backbone, tokens: tokens))
    for (k, logits) in try heads(hidden, on: tape).enumerated() {
      let shifted = TaskBatch(
        size: size, length: instances.length, inputs: instances.inputs,
        targets: .classes(MedusaObjective.targets(classes, head: k)))
      scores[k] = scores[k] + (try shifted.accuracy(logits: tape.value(logits).values, classes: backbone.vocabulary))
    }
    remaining -= size
    index += 1
  }
  return scores
}
