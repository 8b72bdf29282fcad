/// Medusa-1 training in a run (``RunConfiguration/medusa``): `heads` Medusa heads trained with
/// ``MedusaObjective`` (`λ_k = decay^k`) on the frozen backbone whose parameters the run loads from
/// ``RunConfiguration/initializedFrom``; only the heads change.
public struct MedusaConfiguration: Codable, Sendable, Equatable {
  /// Heads `K`.
  public var heads: Int
  /// The loss weights' decay (`λ_k = decay^k`).
  public var decay: Float

  /// A configuration; ``validate()`` checks it.
  public init(heads: Int, decay: Float = 0.8) {
    self.heads = heads
    self.decay = decay
  }

  /// Checks `K ≥ 1` and a positive, finite decay.
  public func validate() throws {
    guard heads >= 1 else { throw TrainingError.invalidState("Medusa training needs K ≥ 1 heads, got \(heads)") }
    guard decay > 0, decay.isFinite else {
      throw TrainingError.invalidState("the Medusa loss decay must be positive and finite, got \(decay)")
    }
  }
}
