import Constraints
import SeededRandom
import Testing

@Suite struct TokenIndexTests {
  /// Multi-byte tokens that cut across the language's structure, and a stop token (6) and a
  /// special token (7) without bytes.
  static let vocabulary = try! TokenVocabulary(
    tokenBytes: [[0x61], [0x62], [0x63], [0x61, 0x62], [0x62, 0x63], [0x63, 0x61], nil, nil], stopTokens: [6])

  /// All stop-terminated token sequences of at most `length` tokens that follow the index's masks.
  static func walks(_ index: TokenIndex, length: Int) -> [[Int]] {
    var finished: [[Int]] = []
    var frontier: [(tokens: [Int], state: Int)] = [([], index.start)]
    for _ in 0..<length {
      var next: [(tokens: [Int], state: Int)] = []
      for (tokens, state) in frontier {
        for token in index.allowedTokens(in: state) {
          if index.stopTokens.contains(token) {
            finished.append(tokens + [token])
          } else {
            next.append((tokens + [token], index.nextState(after: token, from: state)!))
          }
        }
      }
      frontier = next
    }
    return finished
  }

  static func text(_ tokens: [Int], _ vocabulary: TokenVocabulary) -> String {
    String(decoding: tokens.dropLast().flatMap { vocabulary.tokenBytes[$0]! }, as: UTF8.self)
  }

  /// Completeness and soundness on a finite language: the strings spelled by every masked token
  /// walk are exactly the language {ab, c, abab, abc, cab, cc}, listed by hand.
  @Test func maskedWalksSpellExactlyTheFiniteLanguage() throws {
    let index = try TokenIndex(dfa: ByteDFA(regex: "(ab|c){1,2}"), vocabulary: Self.vocabulary)
    let spelled = Set(Self.walks(index, length: 6).map { Self.text($0, Self.vocabulary) })
    #expect(spelled == ["ab", "c", "abab", "abc", "cab", "cc"])
    // Every tokenisation is reachable too: "abc" as a·b·c, ab·c, a·bc.
    let abc = Self.walks(index, length: 6).filter { Self.text($0, Self.vocabulary) == "abc" }
    #expect(Set(abc) == [[0, 1, 2, 6], [3, 2, 6], [0, 4, 6]])
  }

  /// Stop tokens exactly in accepting states; no live state with an empty mask; the special token
  /// never allowed; ``TokenIndex/distanceToEnd`` equal to the shortest masked walk.
  @Test func maskProperties() throws {
    for pattern in ["(ab|c){1,2}", "(a|b)*abb", "c(ab)*|ba", "[abc]{3,5}", "(ca)+b?"] {
      let index = try TokenIndex(dfa: ByteDFA(regex: pattern), vocabulary: Self.vocabulary)
      for state in 0..<index.stateCount where index.distanceToEnd[state] != nil {
        let allowed = index.allowedTokens(in: state)
        #expect(!allowed.isEmpty, "\(pattern): state \(state)")
        #expect(allowed.contains(6) == index.accepting[state], "\(pattern): state \(state)")
        #expect(!allowed.contains(7))
      }
      let shortest = Self.walks(index, length: 8).map(\.count).min()
      #expect(shortest == index.distanceToEnd[index.start], "\(pattern)")
    }
  }

  @Test func byteLevelWalksAreMembersOfTheLanguage() throws {
    let dfa = try ByteDFA(regex: #"[a-z]{2,4}(-\d+)?|é+"#)
    let vocabulary = try TokenVocabulary.byteLevel(size: 257, stopTokens: [256])
    let index = try TokenIndex(dfa: dfa, vocabulary: vocabulary)
    var generator = SeededGenerator(seed: 5)
    for _ in 0..<1000 {
      let tokens = try #require(index.randomWalk(using: &generator, maximumTokens: 10_000))
      #expect(tokens.last == 256)
      #expect(dfa.accepts(tokens.dropLast().map { UInt8($0) }))
    }
  }

  @Test func vocabularyThatCannotSpellTheLanguageIsAnError() throws {
    let vocabulary = try TokenVocabulary(tokenBytes: [[0x61], [0x61, 0x62, 0x63], nil], stopTokens: [2])
    #expect(throws: ConstraintError.vocabularyCannotComplete) {
      try TokenIndex(dfa: ByteDFA(regex: "ab"), vocabulary: vocabulary)
    }
    // "abd" cannot be spelled, so "ab" must not be allowed into the state after "ab".
    let index = try TokenIndex(dfa: ByteDFA(regex: "a|abcd"), vocabulary: vocabulary)
    #expect(index.allowedTokens(in: index.start) == [0])
    #expect(throws: ConstraintError.self) { try TokenVocabulary(tokenBytes: [[0x61]], stopTokens: []) }
    #expect(throws: ConstraintError.self) { try TokenVocabulary(tokenBytes: [[0x61]], stopTokens: [3]) }
  }
}
