import SSMJSON
import SeededRandom

/// A seeded extraction corpus: sentences that describe a person, each with the record
/// `{"name", "age", "city", "job"}` it describes, for training a byte-level model to extract
/// records (``ExtractionSchema``, ``ExtractedRecord``) and scoring it (``ExtractionScore``).
///
/// **Records.** A name is a first name and a surname from fixed lists of 24 each, the age a
/// whole number in `18 ... 79`, the city and the job one of 24 each: 24² · 62 · 24² ≈ 2 · 10⁷
/// records, every field drawn independently and uniformly.
///
/// **Sentences.** Each record is written by one of ``templates`` (drawn uniformly): eight
/// wordings that put the fields in different orders (`"Ada Byron is a 36-year-old baker from
/// Lyon."`, `"In Lyon, Ada Byron (36) earns a living as a baker."`, …).
///
/// **Splits.** A record belongs to ``Split/test`` when the FNV-1a hash of its compact JSON is
/// divisible by 5 (≈ 20 % of all records), else to ``Split/train`` (``split(of:)``): a test
/// record is never a training record, in any wording and whatever the seeds. Within a split,
/// ``examples(_:split:seed:)`` draws records from a generator seeded by the seed and the split
/// and keeps those of the split.
///
/// **Training text.** A training document is the schema's prompt for the sentence, the record's
/// compact JSON and a line break (``document(for:)``), so that a model trained on the documents
/// (the text task) continues a prompt with the record and stops at the line break, as
/// ``Extractor`` expects. ``trainingText(_:)`` joins documents in the fortune format of
/// `TextCorpus` (each followed by a line holding only `%`).
public struct ExtractionCorpus: Sendable {
  /// The two disjoint parts of the corpus.
  public enum Split: String, Sendable, CaseIterable {
    /// Records for training text.
    case train
    /// Held-out records for extraction.
    case test
  }

  /// A sentence and the record it describes.
  public struct Example: Sendable, Equatable {
    /// The sentence (one line).
    public let text: String
    /// The record: `{"name": string, "age": integer, "city": string, "job": string}`, members in
    /// that order.
    public let record: JSONValue
  }

  /// The extraction schema of the records (``schemaDocument``).
  public let schema: ExtractionSchema
  /// The extraction schema as a JSON document (what `ssm extract --schema` reads): a `person`
  /// record whose four members are required and typed (strings of at most 24 characters and an
  /// integer), no other member allowed, no worked examples.
  public let schemaDocument: JSONValue

  /// The corpus whose prompts open with the instruction and field lines when `instructions` is
  /// `true`, or hold only the sentence (`Text: <sentence>\nJSON: `, short enough for a byte
  /// model with a context of 256 to see the sentence and the whole record) when `false`.
  /// - Throws: the errors of ``ExtractionSchema/init(text:)`` (none for this fixed schema: tested).
  public init(instructions: Bool = false) throws {
    let text = JSONValue.object([("type", .string("string")), ("maxLength", .number(24))])
    func field(_ schema: JSONValue, _ description: String) -> JSONValue {
      guard case .object(let members) = schema else { return schema }
      return .object(members + [("description", .string(description))])
    }
    let record = JSONValue.object([
      ("type", .string("object")),
      (
        "properties",
        .object([
          ("name", field(text, "full name")),
          ("age", field(.object([("type", .string("integer"))]), "age in years")),
          ("city", field(text, "city where the person lives")),
          ("job", field(text, "occupation")),
        ])
      ),
      ("required", .array(Self.fields.map(JSONValue.string))),
      ("additionalProperties", .bool(false)),
    ])
    schemaDocument = .object([
      ("name", .string("person")), ("description", .string("The person the sentence describes.")),
      ("record", record), ("instructions", .bool(instructions)),
    ])
    schema = try ExtractionSchema(text: schemaDocument.serialized)
  }

  /// The members of every record, in order.
  public static let fields = ["name", "age", "city", "job"]

  /// First names.
  static let firstNames = [
    "Ada", "Alan", "Amira", "Bruno", "Carla", "Chen", "Dmitri", "Elena", "Farid", "Grace", "Hugo", "Ingrid",
    "Jamal", "Keiko", "Luca", "Maya", "Nils", "Olga", "Pablo", "Rosa", "Sanjay", "Tomas", "Uma", "Yusuf",
  ]
  /// Surnames.
  static let surnames = [
    "Adams", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski",
    "Lopez", "Moreau", "Novak", "Okafor", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka", "Umar", "Varga", "Weber",
    "Young",
  ]
  /// Ages in years.
  static let ages = 18...79
  /// Cities.
  static let cities = [
    "Amsterdam", "Athens", "Berlin", "Bogota", "Cairo", "Chicago", "Dublin", "Geneva", "Hanoi", "Istanbul", "Kyoto",
    "Lagos", "Lima", "Lisbon", "Lyon", "Madrid", "Montreal", "Nairobi", "Oslo", "Prague", "Seoul", "Sydney",
    "Toronto", "Vienna",
  ]
  /// Jobs (lower case; the article before one is `a` or `an` by its first letter).
  static let jobs = [
    "accountant", "architect", "baker", "carpenter", "chemist", "dentist", "designer", "editor", "electrician",
    "engineer", "farmer", "gardener", "historian", "journalist", "lawyer", "librarian", "mechanic", "musician",
    "nurse", "pharmacist", "pilot", "plumber", "teacher", "translator",
  ]

