import Autodiff
import Foundation

/// `K` Medusa heads on one backbone: head `k` (0-based) reads the last hidden state at position
/// `t` and predicts token `t + k + 2` (the backbone itself predicts `t + 1`), so the heads
/// propose `K` tokens beyond the backbone's next one. Parameters are named
/// `medusa.<k>.residual.weight` and so on (see ``MedusaHead``).
public struct MedusaHeads: Module {
  /// The heads, nearest offset first.
  public let heads: [MedusaHead]

  /// `count` heads whose projections copy the backbone's output layer `outputWeight` (`H × V`)
  /// and `outputBias` (`V`).
  public init(count: Int, outputWeight: Tensor, outputBias: Tensor?) throws {
    guard count >= 1 else { throw AutodiffError.invalidArgument("Medusa head count \(count) must be ≥ 1") }
    heads = try (0..<count).map { index in
      try MedusaHead(name: "medusa.\(index)", outputWeight: outputWeight, outputBias: outputBias)
    }
  }

  /// The number of heads `K`.
  public var count: Int { heads.count }

  /// Each head's logits (`… × V`) for hidden states `hidden` (`… × H`), head 0 first.
  public func callAsFunction(_ hidden: Variable, on tape: Tape) throws -> [Variable] {
    try heads.map { try $0(hidden, on: tape) }
  }

  /// Each head's logits (`V` values, head 0 first) for one hidden state `hidden` (`H` values),
  /// without a tape (``MedusaHead/logits(hidden:)``).
  /// - Throws: `AutodiffError/shapeMismatch(_:)` unless `hidden` has ``hiddenWidth`` values.
  public func logits(hidden: [Float]) throws -> [[Float]] {
    guard hidden.count == hiddenWidth else {
      throw AutodiffError.shapeMismatch("Medusa heads read \(hiddenWidth) values, got \(hidden.count)")
    }
    return heads.map { $0.logits(hidden: hidden) }
  }

  /// Width `H` of the hidden states the heads read.
  public var hiddenWidth: Int { heads[0].residualWeight.value.shape[0] }

  /// Vocabulary `V` of the heads' logits.
  public var vocabulary: Int { heads[0].projectionWeight.value.shape[1] }

  /// The Medusa-1 loss weights `λ_k = decay^k` for `k = 0 ..< K` (the published `decay = 0.8`).
  public func lossWeights(decay: Float = 0.8) -> [Float] {
    (0..<count).map { Float(pow(Double(decay), Double($0))) }
  }
}
