/// The score transformations of generation, in HuggingFace `transformers`' order
/// (`GenerationMixin._get_logits_processor`): the *processors* of every strategy, repetition
/// penalty → no-repeat n-gram → min new tokens, then (sampling only) the *warpers*
/// temperature → top-k → top-p → min-p → typical (see `LogitsProcessor+Warpers.swift`).
///
/// Scores are float64 logits (greedy decoding, sampling) or log-probabilities (beam search); a
/// removed token gets the score `−∞` (probability 0).
public enum LogitsProcessor {
  /// The CTRL repetition penalty (Keskar et al. 2019, as in HuggingFace's
  /// `RepetitionPenaltyLogitsProcessor`): for every distinct token `v` in `history`,
  /// `z_v ← z_v / θ` if `z_v > 0`, else `z_v ← z_v · θ` (so `θ > 1` makes repeats less likely).
  /// Each token is penalised once however often it occurs; other scores are unchanged.
  public static func applyRepetitionPenalty(_ scores: inout [Double], history: [Int], penalty: Double) {
    guard penalty != 1 else { return }
    for token in Set(history) {
      scores[token] = scores[token] > 0 ? scores[token] / penalty : scores[token] * penalty
    }
  }

  /// HuggingFace's `NoRepeatNGramLogitsProcessor` for `n = size ≥ 1` (`0`: off): with `h` the
  /// history (prompt + generated, length `L`), every token `v` such that
  /// `(h_{L−n+2}, …, h_L, v)` equals some `(h_s, …, h_{s+n−1})`, `1 ≤ s ≤ L − n + 1`, gets `−∞`.
  /// `n = 1` removes every token of the history; nothing is removed while `L < n`.
  public static func applyNoRepeatNgram(_ scores: inout [Double], history: [Int], size: Int) {
    guard size > 0, history.count >= size else { return }
    let context = history.suffix(size - 1)
    for start in 0...(history.count - size) where history[start..<(start + size - 1)].elementsEqual(context) {
      scores[history[start + size - 1]] = -.infinity
    }
  }

  /// HuggingFace's `MinNewTokensLengthLogitsProcessor`: while `generatedCount < minNewTokens`,
  /// every stop token gets `−∞`.
  public static func applyMinNewTokens(
    _ scores: inout [Double], generatedCount: Int, minNewTokens: Int, stopTokens: Set<Int>
  ) {
    guard generatedCount < minNewTokens else { return }
    for token in stopTokens { scores[token] = -.infinity }
  }

  /// The processors of ``GenerationOptions`` in order (repetition penalty → no-repeat n-gram →
  /// min new tokens → constraint mask) for a sequence whose prompt + generated tokens are
  /// `history`, of which the last `generatedCount` are generated, in constraint state
  /// `constraintState` (`nil` without a constraint). The mask comes before the sampling warpers,
  /// so that top-k, top-p, min-p and typical truncate the allowed tokens only.
  static func applyProcessors(
    _ scores: inout [Double], history: [Int], generatedCount: Int, options: GenerationOptions, constraintState: Int?
  ) {
    applyRepetitionPenalty(&scores, history: history, penalty: options.repetitionPenalty)
    applyNoRepeatNgram(&scores, history: history, size: options.noRepeatNgramSize)
    applyMinNewTokens(
      &scores, generatedCount: generatedCount, minNewTokens: options.minNewTokens, stopTokens: options.stopTokens)
    if let index = options.constraint, let constraintState {
      applyConstraint(
        &scores, index: index, state: constraintState, remainingTokens: options.maxNewTokens - generatedCount)
    }
  }
}
