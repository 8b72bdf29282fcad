import SeededRandom

extension TokenIndex {
  /// A seeded random member of the constrained language as tokens, its stop token last: from the
  /// start, each step draws a fair coin (one `nextUnitInterval()`); heads takes a uniformly drawn
  /// allowed token, tails a uniformly drawn allowed token that brings the end closer
  /// (``distanceToEnd`` drops by one; a stop token when the state accepts), then a second draw
  /// picks the token. The tails steps make every walk end with probability 1; the heads steps
  /// reach every allowed token, so every string of the language has a positive probability.
  /// Used to test soundness (every walk spells a string of the language), not to model text.
  /// - Returns: `nil` when the walk did not end within `maximumTokens` tokens.
  public func randomWalk(using generator: inout SeededGenerator, maximumTokens: Int) -> [Int]? {
    var state = start
    var tokens: [Int] = []
    while tokens.count < maximumTokens {
      let candidates = allowedTokens(in: state)
      let choices: [Int]
      if generator.nextUnitInterval() < 0.5 {
        choices = candidates
      } else {
        let target = distanceToEnd[state]! - 1
        choices = candidates.filter { token in
          stopTokens.contains(token) ? target == 0 : distanceToEnd[nextState(after: token, from: state)!] == target
        }
      }
      let token = choices[min(Int(generator.nextUnitInterval() * Double(choices.count)), choices.count - 1)]
      tokens.append(token)
      if stopTokens.contains(token) { return tokens }
      state = nextState(after: token, from: state)!
    }
    return nil
  }
}
