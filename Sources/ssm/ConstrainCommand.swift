import ArgumentParser
import Constraints
import SSMJSON
import SeededRandom
import Tasks

/// `ssm constrain`: compiles a constraint and draws seeded random strings of its language.
struct ConstrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "constrain",
    abstract: "Compile --regex, --json-schema or --choice to a byte automaton and token index; draw members.",
    discussion:
      "Indexes the constraint against the text task's vocabulary (256 bytes and the document separator, the "
      + "stop token) and draws --samples seeded random walks of the index (TokenIndex.randomWalk: each step a "
      + "uniformly drawn allowed token or, with probability 1/2, one that brings the end closer). With --json: "
      + "{\"regex\": R, \"states\": n, \"samples\": [texts]}; the reference check matches every sample against R "
      + "with Python's re and, for schemas, jsonschema.")

  @OptionGroup var constraint: ConstraintOptions
  @Option(help: "Random members to draw (≥ 0).") var samples = 10
  @Option(help: "Seed of the draws.") var seed: UInt64 = 0
  @Option(help: "Walks longer than this many tokens are reported as unfinished (≥ 1).") var maximumTokens = 100_000
  @Flag(help: "Print JSON.") var json = false

  func validate() throws {
    guard constraint.isGiven else { throw ValidationError("give one of --regex, --json-schema and --choice") }
    guard samples >= 0 else { throw ValidationError("--samples must be at least 0") }
    guard maximumTokens >= 1 else { throw ValidationError("--maximum-tokens must be at least 1") }
  }

  func run() throws {
    let pattern = try constraint.pattern()!
    let dfa = try ByteDFA(regex: pattern)
    let index = try TokenIndex(
      dfa: dfa, vocabulary: .byteLevel(size: TextTask.vocabulary, stopTokens: [TextTask.separator]))
    var generator = SeededGenerator(seed: seed)
    var texts: [String] = []
    for sample in 0..<samples {
      guard let tokens = index.randomWalk(using: &generator, maximumTokens: maximumTokens) else {
        throw InputError.inapplicableOption("sample \(sample) did not end within --maximum-tokens \(maximumTokens)")
      }
      texts.append(ByteText.text(tokens))
    }
    let document = JSONValue.object([
      ("regex", .string(pattern)), ("states", .number(Double(dfa.stateCount))),
      ("samples", .array(texts.map(JSONValue.string))),
    ])
    try emit(document, json: json) {
      print("regex: \(pattern)")
      print("states: \(dfa.stateCount)")
      for text in texts { print(text.debugDescription) }
    }
  }
}
