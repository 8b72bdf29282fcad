/// The optimiser group a parameter belongs to. S4's authors found that the SSM
/// parameters (Λ, P, B, dt) need their own learning rate and no weight decay.
public enum ParameterRole: String, Sendable, CaseIterable {
  /// Weights, biases, embeddings, normalisation: the default group.
  case standard
  /// State space parameters (Λ, P, B, log dt): own learning rate, no weight decay.
  case stateSpace
}

/// A trainable tensor with its accumulated gradient. A reference type: layers and
/// the optimiser share one instance.
public final class Parameter: @unchecked Sendable {
  /// A unique, stable name (the checkpoint key), e.g. `"blocks.0.s4.logDt"`.
  public let name: String
  /// The optimiser group.
  public let role: ParameterRole
  /// The current value.
  public var value: Tensor
  /// `∂ℒ/∂value` accumulated by ``Tape/backward(_:)`` since the last ``zeroGradient()``.
  public var gradient: Tensor

  /// A parameter starting at `value` with a zero gradient.
  public init(name: String, value: Tensor, role: ParameterRole = .standard) {
    self.name = name
    self.role = role
    self.value = value
    gradient = Tensor(shape: value.shape)
  }

  /// Resets the accumulated gradient to zero.
  public func zeroGradient() { gradient = Tensor(shape: value.shape) }
}
