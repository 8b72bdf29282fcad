import Autodiff
import Foundation
import Models
import SeededRandom

/// Prompts with their sampled completions laid out for one parallel forward pass: each row is
/// `prompt + completion`, right-padded to a common length, and the completion tokens are listed with
/// the logit rows that predict them. Prompt and padding positions are never listed, so they are
/// masked out of every log-probability and loss.
///
/// For sequence `b` with a prompt of `P_b` tokens, completion token `j` sits at position `P_b + j`
/// and is predicted by the logits at position `P_b + j − 1`, row `b·L + P_b + j − 1` of the model's
/// `B·L × V` logits (`L` the padded length). Right-padding leaves every listed position unchanged
/// for a causal model, since a position reads only the tokens before it.
public struct CompletionBatch: Sendable, Equatable {
  /// `prompt + completion + padding`, all of one length `L`.
  public let sequences: [[Int]]
  /// `T_b`: the completion tokens of each sequence.
  public let completionLengths: [Int]
  /// For every completion token, sequence by sequence and in order: the logit row predicting it.
  public let logitRows: [Int]
  /// For every completion token, in the same order: the token.
  public let completionTokens: [Int]

  /// Lays out `prompts[b] + completions[b]` for every `b`.
  /// - Parameter paddingToken: the token filling positions after a completion (any valid token: it
  ///   is never scored).
  /// - Throws: ``ReinforcementError/shapeMismatch(_:)`` for different counts of prompts and
  ///   completions or none, ``ReinforcementError/invalidParameter(_:)`` for an empty prompt.
  public init(prompts: [[Int]], completions: [[Int]], paddingToken: Int = 0) throws {
    guard !prompts.isEmpty, prompts.count == completions.count else {
      throw ReinforcementError.shapeMismatch("\(prompts.count) prompts for \(completions.count) completions")
    }
    guard prompts.allSatisfy({ !$0.isEmpty }) else {
      throw ReinforcementError.invalidParameter("every prompt needs at least one token")
    }
    let length = zip(prompts, completions).map { $0.count + $1.count }.max() ?? 0
    var rows: [Int] = []
    var tokens: [Int] = []
    for (b, (prompt, completion)) in zip(prompts, completions).enumerated() {
      for (j, token) in completion.enumerated() {
        rows.append(b * length + prompt.count + j - 1)
        tokens.append(token)
      }
    }
    sequences = zip(prompts, completions).map { prompt, completion in
      prompt + completion + [Int](repeating: paddingToken, count: length - prompt.count - completion.count)
    }
    completionLengths = completions.map(\.count)
    logitRows = rows
    completionTokens = tokens
  }

  /// One value per sequence repeated for each of its completion tokens (the per-token layout of
  /// ``logitRows``).
  /// - Throws: ``ReinforcementError/shapeMismatch(_:)`` unless there is one value per sequence.
  public func perToken(_ perSequence: [Double]) throws -> [Double] {
    guard perSequence.count == completionLengths.count else {
      throw ReinforcementError.shapeMismatch("\(perSequence.count) values for \(completionLengths.count) sequences")
    }
    return zip(perSequence, completionLengths).flatMap { Array(repeating: $0, count: $1) }
  }

  /// The log-probability of every completion token under `model` (parallel forward, no dropout, no
  /// gradients), in the order of ``logitRows``.
  public func logProbabilities<Model: SequenceModel>(under model: Model) throws -> [Double] {
    try tokenStatistics(under: model).logProbabilities
  }

  /// From one parallel forward of `model` (no dropout, no gradients), in the order of
  /// ``logitRows``: the log-probability `ℓ_k` of every completion token and the entropy
  ///
  ///     H_k = −Σ_u p_u log p_u = log Z − Σ_u p_u s_u,   s_u = z_u − max z,  Z = Σ_u exp s_u,
  ///
  /// of the distribution `p = softmax(z)` at the row that predicts it (float64).
  public func tokenStatistics<Model: SequenceModel>(under model: Model) throws -> (
    logProbabilities: [Double], entropies: [Double]
  ) {
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    let logits = try model.logits(sequences, on: tape, training: false, generator: &unused)
    let gathered = try tape.tokenLogProbabilities(logits, rows: logitRows, tokens: completionTokens)
    let z = tape.value(logits)
    let width = z.shape[1]
    let entropies = logitRows.map { row in
      let shifted = z.values[(row * width)..<((row + 1) * width)].map(Double.init)
      let top = shifted.max() ?? 0
      let exponentials = shifted.map { exp($0 - top) }
      let total = exponentials.reduce(0, +)
      let expectation = zip(exponentials, shifted).reduce(0.0) { $0 + $1.0 * ($1.1 - top) } / total
      return log(total) - expectation
    }
    return (tape.value(gathered).values.map(Double.init), entropies)
  }
}
