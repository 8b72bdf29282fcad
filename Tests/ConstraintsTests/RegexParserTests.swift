import Constraints
import Testing

@Suite struct RegexParserTests {
  @Test func unsupportedConstructsAreNamedWithTheirPosition() {
    let cases: [(String, String, Int)] = [
      (#"(a)\1"#, "backreference", 3), ("a(?=b)", "lookahead", 1), ("a(?!b)", "lookahead", 1),
      ("(?<=a)b", "lookbehind", 0), ("a(?P=x)", "backreference", 1), ("a^b", "anchor ^", 1),
      ("a$b", "anchor $", 1), (#"a\b"#, "word boundary", 1), ("(?i)a", "inline flags", 0),
      ("(?>a)", "atomic group", 0), ("a*+", "possessive", 2), (#"\0"#, "octal", 0),
    ]
    for (pattern, construct, position) in cases {
      do {
        _ = try ByteDFA(regex: pattern)
        Issue.record("\(pattern) was accepted")
      } catch let error as ConstraintError {
        guard case .unsupportedSyntax(let named, let at) = error else {
          Issue.record("\(pattern): \(error)")
          continue
        }
        #expect(named.contains(construct), "\(pattern): \(named)")
        #expect(at == position, "\(pattern)")
        #expect(error.description.contains("character \(position)"))
      } catch {
        Issue.record("\(pattern): \(error)")
      }
    }
  }

  @Test func invalidPatternsAreErrors() {
    for pattern in ["(ab", "ab)", "[ab", "[z-a]", "*a", "a{3,2}", #"\q"#, #"\x4"#, #"a\"#, #"[\d-z]"#] {
      #expect(throws: ConstraintError.self, "\(pattern)") { try ByteDFA(regex: pattern) }
    }
    #expect(throws: ConstraintError.self) { try ByteDFA(regex: "a{1001}") }
  }

  @Test func emptyLanguageIsAnError() {
    #expect(throws: ConstraintError.emptyLanguage) { try ByteDFA(regex: #"[^\s\S]"#) }
    #expect(throws: ConstraintError.emptyLanguage) { try ByteDFA(regex: #"a[^\s\S]|b[^\d\D]"#) }
  }
}
