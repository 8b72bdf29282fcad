import Autodiff
import Models
import Reinforcement
import SeededRandom
import Training

/// `ssm rl --algorithm sft`: supervised fine-tuning on a verifiable task's answers, the stage that
/// makes the supervised checkpoint RL starts from. Each step minimises the mean negative
/// log-likelihood of the answer tokens given the prompt (teacher forcing),
///
///     ℒ = −(1/K) Σ_k log π(a_k | prompt, a_<k),
///
/// over the `K` answer tokens of the step's training problems, with one AdamW update (gradient
/// norm clipped to 1). Its record's reward is the exact-match reward of the greedy policy on those
/// problems before the update: a completion is exact exactly when every answer token is the argmax
/// given the correct prefix, which the same forward pass shows.
final class SupervisedAnswerTrainer<Model: SequenceModel>: RLAlgorithmTrainer {
  let model: Model
  let optimizer: any Optimizer

  init(model: Model, optimizer: any Optimizer) {
    self.model = model
    self.optimizer = optimizer
  }

  func step(problems: [VerifiableProblem], seed: UInt64) throws -> RLStepRecord {
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
    let rate = exact.reduce(0, +) / Double(exact.count)
    return RLStepRecord(
      supervisedLoss: Double(tape.value(loss).scalar), exactMatch: rate,
      answerLength: Double(batch.completionTokens.count) / Double(problems.count))
  }

  var checkpointGroups: [RLCheckpointGroup] {
    [RLCheckpointGroup(prefix: "", parameters: model.parameters, optimizer: optimizer)]
  }
}
