/// A ``ByteDFA`` indexed against a ``TokenVocabulary``: for each automaton state, the tokens a
/// constrained decoder may emit and the state each leads to. Built once per (DFA, vocabulary).
///
/// A token `t` with bytes `b₁…b_k` is allowed in state `s` when `δ(s, b₁…b_k) = s'` exists and
/// some continuation from `s'` ends the sequence (below); a stop token is allowed exactly when `s`
/// accepts. A state is *live* when a sequence of tokens followed by a stop token leads from it
/// to an end, and only live targets are kept, so **a live state never has an empty mask** and a
/// decoder that follows the mask can always finish a string of the language (given enough tokens:
/// ``distanceToEnd`` is the fewest tokens it takes).
public struct TokenIndex: Sendable, Equatable {
  /// The number of tokens of the vocabulary.
  public let vocabularySize: Int
  /// The stop tokens of the vocabulary.
  public let stopTokens: Set<Int>
  /// Whether each DFA state accepts.
  public let accepting: [Bool]
  /// For each state, the fewest tokens (its stop token included) that end a string of the
  /// language from it; `nil` for states that are not live.
  public let distanceToEnd: [Int?]
  /// For each state, the allowed tokens in ascending order (empty for states that are not live).
  let allowed: [[Int]]
  /// `nextStates[s][i]`: the state after `allowed[s][i]` (the state itself for a stop token).
  let nextStates: [[Int]]
  /// For each state, the largest ``distanceToEnd`` of a state an allowed non-stop token leads to
  /// (0 when there is none): a token budget `r` with `r − 1` at least this removes nothing there.
  let farthestNextDistance: [Int]

  /// The start state.
  public var start: Int { 0 }
  /// The number of DFA states.
  public var stateCount: Int { accepting.count }

  /// The index of `dfa` against `vocabulary`: every token's bytes are walked from every state,
  /// sharing prefixes through a trie of the vocabulary, then states from which no token
  /// sequence reaches a stop token are removed (a backward breadth-first search, which also gives
  /// ``distanceToEnd``).
  /// - Throws: ``ConstraintError/vocabularyCannotComplete`` when the start state is not live.
  public init(dfa: ByteDFA, vocabulary: TokenVocabulary) throws {
    let trie = TokenTrie(vocabulary)
    var edges = [[(token: Int, next: Int)]](repeating: [], count: dfa.stateCount)
    for state in 0..<dfa.stateCount {
      var stack = [(node: 0, state: state)]
      while let (node, current) = stack.popLast() {
        for (byte, child) in trie.children[node] {
          guard let next = dfa.next(current, byte) else { continue }
          for token in trie.tokensEnding[child] { edges[state].append((token, next)) }
          stack.append((child, next))
        }
      }
    }
    var predecessors = [[Int]](repeating: [], count: dfa.stateCount)
    for (state, stateEdges) in edges.enumerated() {
      for edge in stateEdges { predecessors[edge.next].append(state) }
    }
    var distance = [Int?](repeating: nil, count: dfa.stateCount)
    var queue = (0..<dfa.stateCount).filter { dfa.accepting[$0] }
    for state in queue { distance[state] = 1 }
    var cursor = 0
    while cursor < queue.count {
      let state = queue[cursor]
      cursor += 1
      for predecessor in predecessors[state] where distance[predecessor] == nil {
        distance[predecessor] = distance[state]! + 1
        queue.append(predecessor)
      }
    }
    guard distance[0] != nil else { throw ConstraintError.vocabularyCannotComplete }
    let stops = vocabulary.stopTokens.sorted()
    var allowed: [[Int]] = []
    var nextStates: [[Int]] = []
    for state in 0..<dfa.stateCount {
      var kept = distance[state] == nil ? [] : edges[state].filter { distance[$0.next] != nil }
      if dfa.accepting[state] { kept += stops.map { ($0, state) } }
      kept.sort { $0.token < $1.token }
      allowed.append(kept.map(\.token))
      nextStates.append(kept.map(\.next))
    }
    self.vocabularySize = vocabulary.tokenBytes.count
    self.stopTokens = vocabulary.stopTokens
    self.accepting = dfa.accepting
    self.distanceToEnd = distance
    self.allowed = allowed
    self.nextStates = nextStates
    self.farthestNextDistance = zip(allowed, nextStates).map { tokens, targets in
      zip(tokens, targets).map { vocabulary.stopTokens.contains($0) ? 0 : distance[$1]! }.max() ?? 0
    }
  }

  /// The tokens allowed in `state`, ascending.
  public func allowedTokens(in state: Int) -> [Int] { allowed[state] }

  /// The state after emitting `token` in `state` (`state` itself for a stop token), `nil` when
  /// the token is not allowed there.
  public func nextState(after token: Int, from state: Int) -> Int? {
    let tokens = allowed[state]
    var low = 0
    var high = tokens.count
    while low < high {
      let middle = (low + high) / 2
      if tokens[middle] < token { low = middle + 1 } else { high = middle }
    }
    return low < tokens.count && tokens[low] == token ? nextStates[state][low] : nil
  }
}
