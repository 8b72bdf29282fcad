/// How many tokens the draft proposes per round of speculative decoding.
public enum DraftLength: Sendable, Equatable {
  /// Always `k ≥ 1` tokens.
  case fixed(Int)
  /// HuggingFace's `"heuristic"` schedule for assisted decoding: start at `initial ≥ 1`; after a
  /// round whose `k` draft tokens were all accepted, `k ← k + 2`, otherwise `k ← max(1, k − 1)`.
  case adaptive(initial: Int)

  /// The first round's `k`.
  public var initial: Int {
    switch self {
    case .fixed(let k): k
    case .adaptive(let initial): initial
    }
  }

  /// The next round's `k` after a round that proposed `drafted` tokens and accepted `accepted`.
  func next(after current: Int, drafted: Int, accepted: Int) -> Int {
    switch self {
    case .fixed(let k): k
    case .adaptive: accepted == drafted ? current + 2 : max(1, current - 1)
    }
  }
}
