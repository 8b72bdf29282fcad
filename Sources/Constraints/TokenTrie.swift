/// The byte strings of a vocabulary's ordinary tokens (stop tokens and empty or special tokens
/// left out) as a trie: node 0 is the root, each edge one byte; tokens sharing a prefix share its
/// path, so indexing walks each shared prefix once per automaton state.
struct TokenTrie {
  /// The edges of each node, `(byte, child)`.
  private(set) var children: [[(byte: UInt8, child: Int)]] = [[]]
  /// The tokens whose bytes end at each node.
  private(set) var tokensEnding: [[Int]] = [[]]

  init(_ vocabulary: TokenVocabulary) {
    for (token, bytes) in vocabulary.tokenBytes.enumerated() {
      guard let bytes, !bytes.isEmpty, !vocabulary.stopTokens.contains(token) else { continue }
      var node = 0
      for byte in bytes {
        if let child = children[node].first(where: { $0.byte == byte })?.child {
          node = child
        } else {
          children.append([])
          tokensEnding.append([])
          children[node].append((byte, children.count - 1))
          node = children.count - 1
        }
      }
      tokensEnding[node].append(token)
    }
  }
}
