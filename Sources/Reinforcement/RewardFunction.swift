/// A scalar reward for one completion of one prompt: the signal that GRPO and PPO maximise.
///
/// `r = R(prompt, completion)`, with both given as token sequences (the completion without the
/// prompt; a stop token, when generation emitted one, is its last token). A verifiable reward is
/// a rule checked against a known answer (``ExactMatchReward``, ``TokenAccuracyReward``); a
/// learned reward model conforms the same way.
public protocol RewardFunction: Sendable {
  /// The reward of `completion` as a continuation of `prompt`; finite.
  /// - Throws: when the prompt is not one the reward can judge.
  func reward(prompt: [Int], completion: [Int]) throws -> Double
}
