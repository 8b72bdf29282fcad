import Constraints
import SSMJSON
import SeededRandom
import Testing

@Suite struct JSONSchemaValidatorTests {
  /// Schemas of the supported keywords, free-form parts and search patterns included.
  static let schemas = [
    #"{"type":"object","properties":{"name":{"type":"string","maxLength":4},"age":{"type":"integer"},"#
      + #""tags":{"type":"array","items":{"type":"string","minLength":1},"maxItems":2},"#
      + #""kind":{"enum":["a",3,null,[1,{"x":true}]]}},"required":["name","age"]}"#,
    #"{"type":"array","items":{"anyOf":[{"type":"number"},{"type":"boolean"},{"type":"null"}]},"minItems":1,"#
      + #""maxItems":3}"#,
    #"{"type":"object","properties":{"id":{"type":"string","pattern":"^[A-Z]{2}-[0-9]{2}$"},"#
      + #""note":{"type":"string","pattern":"ab+"},"nested":{"type":"object","properties":{"x":{"const":1},"#
      + #""y":{"type":["string","null"]}},"additionalProperties":false}},"required":["id"],"additionalProperties":false}"#,
    #"{"type":"object","properties":{"free":{"type":"object"},"list":{"type":"array"},"any":{}}}"#,
  ]

  /// Hand-written instances around the schemas' edges: member order, extra members, whitespace,
  /// `1.0` as an integer, `true` against the enum's `3`, unanchored patterns, free-form values.
  static let handWritten = [
    #"{"age": 3, "name": "Al"}"#, #"{"name":"Al","age":3.0}"#, #"{"name":"Al","age":3.5}"#,
    #"{"name":"Alice","age":3}"#, #"{"name":"Al"}"#, #"{"name":"Al","age":1,"extra":[1]}"#,
    #"{"name":"Al","age":1,"kind":true}"#, #"{"name":"Al","age":1,"kind":[1,{"x":true}]}"#,
    #"{"name":"Al","age":1,"kind":[{"x":true},1]}"#, #"{"name":"Al","age":1,"tags":["a","b","c"]}"#,
    #"{"name":"Al","age":1,"tags":[""]}"#, #"{"name":"日本","age":-0}"#, "[]", "[1, true, null]",
    #"[1, "1"]"#, "[1,2,3,4]", #"{"id":"AB-12"}"#, #"{"id":"AB-123"}"#, #"{"id":"AB-12","note":"xxabbbx"}"#,
    #"{"id":"AB-12","note":"ba"}"#, #"{"id":"AB-12","nested":{"x":1,"y":null}}"#,
    #"{"id":"AB-12","nested":{"x":1.0,"z":1}}"#, #"{"id":"AB-12","other":1}"#, #"{"free":{"a":[1,{}]},"any":"x"}"#,
    #"{"free":[],"list":{}}"#, #"{"list":[1,"a",null]}"#, "null", #""text""#, "3",
  ]

