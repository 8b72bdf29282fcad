import SeededRandom
import Tasks

/// One problem of a ``VerifiableTask``: the prompt the policy reads and the answer it should write.
public struct VerifiableProblem: Sendable, Equatable {
  /// The tokens the policy reads.
  public let prompt: [Int]
  /// The tokens a correct completion consists of.
  public let answer: [Int]

  /// A problem with the given prompt and answer.
  public init(prompt: [Int], answer: [Int]) {
    self.prompt = prompt
    self.answer = answer
  }
}

/// A task whose answers can be checked by a rule: a seeded generator of prompt → answer problems
/// with train / validation / test splits, and the answer of any of its prompts.
///
/// Splits follow the Tasks module's ``Split``: a problem belongs to the split that owns the content
/// hash of its prompt, `Split.owning(hash: Split.contentHash(tokens: prompt))`, so no held-out
/// prompt is ever a training prompt, whatever the seed; batch `index` of a split is drawn by
/// rejection from `split.generator(seed:index:)`, so any batch can be regenerated alone.
public protocol VerifiableTask: Sendable {
  /// Tokens `V` the prompts and answers use (all lie in `0 ..< V`).
  var vocabulary: Int { get }
  /// Tokens of every answer (the completion length a policy needs).
  var answerLength: Int { get }
  /// One problem drawn from `generator`, of any split.
  func problem(using generator: inout SeededGenerator) -> VerifiableProblem
  /// The correct answer to `prompt`.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for a prompt this task cannot produce.
  func answer(to prompt: [Int]) throws -> [Int]
}

extension VerifiableTask {
  /// Candidates drawn per requested problem before giving up: a split owns ≈ 10 % of the mass at
  /// least, so a task with enough distinct prompts fails with probability below `0.9¹⁰⁰⁰`.
  public static var maximumAttemptsPerProblem: Int { 1000 }

  /// Batch `index` (≥ 0) of `split`: `count` (≥ 1) problems drawn from `split.generator(seed:index:)`,
  /// keeping the candidates whose prompt `split` owns.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for a bad count or index, or when the
  ///   split owns no prompt within ``maximumAttemptsPerProblem`` candidates.
  public func problems(_ count: Int, split: Split, index: Int, seed: UInt64) throws -> [VerifiableProblem] {
    guard count >= 1 else { throw ReinforcementError.invalidParameter("problem count must be ≥ 1, got \(count)") }
    guard index >= 0 else { throw ReinforcementError.invalidParameter("batch index must be ≥ 0, got \(index)") }
    var generator = split.generator(seed: seed, index: index)
    var accepted: [VerifiableProblem] = []
    while accepted.count < count {
      var attempts = 0
      while true {
        let candidate = problem(using: &generator)
        attempts += 1
        if Split.owning(hash: Split.contentHash(tokens: candidate.prompt)) == split {
          accepted.append(candidate)
          break
        }
        guard attempts < Self.maximumAttemptsPerProblem else {
          throw ReinforcementError.invalidParameter(
            "no \(split.rawValue) prompt in \(attempts) candidates: the task has too few distinct prompts")
        }
      }
    }
    return accepted
  }
}