  /// The sentence patterns: `{name}`, `{age}`, `{city}`, `{job}` are the fields, `{a}` the
  /// article before the job (or before the age, in `{a} {age}-year-old`).
  public static let templates = [
    "{name} is {a} {age}-year-old {job} from {city}.",
    "{name}, {age}, works as {a} {job} in {city}.",
    "Meet {name}: {a} {job} living in {city}, aged {age}.",
    "In {city}, {name} ({age}) earns a living as {a} {job}.",
    "The {job} {name} is {age} years old and lives in {city}.",
    "{name} lives in {city}, is {age} and works as {a} {job}.",
    "Aged {age}, {name} is {a} {job} based in {city}.",
    "{city} is home to {name}, {a} {age}-year-old {job}.",
  ]

  /// `count ≥ 0` examples of `split`, drawn from a generator seeded by `seed` and the split: the
  /// same arguments give the same examples on every machine.
  /// - Throws: ``ExtractionDataError/negativeCount(_:)``.
  public func examples(_ count: Int, split: Split, seed: UInt64) throws -> [Example] {
    guard count >= 0 else { throw ExtractionDataError.negativeCount(count) }
    var generator = SeededGenerator(seed: seed ^ (split == .train ? 0x7472_6169_6E00_0000 : 0x7465_7374_0000_0000))
    var examples: [Example] = []
    while examples.count < count {
      let person = Person(&generator)
      let template = Self.templates[Self.draw(Self.templates.count, &generator)]
      let record = person.record
      guard Self.split(of: record) == split else { continue }
      examples.append(Example(text: person.sentence(template: template), record: record))
    }
    return examples
  }

  /// The split that owns `record`: ``Split/test`` when the 64-bit FNV-1a hash of its compact JSON
  /// (`record.serialized`, UTF-8) is divisible by 5, else ``Split/train``.
  public static func split(of record: JSONValue) -> Split {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in record.serialized.utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    return hash % 5 == 0 ? .test : .train
  }

  /// The training document of `example`: the schema's prompt for its text, its record's compact
  /// JSON and `\n`.
  public func document(for example: Example) -> String {
    schema.prompt(for: example.text) + example.record.serialized + "\n"
  }

  /// The documents of `examples` in the fortune format: each document followed by a line holding
  /// only `%` (documents end with `\n`, so the separator is a line of its own).
  public func trainingText(_ examples: [Example]) -> String {
    examples.map { document(for: $0) + "%\n" }.joined()
  }

  /// A uniform draw from `0 ..< bound` as `next() mod bound` (bias below `bound / 2⁶⁴`; one call,
  /// the same on every platform, unlike `Int.random(in:using:)`).
  private static func draw(_ bound: Int, _ generator: inout SeededGenerator) -> Int {
    Int(generator.next() % UInt64(bound))
  }

  /// The fields of one record.
  private struct Person {
    let name: String
    let age: Int
    let city: String
    let job: String

    /// A person with every field drawn uniformly.
    init(_ generator: inout SeededGenerator) {
      name = firstNames[draw(firstNames.count, &generator)] + " " + surnames[draw(surnames.count, &generator)]
      age = ages.lowerBound + draw(ages.count, &generator)
      city = cities[draw(cities.count, &generator)]
      job = jobs[draw(jobs.count, &generator)]
    }

    /// The record, members in the order of ``ExtractionCorpus/fields``.
    var record: JSONValue {
      .object([("name", .string(name)), ("age", .number(Double(age))), ("city", .string(city)), ("job", .string(job))])
    }

    /// `template` with the fields filled in.
    func sentence(template: String) -> String {
      // `{a}` stands before the age in "{a} {age}-year-old" (an 18-year-old), else before the job.
      let article =
        template.contains("{a} {age}")
        ? (age == 18 ? "an" : "a")
        : (job.first.map { "aeiou".contains($0) } == true ? "an" : "a")
      return template.replacing("{name}", with: name).replacing("{age}", with: String(age))
        .replacing("{city}", with: city).replacing("{job}", with: job).replacing("{a}", with: article)
    }
  }
}
