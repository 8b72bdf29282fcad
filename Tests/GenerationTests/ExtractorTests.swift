import Constraints
import Generation
import Models
import SSMJSON
import Testing

@Suite struct ExtractorTests {
  static let schema = try! ExtractionSchema(
    text: #"""
      {"name": "person",
       "record": {"type": "object",
                  "properties": {"name": {"type": "string", "maxLength": 8, "description": "first name"},
                                 "age": {"type": "integer"},
                                 "tags": {"type": "array", "items": {"enum": ["x", "y"]}, "maxItems": 2}},
                  "required": ["name", "age"], "additionalProperties": false},
       "examples": [{"text": "Ada is 36.", "record": {"name": "Ada", "age": 36}}]}
      """#)
  /// Bytes and a text model's separator (256); a line break or the separator ends the answer.
  static let vocabulary = try! TokenVocabulary.byteLevel(size: 257, stopTokens: [10, 256])

  /// A model that, after a prompt of `promptLength` tokens, puts logit 10 on the next byte of
  /// `answer` and then on the line break (0 elsewhere): it "answers" `answer`.
  static func scripted(_ answer: String, promptLength: Int) -> HistoryModel {
    let bytes = Array(answer.utf8) + [10]
    return HistoryModel(vocabulary: 257) { history in
      var logits = [Float](repeating: 0, count: 257)
      let position = history.count - promptLength
      if position >= 0 { logits[Int(bytes[min(position, bytes.count - 1)])] = 10 }
      return logits
    }
  }

  /// The records of a scripted answer, unconstrained and constrained (greedy).
  static func records(answer: String) throws -> (free: ExtractedRecord, constrained: ExtractedRecord) {
    let free = try Extractor(schema: schema, vocabulary: vocabulary, constrained: false)
    let constrained = try Extractor(schema: schema, vocabulary: vocabulary, constrained: true)
    let model = scripted(answer, promptLength: try free.promptTokens(for: "Alan is 41.").count)
    return (
      try free.extract(model, text: "Alan is 41.", maxNewTokens: 64),
      try constrained.extract(model, text: "Alan is 41.", maxNewTokens: 64)
    )
  }

  /// A valid answer comes back as its record, with and without the constraint (greedy decoding
  /// under a mask that allows every scripted token takes the same tokens).
  @Test func validAnswerIsTheRecordInBothModes() throws {
    let answer = #"{"name":"Alan","age":41,"tags":["x"]}"#
    let (free, constrained) = try Self.records(answer: answer)
    #expect(free.isValid && free.output == answer)
    #expect(free.value == .object([("name", .string("Alan")), ("age", .number(41)), ("tags", .array([.string("x")]))]))
    #expect(constrained == free)
  }

  /// An invalid answer is reported with its reason and kept verbatim without the constraint;
  /// with it, greedy decoding follows the answer while the mask allows and ends with a valid
  /// record.
  @Test func invalidAnswersAreReportedOrPreventedByTheConstraint() throws {
    for (answer, phrase, allowedPrefix) in [
      (#"{"name":"Alan","age":"41"}"#, "$.age: expected integer", #"{"name":"Alan","age":"#),
      (#"{"name":"Alan","age":41,"city":"Oslo"}"#, "\"city\" is not among the properties", #"{"name":"Alan","age":41"#),
      ("Alan is 41", "not JSON", ""),
    ] {
      let (free, constrained) = try Self.records(answer: answer)
      #expect(!free.isValid && free.output == answer, "\(answer)")
      #expect(free.problem?.contains(phrase) == true, "\(answer): \(free.problem ?? "valid")")
      #expect(constrained.isValid, "\(answer): \(constrained.output) \(constrained.problem ?? "")")
      #expect(constrained.output.hasPrefix(allowedPrefix) && constrained.output != answer, "\(constrained.output)")
      #expect(Self.schema.automaton.accepts(constrained.output.utf8))
    }
  }

  /// Constrained, every record is valid for models with arbitrary (seeded random) logits, under
  /// greedy decoding, sampling and beam search, even with a token limit close to the shortest
  /// record (the budgeted mask closes strings and arrays in time).
  @Test func constrainedRecordsAreAlwaysValid() throws {
    let extractor = try Extractor(schema: Self.schema, vocabulary: Self.vocabulary, constrained: true)
    let index = try #require(extractor.constraint)
    let shortest = try #require(index.distanceToEnd[index.start])
    #expect(shortest == #"{"name":"","age":0}"#.utf8.count + 1)
    let strategies: [DecodingStrategy] = [
      .greedy, .sampling(SamplingParameters(temperature: 2)), .beamSearch(BeamSearchParameters(numBeams: 2)),
    ]
    for seed: UInt64 in 0..<6 {
      let model = HistoryModel.hashed(vocabulary: 257, seed: seed, scale: 3)
      for strategy in strategies {
        for limit in [shortest, shortest + 3, 60] {
          let record = try extractor.extract(
            model, text: "Bo is 7.", maxNewTokens: limit, strategy: strategy, seed: seed)
          #expect(record.isValid, "seed \(seed), \(strategy), limit \(limit): \(record.output) \(record.problem ?? "")")
          #expect(record.output.utf8.count < limit)
        }
      }
    }
    #expect(throws: ExtractionError.tokenLimitBelowShortestRecord(shortest: shortest, maxNewTokens: shortest - 1)) {
      try extractor.extract(HistoryModel.hashed(vocabulary: 257, seed: 0), text: "x", maxNewTokens: shortest - 1)
    }
  }

  /// A prompt byte without a token in the vocabulary is an error, not a silently dropped byte.
  @Test func unencodablePromptIsAnError() throws {
    let bytes: [[UInt8]?] = (0..<128).map { [UInt8($0)] } + [nil]
    let ascii = try TokenVocabulary(tokenBytes: bytes, stopTokens: [128])
    let extractor = try Extractor(schema: Self.schema, vocabulary: ascii, constrained: false)
    #expect(throws: ExtractionError.unencodableByte(0xC3)) { try extractor.promptTokens(for: "José") }
  }
}
