extension ByteDFA {
  /// The DFA of the UTF-8 encodings of the strings that `pattern` matches *in full* (Python's
  /// `re.fullmatch(pattern, s, re.ASCII)`; syntax in ``RegexParser``), minimised unless
  /// `minimize` is `false`.
  /// - Throws: ``ConstraintError`` for unsupported or invalid syntax, an automaton above the size
  ///   limits, or a pattern that matches nothing.
  public init(regex pattern: String, minimize: Bool = true) throws {
    let dfa = try ByteDFA(nfa: ByteNFA(RegexParser.parse(pattern)))
    self = minimize ? try dfa.minimized() : dfa
  }
}
