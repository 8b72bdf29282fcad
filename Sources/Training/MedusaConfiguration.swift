/// Medusa training in a run (``RunConfiguration/medusa``): `heads` Medusa heads trained with
/// ``MedusaObjective`` (`λ_k = decay^k`) on the backbone whose parameters the run loads from
/// ``RunConfiguration/initializedFrom``.
///
/// - Stage 1 (Medusa-1): the backbone is frozen, only the heads change (loss `Σ_k λ_k CE_k`).
/// - Stage 2 (Medusa-2): backbone and heads train together with the backbone's own next-token loss
///   kept, `ℒ = CE_0 + λ₀ Σ_k λ_k CE_k` (``headsWeight`` `= λ₀`). Started from a Medusa-1 checkpoint
///   of as many heads, the heads continue from its trained values (the published recipe warms the
///   heads up first so that their early gradients do not disturb the backbone); from a plain
///   backbone they start as copies of its output layer.
public struct MedusaConfiguration: Codable, Sendable, Equatable {
  /// Heads `K`.
  public var heads: Int
  /// The loss weights' decay (`λ_k = decay^k`).
  public var decay: Float
  /// The training stage: 1 (frozen backbone) or 2 (joint training).
  public var stage: Int
  /// `λ₀`, the weight of the heads' loss beside the backbone's in stage 2 (the published code's
  /// `medusa_heads_coefficient`, 0.2).
  public var headsWeight: Float

  /// A configuration; ``validate()`` checks it.
  public init(heads: Int, decay: Float = 0.8, stage: Int = 1, headsWeight: Float = 0.2) {
    self.heads = heads
    self.decay = decay
    self.stage = stage
    self.headsWeight = headsWeight
  }

  /// Decodes a configuration; one stored before stages existed is stage 1 with `λ₀ = 0.2`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    heads = try container.decode(Int.self, forKey: .heads)
    decay = try container.decode(Float.self, forKey: .decay)
    stage = try container.decodeIfPresent(Int.self, forKey: .stage) ?? 1
    headsWeight = try container.decodeIfPresent(Float.self, forKey: .headsWeight) ?? 0.2
  }

  /// Checks `K ≥ 1`, a positive, finite decay, stage 1 or 2 and a positive, finite `λ₀`.
  public func validate() throws {
    guard heads >= 1 else { throw TrainingError.invalidState("Medusa training needs K ≥ 1 heads, got \(heads)") }
    guard decay > 0, decay.isFinite else {
      throw TrainingError.invalidState("the Medusa loss decay must be positive and finite, got \(decay)")
    }
    guard stage == 1 || stage == 2 else {
      throw TrainingError.invalidState("the Medusa training stage is 1 (frozen backbone) or 2 (joint), got \(stage)")
    }
    guard headsWeight > 0, headsWeight.isFinite else {
      throw TrainingError.invalidState("the Medusa heads' loss weight must be positive and finite, got \(headsWeight)")
    }
  }
}
