import Autodiff
import Models
import SeededRandom
import Training

/// Supervised fine-tuning on a verifiable task's answers: the stage that makes the imperfect
/// checkpoint RL starts from (`ssm rl --algorithm sft`).
///
/// Each ``step(problems:)`` minimises the mean negative log-likelihood of the answer tokens given
/// the prompt (teacher forcing),
///
///     ℒ = −(1/K) Σ_k log π(a_k | prompt, a_<k),
///
/// over the `K` answer tokens of the step's problems, with one optimiser update (gradient norm
/// clipped to 1). Its ``SupervisedStepMetrics/exactMatch`` is the greedy exact match on those
/// problems before the update: a completion is exact exactly when every answer token is the argmax
/// given the correct prefix, which the same forward pass shows.
public final class SupervisedAnswerTrainer<Model: SequenceModel> {
  /// The policy being trained (its parameters change in place).
  public let model: Model
  /// The optimiser applied to ``model``'s parameters.
  public let optimizer: any Optimizer

  /// A trainer of `model` with `optimizer`.
  public init(model: Model, optimizer: any Optimizer) {
    self.model = model
    self.optimizer = optimizer
  }

  /// One teacher-forced update on `problems` (their prompts and answers).
  /// - Throws: ``ReinforcementError`` for no problems or an empty prompt; model and optimiser
  ///   errors pass through (a non-finite gradient leaves the parameters unchanged).
  public func step(problems: [VerifiableProblem]) throws -> SupervisedStepMetrics {
    let batch = try CompletionBatch(prompts: problems.map(\.prompt), completions: problems.map(\.answer))
    let parameters = model.parameters
    for parameter in parameters { parameter.zeroGradient() }
    let tape = Tape()
    var unused = SeededGenerator(seed: 0)
    let logits = try model.logits(batch.sequences, on: tape, training: false, generator: &unused)
    let likelihoods = try tape.tokenLogProbabilities(logits, rows: batch.logitRows, tokens: batch.completionTokens)
    let loss = tape.scale(tape.mean(likelihoods), by: -1)
    try tape.backward(loss)
    // Greedy exact match under teacher forcing: every answer token is its row's argmax.
    let z = tape.value(logits)
    let width = z.shape[1]
    var exact = [Double](repeating: 1, count: problems.count)
    var token = 0
    for (b, length) in batch.completionLengths.enumerated() {
      for _ in 0..<length {
        let start = batch.logitRows[token] * width
        let row = Array(z.values[start..<(start + width)])
        if row.indices.max(by: { row[$0] < row[$1] }) != batch.completionTokens[token] { exact[b] = 0 }
        token += 1
      }
    }
    _ = clipGradients(parameters, maximumNorm: 1)
    try optimizer.update(parameters, learningRateFactor: 1)
    return SupervisedStepMetrics(
      loss: Double(tape.value(loss).scalar), exactMatch: exact.reduce(0, +) / Double(exact.count),
      meanAnswerLength: Double(batch.completionTokens.count) / Double(problems.count))
  }
}
