import Constraints
import Testing

@Suite struct ByteDFATests {
  /// Patterns over the alphabet {a, b, c} (plus syntax the alphabet exercises through classes,
  /// escapes and negation), compared with Python's `re.fullmatch` on every string of length ≤ 5.
  static let patterns = [
    "a", "", "ab|c", "(ab|c){1,2}", "a*b+c?", "(?:a|b)*abb", "[ab]{2,3}", "[^a]*", "a{2}", "a{2,}", "a{,2}c",
    "(a|)(b|)", ".c.", #"\w\W?"#, #"[a-b]+c*|(?P<x>ca)+"#, "((a*)*b)*", "a*?b+?", "^ab$", "a{0}b", "[]a]*",
    "[-a]b", "a{x}", #"\.|a"#, "[^ab]c", "(a|b|c){1,3}?a",
  ]

  @Test func fullMatchAgreesWithPythonOnAllShortStrings() throws {
    let texts = allStrings(over: ["a", "b", "c", "."], maximumLength: 5) + ["{x}", "a{x}", "]a"]
    let reference = try pythonFullMatches(Self.patterns.map { ($0, texts) })
    for (pattern, expected) in zip(Self.patterns, reference) {
      let minimal = try ByteDFA(regex: pattern)
      let subset = try ByteDFA(regex: pattern, minimize: false)
      #expect(minimal.stateCount <= subset.stateCount)
      for (text, match) in zip(texts, expected) {
        #expect(minimal.accepts(text.utf8) == match, "\(pattern) on \(text.debugDescription)")
        #expect(subset.accepts(text.utf8) == match, "\(pattern) on \(text.debugDescription) (not minimised)")
      }
    }
  }

  @Test func unicodeLiteralsClassesAndDotAgreeWithPython() throws {
    let texts = ["é", "e", "日本", "😀", "a\n", "\n", "ÿ", "à", "ß", "Ā", "€", "😀x", "é日"]
    let patterns = [".", "..", "[à-ÿ]", "[^à-ÿ]", "日本|😀x", #"\W+"#, #"[\u00e0-\U0001F600]+"#, "é日?"]
    let reference = try pythonFullMatches(patterns.map { ($0, texts) })
    for (pattern, expected) in zip(patterns, reference) {
      let dfa = try ByteDFA(regex: pattern)
      for (text, match) in zip(texts, expected) {
        #expect(dfa.accepts(text.utf8) == match, "\(pattern) on \(text.debugDescription)")
      }
    }
  }

  /// A class over scalars is compiled to byte sequences: every code point (every 97th, and every
  /// neighbour of a range end and of a UTF-8 length boundary) is accepted exactly when it is in the
  /// class, and invalid UTF-8 (surrogates, overlong forms, stray continuation bytes) never is.
  @Test func characterClassesMatchExactlyTheirCodePoints() throws {
    let dfa = try ByteDFA(regex: #"[A-Z\u0400-\u04ff\ufff0-\U00010100\U0010fffd-\U0010ffff]"#)
    let ranges: [ClosedRange<UInt32>] = [0x41...0x5A, 0x400...0x4FF, 0xFFF0...0x10100, 0x10FFFD...0x10FFFF]
    let edges: [UInt32] = [0x40, 0x5B, 0x3FF, 0x500, 0x7F, 0x80, 0x7FF, 0x800, 0xFFEF, 0xFFFF, 0x10000, 0x10101]
    let probes =
      Array(stride(from: 0, through: 0x10FFFF, by: 97)) + edges + ranges.flatMap { [$0.lowerBound, $0.upperBound] }
    for codePoint in probes {
      guard let scalar = Unicode.Scalar(codePoint) else { continue }
      let inside = ranges.contains { $0.contains(codePoint) }
      #expect(dfa.accepts(String(scalar).utf8) == inside, "U+\(String(codePoint, radix: 16))")
    }
    let any = try ByteDFA(regex: #"[\s\S]"#)
    for invalid: [UInt8] in [
      [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80],
    ] {
      #expect(!any.accepts(invalid), "\(invalid)")
    }
  }

  /// The minimal DFA of (a|b)*abb has 4 states (Aho, Sethi, Ullman, Compilers, example 3.40).
  @Test func minimisationReachesTheTextbookStateCount() throws {
    #expect(try ByteDFA(regex: "(a|b)*abb").stateCount == 4)
    #expect(try ByteDFA(regex: "(a|b)*abb", minimize: false).stateCount > 4)
  }

  /// Every state is live: some string leads from it to acceptance (breadth-first search by bytes).
  @Test func everyStateCanReachAcceptance() throws {
    for pattern in Self.patterns + [#"[a-z]+@[a-z]+\.(com|org)"#, #"\d{3}-\d{4}"#] {
      let dfa = try ByteDFA(regex: pattern)
      for state in 0..<dfa.stateCount {
        var seen: Set<Int> = [state]
        var frontier = [state]
        var found = dfa.accepting[state]
        while !found, let current = frontier.popLast() {
          for byte in 0...255 {
            guard let next = dfa.next(current, UInt8(byte)), seen.insert(next).inserted else { continue }
            found = found || dfa.accepting[next]
            frontier.append(next)
          }
        }
        #expect(found, "\(pattern): state \(state)")
      }
    }
  }
}
