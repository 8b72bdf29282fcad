/// How a ``Critic``'s trunk relates to the policy it judges.
public enum CriticTrunk: String, Sendable, CaseIterable {
  /// A copy of the policy with its own parameters, initialised from the policy's (PPO-max's default):
  /// value regression never moves the policy, at twice the parameters and forward passes.
  case separate
  /// The policy's own trunk with a second head: half the parameters, but the value loss's gradient
  /// also reaches the policy.
  case shared
}
