import Foundation

/// The n-best list of finished beam-search hypotheses (HuggingFace's `BeamHypotheses`).
///
/// A hypothesis of `n` generated tokens with log-probability sum `S` scores `S / n^α`. The list
/// keeps the `capacity` best; ``worstScore`` is the lowest kept score (`+∞` while the list is
/// not full, as HuggingFace's `1e9`, which no log-probability score reaches).
struct BeamHypotheses {
  /// `numBeams`.
  let capacity: Int
  /// `α`.
  let lengthPenalty: Double
  let earlyStopping: EarlyStopping
  /// `maxNewTokens`, the longest possible hypothesis (for ``EarlyStopping/never``).
  let maxNewTokens: Int
  /// Kept hypotheses in insertion order.
  private(set) var entries: [(score: Double, tokens: [Int])] = []
  private(set) var worstScore = Double.infinity

  init(capacity: Int, lengthPenalty: Double, earlyStopping: EarlyStopping, maxNewTokens: Int) {
    self.capacity = capacity
    self.lengthPenalty = lengthPenalty
    self.earlyStopping = earlyStopping
    self.maxNewTokens = maxNewTokens
  }

  /// `S / n^α` for `n` generated tokens.
  func normalized(_ sumLogProbability: Double, length: Int) -> Double {
    sumLogProbability / pow(Double(length), lengthPenalty)
  }

  /// Adds `tokens` (all generated tokens, a final stop token included) with log-probability sum
  /// `sumLogProbability` if the list has room or it beats ``worstScore``; a full list then drops
  /// its worst entry (on equal scores, the earliest added).
  mutating func add(tokens: [Int], sumLogProbability: Double) {
    let score = normalized(sumLogProbability, length: tokens.count)
    guard entries.count < capacity || score > worstScore else { return }
    entries.append((score, tokens))
    if entries.count > capacity {
      let worst = entries.indices.min { entries[$0].score < entries[$1].score }!
      entries.remove(at: worst)
      worstScore = entries.map(\.score).min()!
    } else {
      worstScore = min(score, worstScore)
    }
  }

  /// Whether the search can stop after a step that generated the `length`-th token, with
  /// `bestSum` the sum that ``EarlyStoppingBound`` names (see ``EarlyStopping`` for the three
  /// rules). Never before the list is full.
  func isDone(bestSum: Double, length: Int) -> Bool {
    guard entries.count >= capacity else { return false }
    switch earlyStopping {
    case .whenFull: return true
    case .heuristic: return worstScore >= normalized(bestSum, length: length)
    case .never:
      return worstScore >= normalized(bestSum, length: lengthPenalty > 0 ? maxNewTokens : length)
    }
  }

  /// The `count` best hypotheses, best first; equal scores rank the later-added first (the
  /// order of HuggingFace's stable ascending sort popped from the end).
  func best(_ count: Int) -> [GenerationResult] {
    let order = entries.indices.sorted {
      entries[$0].score > entries[$1].score || (entries[$0].score == entries[$1].score && $0 > $1)
    }
    return order.prefix(count).map { GenerationResult(tokens: entries[$0].tokens, score: entries[$0].score) }
  }
}
