/// The verifiable reward `1` when the completion is exactly the task's answer, else `0`:
/// `r = 𝟙[completion = answer(prompt)]`, with ``stopToken`` (when set) removed from the end of the
/// completion first.
public struct ExactMatchReward<Task: VerifiableTask>: RewardFunction {
  /// The task whose ``VerifiableTask/answer(to:)`` is the reference.
  public let task: Task
  /// A token that ends completions and is not part of the answer, or `nil`.
  public let stopToken: Int?

  /// The exact-match reward against `task`'s answers.
  public init(task: Task, stopToken: Int? = nil) {
    self.task = task
    self.stopToken = stopToken
  }

  /// `1` for the task's answer, else `0`.
  /// - Throws: the task's error for a prompt it cannot answer.
  public func reward(prompt: [Int], completion: [Int]) throws -> Double {
    try task.answer(to: prompt) == strippingStopToken(completion, stopToken) ? 1 : 0
  }
}

/// `completion` without a trailing `stopToken` (unchanged when `stopToken` is `nil`).
func strippingStopToken(_ completion: [Int], _ stopToken: Int?) -> [Int] {
  guard let stopToken, completion.last == stopToken else { return completion }
  return Array(completion.dropLast())
}
