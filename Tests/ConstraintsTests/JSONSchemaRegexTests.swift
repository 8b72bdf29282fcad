import Constraints
import Testing

@Suite struct JSONSchemaRegexTests {
  static func dfa(_ schema: String) throws -> ByteDFA { try ByteDFA(regex: JSONSchemaRegex.regex(forSchema: schema)) }

  @Test func whitespaceIsBoundedToOneSpaceAtEachSeparator() throws {
    let dfa = try Self.dfa(
      #"{"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "array", "items": {"type": "null"}}}, "required": ["a", "b"]}"#
    )
    for text in [#"{"a":1,"b":[]}"#, #"{ "a": -12, "b": [ null, null ] }"#, #"{"a":0,"b":[ ]}"#] {
      #expect(dfa.accepts(text.utf8), "\(text)")
    }
    for text in [
      #"{"a":  1,"b":[]}"#, #"{"a" :1,"b":[]}"#, #"{"a":1 ,"b":[]}"#, #"{"a":1,"b":[  ]}"#, #" {"a":1,"b":[]}"#,
      #"{"a":1,"b":[]}\n"#, #"{"b":[],"a":1}"#, #"{"a":01,"b":[]}"#, #"{"a":1.5,"b":[]}"#,
    ] {
      #expect(!dfa.accepts(text.utf8), "\(text)")
    }
  }

  /// Optional properties: every subset that contains the required ones, in declared order, by
  /// enumeration of all 2³ subsets in both orders.
  @Test func optionalPropertiesMayBeLeftOutButKeepTheirOrder() throws {
    let dfa = try Self.dfa(
      #"{"type":"object","properties":{"x":{"const":1},"y":{"const":2},"z":{"const":3}},"required":["y"]}"#)
    let members = [#""x":1"#, #""y":2"#, #""z":3"#]
    for mask in 0..<8 {
      let chosen = (0..<3).filter { mask & (1 << $0) != 0 }
      let text = "{" + chosen.map { members[$0] }.joined(separator: ",") + "}"
      let reversed = "{" + chosen.reversed().map { members[$0] }.joined(separator: ",") + "}"
      #expect(dfa.accepts(text.utf8) == chosen.contains(1), "\(text)")
      if chosen.count > 1 { #expect(!dfa.accepts(reversed.utf8), "\(reversed)") }
    }
    let allOptional = try Self.dfa(#"{"type":"object","properties":{"x":{"const":1},"y":{"const":2}}}"#)
    for (text, valid) in [("{}", true), ("{ }", true), (#"{"y":2}"#, true), (#"{"x":1,"y":2}"#, true), ("{,}", false)] {
      #expect(allOptional.accepts(text.utf8) == valid, "\(text)")
    }
  }

  @Test func stringsArraysEnumsAndAnyOf() throws {
    let string = try Self.dfa(#"{"type":"string","minLength":1,"maxLength":2}"#)
    for (text, valid) in [
      (#""""#, false), (#""a""#, true), (#""é日""#, true), (#""\n\"""#, true), (#""abc""#, false),
      (#""\ud800""#, false), (#""\u00e9""#, true), ("\"\u{1}\"", false), (#""\x""#, false),
    ] {
      #expect(string.accepts(text.utf8) == valid, "\(text)")
    }
    let array = try Self.dfa(#"{"type":"array","items":{"enum":["a",1.5,true,null]},"minItems":2,"maxItems":3}"#)
    for (text, valid) in [
      (#"["a"]"#, false), (#"["a",1.5]"#, true), (#"[true, null, "a"]"#, true), (#"["a","a","a","a"]"#, false),
      (#"[1.50,true]"#, false),
    ] {
      #expect(array.accepts(text.utf8) == valid, "\(text)")
    }
    let choice = try Self.dfa(#"{"anyOf":[{"type":"boolean"},{"type":"string","pattern":"^[a-c]+$"}]}"#)
    for (text, valid) in [("true", true), (#""abc""#, true), (#""abd""#, false), (#""""#, false)] {
      #expect(choice.accepts(text.utf8) == valid, "\(text)")
    }
    let number = try Self.dfa(#"{"type":["number","null"]}"#)
    for (text, valid) in [
      ("-0.5e+3", true), ("1E9", true), ("null", true), (".5", false), ("1.", false), ("+1", false),
    ] {
      #expect(number.accepts(text.utf8) == valid, "\(text)")
    }
  }

  @Test func unsupportedAndInvalidSchemasAreClearErrors() {
    let unsupported = [
      #"{"type":"string","format":"date"}"#, ##"{"$ref":"#/x"}"##, #"{"type":"object"}"#, #"{"type":"array"}"#, "{}",
      #"{"type":"object","properties":{},"additionalProperties":true}"#, #"{"type":"array","items":[{"type":"null"}]}"#,
      #"{"type":"string","pattern":"a.b"}"#, #"{"type":"integer","minimum":0}"#,
      #"{"type":"string","pattern":"a","maxLength":3}"#,
    ]
    for schema in unsupported {
      #expect(throws: ConstraintError.self, "\(schema)") { try JSONSchemaRegex.regex(forSchema: schema) }
      do {
        _ = try JSONSchemaRegex.regex(forSchema: schema)
      } catch let error as ConstraintError {
        guard case .unsupportedSchema = error else {
          Issue.record("\(schema): \(error)")
          continue
        }
      } catch {
        Issue.record("\(schema): \(error)")
      }
    }
    let invalid = [
      "[", #"{"type":"text"}"#, #"{"type":"array","items":{"type":"null"},"minItems":3,"maxItems":2}"#,
      #"{"type":"object","properties":{"a":{"type":"null"}},"required":["b"]}"#, #"{"enum":[]}"#,
      #"{"type":"integer","enum":[1.5]}"#, #"{"type":"string","maxLength":-1}"#,
      #"{"type":"object","properties":{"a":{"type":"null"}},"required":[1e999]}"#,
      #"{"type":"object","properties":{"a":{"type":"null"}},"required":[2]}"#,
    ]
    for schema in invalid {
      #expect(throws: ConstraintError.self, "\(schema)") { try JSONSchemaRegex.regex(forSchema: schema) }
    }
    #expect(
      throws: ConstraintError.unsupportedSchema(keyword: "keyword \"format\"", path: "$.properties.when")
    ) {
      try JSONSchemaRegex.regex(
        forSchema: #"{"type":"object","properties":{"when":{"type":"string","format":"date"}}}"#)
    }
  }
}
