extension TokenIndex {
  /// The tokens allowed in `state` that still let the output end, with a stop token, within
  /// `remainingTokens` more tokens (this one included), ascending.
  ///
  /// With `r = remainingTokens` and `d = ` ``distanceToEnd``, a stop token is kept when `state`
  /// accepts, any other allowed token `t` when `d(δ(state, t)) ≤ r − 1`. If `d(state) ≤ r` the
  /// token on a shortest path to the end is kept, so the set is not empty, and after it
  /// `d(state') ≤ r − 1`: by induction a decoder that follows these sets from the start with
  /// `r = maxNewTokens ≥ d(start)` always ends a string of the language before its token limit.
  /// When `d(state) > r` no string can end in time and all of ``allowedTokens(in:)`` is returned.
  /// When `r − 1` reaches the largest `d` of the states the tokens lead to (precomputed per
  /// state), the budget removes nothing and the mask is returned without a pass over it.
  public func allowedTokens(in state: Int, remainingTokens: Int) -> [Int] {
    guard remainingTokens - 1 < farthestNextDistance[state], let distance = distanceToEnd[state],
      distance <= remainingTokens
    else {
      return allowed[state]
    }
    var kept: [Int] = []
    kept.reserveCapacity(allowed[state].count)
    for (token, next) in zip(allowed[state], nextStates[state]) {
      if stopTokens.contains(token) || distanceToEnd[next]! <= remainingTokens - 1 { kept.append(token) }
    }
    return kept
  }
}
