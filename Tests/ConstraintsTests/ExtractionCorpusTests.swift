import Constraints
import SSMJSON
import Testing

@Suite struct ExtractionCorpusTests {
  /// The same seed and split give the same examples; another seed, or the other split, others.
  @Test func examplesAreDeterministicPerSeed() throws {
    let corpus = try ExtractionCorpus()
    let first = try corpus.examples(300, split: .train, seed: 7)
    #expect(first.count == 300)
    #expect(try corpus.examples(300, split: .train, seed: 7) == first)
    #expect(try corpus.examples(120, split: .train, seed: 7) == Array(first.prefix(120)))
    let other = try corpus.examples(300, split: .train, seed: 8)
    #expect(Set(other.map(\.text)).intersection(first.map(\.text)).count < 5)
    #expect(try corpus.examples(0, split: .test, seed: 7).isEmpty)
    #expect(throws: ExtractionDataError.negativeCount(-1)) { try corpus.examples(-1, split: .train, seed: 7) }
  }

  /// No test record is a training record, in any wording and for any pair of seeds; each split
  /// holds only records that ``ExtractionCorpus/split(of:)`` assigns to it, and the test split
  /// owns about a fifth of the drawn records.
  @Test func splitsAreDisjoint() throws {
    let corpus = try ExtractionCorpus()
    var train: Set<String> = []
    var test: Set<String> = []
    for seed: UInt64 in 0..<3 {
      for example in try corpus.examples(3000, split: .train, seed: seed) {
        #expect(ExtractionCorpus.split(of: example.record) == .train)
        train.insert(example.record.serialized)
      }
      for example in try corpus.examples(600, split: .test, seed: seed) {
        #expect(ExtractionCorpus.split(of: example.record) == .test)
        test.insert(example.record.serialized)
      }
    }
    #expect(train.count > 8000 && test.count > 1700)
    #expect(train.isDisjoint(with: test))
    // The split of the records of the other split's generator stream: records drawn for train by
    // seed 0 and for test by seed 0 come from different streams, so their first texts differ.
    let trainTexts = try corpus.examples(50, split: .train, seed: 0).map(\.text)
    let testTexts = try corpus.examples(50, split: .test, seed: 0).map(\.text)
    #expect(Set(trainTexts).isDisjoint(with: testTexts))
  }

  /// Every record is valid under the schema (the project's validator) and a string of the
  /// constraint's language (compact JSON, members in the declared order), and its sentence
  /// spells every field; the templates put the fields in at least five different orders.
  @Test func recordsAreValidAndDescribedBySentences() throws {
    let corpus = try ExtractionCorpus()
    var orders: Set<[String]> = []
    for split in ExtractionCorpus.Split.allCases {
      for example in try corpus.examples(800, split: split, seed: 3) {
        #expect(corpus.schema.validator.violation(of: example.record) == nil, "\(example.record.serialized)")
        #expect(corpus.schema.automaton.accepts(example.record.serialized.utf8), "\(example.record.serialized)")
        #expect(corpus.schema.record(fromOutput: Array(example.record.serialized.utf8)).isValid)
        guard case .object(let members) = example.record else {
          Issue.record("not an object: \(example.record.serialized)")
          continue
        }
        #expect(members.map(\.key) == ExtractionCorpus.fields)
        var positions: [(String, String.Index)] = []
        for member in members {
          let spelled =
            switch member.value {
            case .string(let text): text
            case .number(let value): String(Int(value))
            default: "?"
            }
          guard let range = example.text.firstRange(of: spelled) else {
            Issue.record("\"\(example.text)\" does not spell \(member.key) = \(spelled)")
            continue
          }
          positions.append((member.key, range.lowerBound))
        }
        orders.insert(positions.sorted { $0.1 < $1.1 }.map(\.0))
        #expect(!example.text.contains("{") && !example.text.contains("\n"), "\(example.text)")
      }
    }
    #expect(orders.count >= 5, "\(orders)")
  }

  /// A training document is the prompt, the record's JSON and a line break: without
  /// instructions `Text: <sentence>\nJSON: <record>\n`, short enough for a context of 256 bytes;
  /// with them it opens with the instruction. The training text follows each document with a
  /// `%` line, and no document holds such a line.
  @Test func documentsAreThePromptAndTheRecord() throws {
    let corpus = try ExtractionCorpus()
    let examples = try corpus.examples(400, split: .train, seed: 1)
    for example in examples {
      let document = corpus.document(for: example)
      #expect(document == "Text: \(example.text)\nJSON: \(example.record.serialized)\n")
      #expect(document.utf8.count < 256, "\(document.utf8.count) bytes: \(document)")
      #expect(!document.split(separator: "\n").contains("%"))
    }
    #expect(corpus.trainingText(examples) == examples.map { corpus.document(for: $0) + "%\n" }.joined())
    #expect(corpus.schemaDocument["instructions"] == .bool(false))

    let long = try ExtractionCorpus(instructions: true)
    let document = long.document(for: examples[0])
    #expect(document.hasPrefix("Extract one person record from the text as JSON on one line."))
    #expect(document.hasSuffix("Text: \(examples[0].text)\nJSON: \(examples[0].record.serialized)\n"))
    #expect(try long.examples(10, split: .test, seed: 2) == corpus.examples(10, split: .test, seed: 2))
  }
}
