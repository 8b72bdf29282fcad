import Constraints
import Testing

@Suite struct TokenIndexBudgetTests {
  /// Whether some sequence of at most `budget` tokens, the last a stop token, leads from `state`
  /// to the end: checked on the automaton itself by walking token bytes (independent of the
  /// index's distances).
  static func canEnd(_ dfa: ByteDFA, from state: Int, within budget: Int, vocabulary: TokenVocabulary) -> Bool {
    guard budget >= 1 else { return false }
    if dfa.accepting[state] { return true }
    return vocabulary.tokenBytes.enumerated().contains { token, bytes in
      guard !vocabulary.stopTokens.contains(token), let bytes, !bytes.isEmpty,
        let next = dfa.state(after: bytes, from: state)
      else { return false }
      return canEnd(dfa, from: next, within: budget - 1, vocabulary: vocabulary)
    }
  }

  /// For every state and budget `r ≤ 7`, the budgeted mask is, by brute force over the automaton,
  /// the allowed tokens after which the output can still end within `r − 1` tokens (stop tokens:
  /// accepting states), or the whole mask when none can; it is never empty in a live state, and
  /// a large budget changes nothing.
  @Test func budgetKeepsExactlyTheTokensThatCanStillEnd() throws {
    let vocabulary = TokenIndexTests.vocabulary
    for pattern in ["(ab|c){1,3}", "(a|b)*abb", "c(ab)*|ba", "[abc]{3,5}", "a*b"] {
      let dfa = try ByteDFA(regex: pattern)
      let index = try TokenIndex(dfa: dfa, vocabulary: vocabulary)
      for state in 0..<index.stateCount where index.distanceToEnd[state] != nil {
        let plain = index.allowedTokens(in: state)
        for budget in 1...7 {
          let finishing = plain.filter { token in
            if vocabulary.stopTokens.contains(token) { return dfa.accepting[state] }
            let next = dfa.state(after: vocabulary.tokenBytes[token]!, from: state)!
            return Self.canEnd(dfa, from: next, within: budget - 1, vocabulary: vocabulary)
          }
          let budgeted = index.allowedTokens(in: state, remainingTokens: budget)
          #expect(budgeted == (finishing.isEmpty ? plain : finishing), "\(pattern): state \(state), r = \(budget)")
          #expect(!budgeted.isEmpty)
        }
        #expect(index.allowedTokens(in: state, remainingTokens: index.stateCount + 1) == plain)
      }
    }
  }

  /// Following the budgeted masks from the start with `r = distanceToEnd[start] … 6`, every walk
  /// (enumerated) ends with a stop token within `r` tokens.
  @Test func everyBudgetedWalkEndsInTime() throws {
    let vocabulary = TokenIndexTests.vocabulary
    for pattern in ["(ab|c){1,3}", "(a|b)*abb", "[abc]{3,5}"] {
      let index = try TokenIndex(dfa: ByteDFA(regex: pattern), vocabulary: vocabulary)
      for budget in index.distanceToEnd[index.start]!...6 {
        var frontier = [(length: 0, state: index.start)]
        while let (length, state) = frontier.popLast() {
          #expect(length < budget, "\(pattern): a walk used its whole budget \(budget) without ending")
          guard length < budget else { continue }
          for token in index.allowedTokens(in: state, remainingTokens: budget - length)
          where !vocabulary.stopTokens.contains(token) {
            frontier.append((length + 1, index.nextState(after: token, from: state)!))
          }
        }
      }
    }
  }
}
