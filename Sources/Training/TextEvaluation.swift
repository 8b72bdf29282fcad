import Autodiff
import Models
import SeededRandom
import Tasks

/// Held-out bits per byte of `model` on a text task: the pooled
/// `bits = Σ −log₂ softmax(z_t)[y_t]` over the byte targets (separators not counted,
/// `TaskBatch/bitsPerByte(logits:classes:)`) of the consecutive windows `0 ..< W` of `split`
/// (`TextTask/consecutiveWindows(_:of:)`), with `W` = `windows` or every window of the split when
/// `windows` is `nil` or larger. Each window of `length` (default: the task's) tokens is predicted
/// with the context of its own window, in parallel mode without dropout, `batch` windows at a
/// time. Deterministic: no seed is involved. ``BitsPerByte/value`` is the bits per byte.
/// - Throws: ``TrainingError/invalidState(_:)`` for `windows` or `batch` below 1 or a model that
///   does not fit the task (a token model of vocabulary ≥ 257), and the task's errors (a split
///   shorter than `length + 1` tokens, non-finite logits).
public func bitsPerByte(
  of model: any SequenceModel, on task: TextTask, split: Split = .test, windows: Int? = nil, length: Int? = nil,
  batch: Int = 16
) throws -> BitsPerByte {
  guard (windows ?? 1) >= 1, batch >= 1 else {
    throw TrainingError.invalidState("bits per byte needs windows and batch ≥ 1")
  }
  try checkModelShape(inputChannels: model.inputChannels, vocabulary: model.vocabulary, fits: task)
  let sized = try task.resized(to: length ?? task.length)
  let count = min(windows ?? Int.max, sized.consecutiveWindowCount(of: split))
  var score = BitsPerByte(bits: 0, bytes: 0)
  var unused = SeededGenerator(seed: 0)
  for start in Swift.stride(from: 0, to: count, by: batch) {
    let instances = try sized.consecutiveWindows(start..<min(start + batch, count), of: split)
    guard let tokens = instances.tokens else { throw TrainingError.invalidState("text windows must be tokens") }
    let tape = Tape(recordsGradients: false)
    let logits = tape.value(try model.logits(tokens, on: tape, training: false, generator: &unused))
    score = score + (try instances.bitsPerByte(logits: logits.values, classes: model.vocabulary))
  }
  return score
}
