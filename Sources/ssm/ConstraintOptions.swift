import ArgumentParser
import Constraints
import Foundation

/// The output constraint of `ssm generate` and `ssm constrain`: one of `--regex`, `--json-schema`
/// and `--choice`, compiled to a regular expression (full match, Python `re` syntax with
/// `re.ASCII` semantics).
struct ConstraintOptions: ParsableArguments {
  @Option(help: "Constrain the output to a full match of this regular expression (byte-level models).")
  var regex: String?
  @Option(help: "Constrain the output to compact JSON valid under the JSON Schema in this file.")
  var jsonSchema: String?
  @Option(help: "Constrain the output to one of these comma-separated strings, e.g. \"yes,no,maybe\".")
  var choice: String?

  func validate() throws {
    let given = [("--regex", regex), ("--json-schema", jsonSchema), ("--choice", choice)].filter { $0.1 != nil }
    guard given.count <= 1 else {
      throw ValidationError("give at most one of --regex, --json-schema and --choice (got \(given.map(\.0)))")
    }
    if let choice, choice.split(separator: ",", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
      throw ValidationError("--choice needs non-empty strings separated by commas")
    }
  }

  /// Whether a constraint is given.
  var isGiven: Bool { regex != nil || jsonSchema != nil || choice != nil }

  /// The constraint's regular expression, `nil` when none is given.
  func pattern() throws -> String? {
    if let regex { return regex }
    if let choice { return RegexLiteral.choice(choice.split(separator: ",").map(String.init)) }
    guard let jsonSchema else { return nil }
    let text: String
    do {
      text = try String(contentsOfFile: jsonSchema, encoding: .utf8)
    } catch {
      throw InputError.unreadableFile(path: jsonSchema, reason: error.localizedDescription)
    }
    return try JSONSchemaRegex.regex(forSchema: text)
  }

  /// The token index of the constraint for a byte-level model of `vocabulary` tokens whose
  /// generation stops at `stopTokens`, `nil` when no constraint is given.
  func index(vocabulary: Int, stopTokens: Set<Int>) throws -> TokenIndex? {
    guard let pattern = try pattern() else { return nil }
    guard ByteText.isByteLevel(vocabulary: vocabulary) else {
      throw InputError.inapplicableOption(
        "--regex, --json-schema and --choice need a byte-level model (vocabulary 256, or 257 for text models); "
          + "this one has \(vocabulary) tokens")
    }
    guard !stopTokens.isEmpty else {
      throw InputError.inapplicableOption(
        "a constraint needs a stop token to end the output: give --stop-token (a 256-token model has no "
          + "document separator)")
    }
    return try TokenIndex(
      dfa: ByteDFA(regex: pattern), vocabulary: .byteLevel(size: vocabulary, stopTokens: stopTokens))
  }
}
