import Autodiff
import Models
import SeededRandom
import Tasks

/// The Medusa training objectives (Cai et al. 2024) of ``MedusaHeads``: on a frozen backbone
/// (Medusa-1, ``loss(hidden:targets:on:)``) or jointly with it (Medusa-2,
/// ``jointLoss(_:tokens:targets:on:generator:)``).
///
/// For the backbone's last hidden states `h` (`N × H`, `N = B·L`, row `b·L + t`, computed without
/// gradients, so nothing reaches the backbone) head `k` (0-based, `k = 0 ..< K`) predicts token
/// `t + k + 2` from `h_t`, one position beyond the backbone's own next token. With the batch's
/// next-token targets `y[b, t]` (token `t + 1`), its targets are the ones `k + 1` positions later,
///
///     y_k[b, t] = y[b, t + k + 1]    when t + k + 1 < L,    excluded otherwise
///
/// (positions whose target is `TaskBatch.ignoredTarget` stay excluded), and the loss is
///
///     ℒ = Σ_k λ_k CE_k,    CE_k = −(1/n_k) Σ_{(b,t) kept} log softmax(z_k[b·L + t])[y_k[b, t]]
///
/// with `z_k` head `k`'s logits (`N × V`), `n_k` its kept positions (`CE_k = 0` when none) and
/// `λ_k = decay^k` (``MedusaHeads/lossWeights(decay:)``, the published `decay = 0.8`, so the
/// nearest head weighs 1, as `medusa_decay_coefficient ** i` of the reference code).
public struct MedusaObjective {
  /// The heads being trained.
  public let heads: MedusaHeads
  /// `λ_k`, one per head.
  public let weights: [Float]

  /// `λ₀`, the heads' weight beside the backbone's loss in ``jointLoss(_:tokens:targets:on:generator:)``.
  public let headsWeight: Float

  /// The objective of `heads` with `λ_k = decay^k` and, jointly, `λ₀ = headsWeight`.
  /// - Throws: ``TrainingError/invalidState(_:)`` for a decay or weight that is not positive and finite.
  public init(heads: MedusaHeads, decay: Float = 0.8, headsWeight: Float = 0.2) throws {
    try MedusaConfiguration(heads: heads.count, decay: decay, headsWeight: headsWeight).validate()
    self.heads = heads
    self.headsWeight = headsWeight
    weights = heads.lossWeights(decay: decay)
  }

  /// Head `head`'s targets `y_k` (`B × L`) from the next-token targets `classes` (`B × L`):
  /// `classes[b][t + head + 1]`, `TaskBatch.ignoredTarget` beyond the sequence.
  public static func targets(_ classes: [[Int]], head: Int) -> [[Int]] {
    classes.map { row in
      row.indices.map { t in t + head + 1 < row.count ? row[t + head + 1] : TaskBatch.ignoredTarget }
    }
  }

  /// The backbone's last hidden states for `tokens` as a constant (`B·L × H`, no dropout): the
  /// heads' input, which no gradient leaves.
  public static func frozenHiddenStates(of backbone: any SequenceModel, tokens: [[Int]]) throws -> Tensor {
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    return tape.value(try backbone.hiddenStates(tokens, on: tape, training: false, generator: &unused))
  }

  /// Medusa-2's `ℒ = CE_0 + λ₀ Σ_k λ_k CE_k` on `tape`: `CE_0` the backbone's mean next-token
  /// cross-entropy at the scored positions of `classes` (`B × L`, as in training the backbone alone)
  /// and the heads' loss on the same forward pass's hidden states
  /// (``SequenceModel/logitsAndHiddenStates(_:on:training:generator:)``, dropout on), so gradients
  /// reach the backbone through both terms.
  /// - Throws: `AutodiffError` for shapes that do not match or targets outside the vocabulary.
  public func jointLoss(
    _ backbone: any SequenceModel, tokens: [[Int]], targets classes: [[Int]], on tape: Tape,
    generator: inout SeededGenerator
  ) throws -> Variable {
    let (logits, hidden) = try backbone.logitsAndHiddenStates(tokens, on: tape, training: true, generator: &generator)
    let backboneLoss = try tape.softmaxCrossEntropy(
      logits, targets: classes.flatMap { $0 }, ignoredTarget: TaskBatch.ignoredTarget)
    let headsLoss = try loss(hidden: hidden, targets: classes, on: tape)
    return try tape.add(backboneLoss, tape.scale(headsLoss, by: headsWeight))
  }

  /// `ℒ = Σ_k λ_k CE_k` on `tape` for hidden states `hidden` (`B·L × H`) and next-token targets
  /// `classes` (`B × L`).
  /// - Throws: `AutodiffError` for shapes that do not match or targets outside the vocabulary.
  public func loss(hidden: Variable, targets classes: [[Int]], on tape: Tape) throws -> Variable {
    var total: Variable?
    for (index, logits) in try heads(hidden, on: tape).enumerated() {
      let crossEntropy = try tape.softmaxCrossEntropy(
        logits, targets: Self.targets(classes, head: index).flatMap { $0 }, ignoredTarget: TaskBatch.ignoredTarget)
      let term = tape.scale(crossEntropy, by: weights[index])
      total = try total.map { try tape.add($0, term) } ?? term
    }
    return total!
  }
}
