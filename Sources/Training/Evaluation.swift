import Autodiff
import Models
import SeededRandom
import Tasks

/// Token accuracy of `model` on `examples` fresh copying instances drawn from `seed`
/// (never the training stream): the fraction of scored positions whose arg-max logit is
/// the target. Works for every `SequenceModel` (parallel mode, no dropout); its
/// vocabulary must be the task's.
public func copyingAccuracy(
  of model: any SequenceModel, task: CopyingTask, examples: Int, seed: UInt64, batch: Int = 16
)
  throws -> Double
{
  guard examples >= 1 else { throw TrainingError.invalidState("evaluation needs at least one example") }
  guard model.vocabulary == task.vocabulary else {
    throw TrainingError.invalidState("model vocabulary \(model.vocabulary) ≠ task vocabulary \(task.vocabulary)")
  }
  var generator = SeededGenerator(seed: seed)
  var unused = SeededGenerator(seed: 0)
  var (correct, total) = (0, 0)
  var remaining = examples
  while remaining > 0 {
    let size = min(batch, remaining)
    remaining -= size
    let (inputs, targets) = task.batch(size, generator: &generator)
    let tape = Tape(recordsGradients: false)
    let logits = tape.value(try model.logits(inputs, on: tape, training: false, generator: &unused))
    let v = task.vocabulary
    for (row, target) in targets.flatMap({ $0 }).enumerated() where target != CopyingTask.ignoredTarget {
      let scores = logits.values[(row * v)..<((row + 1) * v)]
      if scores.indices.max(by: { scores[$0] < scores[$1] })! - row * v == target { correct += 1 }
      total += 1
    }
  }
  return Double(correct) / Double(max(total, 1))
}
