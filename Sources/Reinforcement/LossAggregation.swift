/// How GRPO's per-token losses `ℓ_{i,t}` (completion `i` of `N` in the batch, token `t` of its
/// `T_i`) become one scalar, as TRL's `GRPOConfig.loss_type` defines them
/// (https://huggingface.co/docs/trl/main/grpo_trainer, "Loss Types"):
///
///     grpo:     ℒ = (1/N) Σ_i (1/T_i) Σ_t ℓ_{i,t}          (per-sequence mean, then mean: DeepSeekMath)
///     bnpo:     ℒ = Σ_{i,t} ℓ_{i,t} / Σ_i T_i              (token mean over this batch)
///     dr_grpo:  ℒ = Σ_{i,t} ℓ_{i,t} / (N · T_max)          (constant normaliser, T_max = max completion length: Dr. GRPO)
///     dapo:     ℒ = Σ_{i,t} ℓ_{i,t} / Σ_{whole batch} T_i  (token mean over the whole generation batch: DAPO)
///
/// `bnpo` and `dapo` differ only when a generation batch is split into several optimisation batches
/// (TRL: gradient accumulation): `bnpo` normalises by the tokens of each part, `dapo` by the tokens
/// of the whole. Each is linear in `ℓ`: ``weights(completionLengths:generationBatchTokens:)`` gives
/// the weights `w_{i,t}` with `ℒ = Σ w_{i,t} ℓ_{i,t}`. A token count of `0` counts as `1` (TRL's
/// `clamp(min=1)`), so an empty completion never divides by zero.
public enum LossAggregation: String, Sendable, CaseIterable {
  /// Mean over each sequence's tokens, then over sequences.
  case grpo
  /// Sum over the batch's tokens divided by their number.
  case bnpo
  /// Sum over the batch's tokens divided by `N · T_max`.
  case drGRPO = "dr_grpo"
  /// Sum over the batch's tokens divided by the tokens of the whole generation batch.
  case dapo

  /// The weight `w_i` shared by every token of completion `i`, so that `ℒ = Σ_i w_i Σ_t ℓ_{i,t}`.
  ///
  /// - Parameters:
  ///   - completionLengths: `T_i ≥ 0` for the `N ≥ 1` completions of this batch.
  ///   - maxCompletionLength: `T_max ≥ 1` (``drGRPO`` only; the generation limit).
  ///   - generationBatchTokens: ``dapo`` only: the completion tokens of the whole generation batch
  ///     (`nil`: this batch's, `Σ_i T_i`).
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for an empty batch, a negative length,
  ///   a `T_max` below 1 or below a length, or a generation batch with fewer tokens than this one.
  public func weights(completionLengths: [Int], maxCompletionLength: Int, generationBatchTokens: Int? = nil) throws
    -> [Double]
  {
    let count = completionLengths.count
    guard count >= 1 else { throw ReinforcementError.invalidParameter("a batch needs at least one completion") }
    guard completionLengths.allSatisfy({ $0 >= 0 }) else {
      throw ReinforcementError.invalidParameter("completion lengths must be ≥ 0, got \(completionLengths)")
    }
    let tokens = completionLengths.reduce(0, +)
    switch self {
    case .grpo:
      return completionLengths.map { 1 / (Double(count) * Double(max($0, 1))) }
    case .bnpo:
      return Array(repeating: 1 / Double(max(tokens, 1)), count: count)
    case .drGRPO:
      guard maxCompletionLength >= 1, completionLengths.allSatisfy({ $0 <= maxCompletionLength }) else {
        throw ReinforcementError.invalidParameter(
          "max completion length \(maxCompletionLength) must be ≥ 1 and ≥ every completion length")
      }
      return Array(repeating: 1 / (Double(count) * Double(maxCompletionLength)), count: count)
    case .dapo:
      let total = generationBatchTokens ?? tokens
      guard total >= tokens else {
        throw ReinforcementError.invalidParameter(
          "the generation batch has \(total) tokens, fewer than this batch's \(tokens)")
      }
      return Array(repeating: 1 / Double(max(total, 1)), count: count)
    }
  }

  /// `ℒ = Σ_i w_i Σ_t ℓ_{i,t}` for per-token losses given one row per completion.
  /// - Throws: as ``weights(completionLengths:maxCompletionLength:generationBatchTokens:)``.
  public func aggregate(_ losses: [[Double]], maxCompletionLength: Int, generationBatchTokens: Int? = nil) throws
    -> Double
  {
    let weights = try weights(
      completionLengths: losses.map(\.count), maxCompletionLength: maxCompletionLength,
      generationBatchTokens: generationBatchTokens)
    return zip(weights, losses).reduce(0) { $0 + $1.0 * $1.1.reduce(0, +) }
  }
}
