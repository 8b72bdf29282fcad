/// The verifiable reward of partial credit: the fraction of answer positions the completion gets
/// right,
///
///     r = |{i < min(n, m) : c_i = a_i}| / max(n, m),
///
/// for a completion `c` of `m` tokens (``stopToken`` removed from its end first) and the answer
/// `a` of `n` tokens. Dividing by the longer length makes a completion with extra or missing
/// tokens score below 1; `r = 1` exactly when ``ExactMatchReward`` gives 1.
public struct TokenAccuracyReward<Task: VerifiableTask>: RewardFunction {
  /// The task whose ``VerifiableTask/answer(to:)`` is the reference.
  public let task: Task
  /// A token that ends completions and is not part of the answer, or `nil`.
  public let stopToken: Int?

  /// The per-token accuracy against `task`'s answers.
  public init(task: Task, stopToken: Int? = nil) {
    self.task = task
    self.stopToken = stopToken
  }

  /// The fraction of positions right, in `[0, 1]`.
  /// - Throws: the task's error for a prompt it cannot answer.
  public func reward(prompt: [Int], completion: [Int]) throws -> Double {
    let answer = try task.answer(to: prompt)
    let written = strippingStopToken(completion, stopToken)
    let length = max(answer.count, written.count)
    guard length > 0 else { return 1 }
    let right = zip(answer, written).filter { $0 == $1 }.count
    return Double(right) / Double(length)
  }
}