  /// Members of each schema's constrained language (seeded random walks of its token index) and
  /// one-byte mutations of them that are still JSON: mostly invalid, some valid in ways the
  /// compact form never is.
  static func generatedInstances(_ schema: String, seed: UInt64) throws -> [String] {
    let index = try TokenIndex(
      dfa: ByteDFA(regex: JSONSchemaRegex.regex(forSchema: schema)),
      vocabulary: .byteLevel(size: 257, stopTokens: [256]))
    var generator = SeededGenerator(seed: seed)
    let alphabet = Array(#"{}[],:" 0123456789.-aeAB"#.utf8)
    var instances: [String] = []
    for _ in 0..<150 {
      let bytes = try #require(index.randomWalk(using: &generator, maximumTokens: 10_000)).dropLast().map { UInt8($0) }
      instances.append(String(decoding: bytes, as: UTF8.self))
      var mutated = bytes
      let position = Int(generator.next() % UInt64(mutated.count))
      if generator.nextUnitInterval() < 0.3 {
        mutated.remove(at: position)
      } else {
        mutated[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
      }
      let text = String(decoding: mutated, as: UTF8.self)
      if let value = try? JSONParser.parse(text), value.isFinite { instances.append(text) }
    }
    return instances.filter { !$0.contains("\\u") }
  }

  /// The validator agrees with Python's `jsonschema` (an independent implementation) on every
  /// hand-written and generated instance of every schema; both verdicts occur often enough for
  /// the agreement to mean something.
  @Test func agreesWithPythonJSONSchema() throws {
    var cases: [(schema: String, instances: [String])] = []
    for (number, schema) in Self.schemas.enumerated() {
      let generated = number == 3 ? [] : try Self.generatedInstances(schema, seed: UInt64(number))
      cases.append((schema, Self.handWritten + generated))
    }
    let expected = try pythonSchemaValidity(cases)
    var verdicts = (valid: 0, invalid: 0)
    for (index, (schema, instances)) in cases.enumerated() {
      let validator = try JSONSchemaValidator(schema: JSONParser.parse(schema))
      for (instance, python) in zip(instances, expected[index]) {
        let value = try JSONParser.parse(instance)
        let violation = validator.violation(of: value)
        guard let python else {
          Issue.record("Python cannot read \(instance)")
          continue
        }
        #expect((violation == nil) == python, "schema \(index): \(instance): \(violation?.description ?? "valid")")
        if python { verdicts.valid += 1 } else { verdicts.invalid += 1 }
      }
    }
    #expect(verdicts.valid >= 300 && verdicts.invalid >= 100, "\(verdicts)")
  }

  /// Violations name the failing place in the instance and the keyword's reason.
  @Test func violationsLocateTheProblem() throws {
    let validator = try JSONSchemaValidator(schema: JSONParser.parse(Self.schemas[0]))
    for (text, path, phrase) in [
      (#"{"name":"Al","age":"3"}"#, "$.age", "expected integer, got a string"),
      (#"{"age":3}"#, "$", "missing the required member \"name\""),
      (#"{"name":"Al","age":3,"tags":["a",""]}"#, "$.tags[1]", "fewer than minLength 1"),
      (#"{"name":"Al","age":3,"kind":"b"}"#, "$.kind", "expected one of"),
    ] {
      let violation = try #require(validator.violation(of: JSONParser.parse(text)), "\(text)")
      #expect(violation.path == path, "\(text): \(violation)")
      #expect(violation.reason.contains(phrase), "\(text): \(violation)")
    }
  }

  /// Keywords outside the subset and malformed keyword values are errors, never ignored.
  @Test func unsupportedOrMalformedSchemasAreErrors() throws {
    let cases: [(schema: String, path: String?)] = [
      (#"{"type":"string","format":"email"}"#, "$"), (#"{"properties":{"a":{"minimum":1}}}"#, "$.properties.a"),
      (#"{"type":"strin"}"#, "$"), (#"{"enum":[]}"#, "$"), (#"{"type":"array","items":[{"type":"null"}]}"#, "$"),
      (#"{"type":"string","pattern":"(a"}"#, nil), (#"{"required":"a"}"#, "$"), (#"{"maxLength":-1}"#, "$"),
      (#"{"additionalProperties":{"type":"null"}}"#, "$"), ("[]", "$"),
    ]
    for (schema, path) in cases {
      do {
        _ = try JSONSchemaValidator(schema: JSONParser.parse(schema))
        Issue.record("\(schema) was accepted")
      } catch let error as ConstraintError {
        switch error {
        case .unsupportedSchema(_, let found), .invalidSchema(_, let found): #expect(found == path, "\(schema)")
        case .invalidSyntax, .unsupportedSyntax: #expect(path == nil, "\(schema): \(error)")
        default: Issue.record("\(schema): \(error)")
        }
      }
    }
  }
}
