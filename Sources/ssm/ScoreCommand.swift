import ArgumentParser
import Foundation
import Models
import SSMJSON
import Training

/// `ssm score`: the log-probabilities a checkpoint's model assigns to given text.
struct ScoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "score",
    abstract: "Log-probabilities of given tokens under a checkpoint's model: per token, their sum and bits per token.",
    discussion:
      "The text is --tokens \"3 1 4\" (ids separated by spaces or commas), --prompt TEXT (UTF-8 bytes; byte-level "
      + "models with 256 tokens only, as for ssm generate) or --input FILE.jsonl with one {\"tokens\": [...]} or "
      + "{\"prompt\": \"...\"} object per line (blank lines skipped). One parallel forward pass per sequence; "
      + "logprobs[t] = log p(token_t | tokens before t) (natural log, log-softmax in float64), null for the first "
      + "token, which is context only; sum adds the others and bitsPerToken = -sum / (count · ln 2). With --json: "
      + "{\"tokens\": [...], \"logprobs\": [null, ...], \"sum\": x, \"bitsPerToken\": y} (one line per input line "
      + "for --input). --top K adds \"top\": [null, [{\"token\": t, \"logprob\": lp}, ...], ...]: at each position "
      + "the K (at most the vocabulary) most likely tokens given the tokens before it, most likely first.")

  @Option(help: "A checkpoint.safetensors written by ssm train.") var checkpoint: String
  @Option(help: "The text as token ids, separated by spaces or commas, e.g. \"3 1 4\".") var tokens: String?
  @Option(help: "The text, encoded as UTF-8 bytes (byte-level models only).") var prompt: String?
  @Option(help: "A JSONL file: one {\"tokens\": [...]} or {\"prompt\": \"...\"} per line.") var input: String?
  @Option(help: "Also list the K ≥ 1 most likely tokens at every position.") var top: Int?
  @Flag(help: "Print JSON (JSONL for --input): tokens, logprobs, sum, bitsPerToken and, with --top, top.")
  var json = false

  func validate() throws {
    guard [tokens != nil, prompt != nil, input != nil].filter({ $0 }).count == 1 else {
      throw ValidationError("give the text as exactly one of --tokens, --prompt and --input")
    }
    if let tokens { _ = try PromptTokens.parse(tokens) }
    if let top, top < 1 { throw ValidationError("--top must be at least 1") }
  }

  func run() throws {
    let (model, configuration) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
    guard model.inputChannels == nil else {
      throw InputError.inapplicableOption("score needs a token model; this checkpoint reads real-valued features")
    }
    let sequences = try readSequences(vocabulary: model.vocabulary)
    for (label, sequence) in sequences { try Self.check(sequence, of: model, label: label) }
    try MemoryBudget.check(.scoring(configuration.resolvedModel, lengths: sequences.map(\.tokens.count), top: top ?? 0))
    let scores = try sequences.map { try SequenceScore(model, tokens: $0.tokens, top: top) }
    if json {
      // One document per sequence, one per line: JSONL for --input.
      let documents = scores.map(\.json)
      guard documents.allSatisfy(\.isFinite) else { throw InputError.nonFiniteResult }
      for document in documents { print(document.serialized) }
    } else if input == nil {
      print(scores[0].humanReadable)
    } else {
      for (score, sequence) in zip(scores, sequences) { print("\(sequence.label):\n\(score.humanReadable)") }
    }
  }

  /// The sequences to score, each with a label for error messages ("--tokens", "FILE, line 3").
  private func readSequences(vocabulary: Int) throws -> [(label: String, tokens: [Int])] {
    guard let input else {
      let sequence = try PromptTokens.tokens(prompt: prompt, ids: tokens, vocabulary: vocabulary)
      return [(prompt == nil ? "--tokens" : "--prompt", sequence)]
    }
    var sequences: [(label: String, tokens: [Int])] = []
    for (number, document) in try readJSONLines(input) {
      let fail = { (reason: String) in InputError.invalidLine(path: input, line: number, reason: reason) }
      guard case .object(let members) = document, members.count == 1 else {
        throw fail("expected one object with a single member, \"tokens\" or \"prompt\"")
      }
      switch members[0] {
      case ("tokens", .array(let entries)):
        sequences.append(
          (
            "\(input), line \(number)",
            try entries.map { entry in
              guard case .number(let value) = entry, value.rounded() == value, abs(value) < 0x1p53 else {
                throw fail("\"tokens\" must hold integer token ids, found \(entry.kindName)")
              }
              return Int(value)
            }
          ))
      case ("prompt", .string(let prompt)):
        do {
          sequences.append(("\(input), line \(number)", try PromptTokens.bytes(of: prompt, vocabulary: vocabulary)))
        } catch {
          throw fail("\(error)")
        }
      case (let key, let value):
        throw fail("expected \"tokens\": [ids] or \"prompt\": \"text\", found \"\(key)\": \(value.kindName)")
      }
    }
    guard !sequences.isEmpty else { throw InputError.unreadableFile(path: input, reason: "no sequences to score") }
    return sequences
  }

  /// Throws unless `tokens` can be scored by `model`: at least two tokens, each in the
  /// vocabulary, no more than a learned position table holds.
  private static func check(_ tokens: [Int], of model: any SequenceModel, label: String) throws {
    guard tokens.count >= 2 else {
      throw InputError.inapplicableOption(
        "\(label): scoring needs at least two tokens (the first is context only), got \(tokens.count)")
    }
    if let bad = tokens.first(where: { !(0..<model.vocabulary).contains($0) }) {
      throw InputError.inapplicableOption("\(label): token \(bad) outside the vocabulary 0..<\(model.vocabulary)")
    }
    if let limit = model.contextLimit, tokens.count > limit {
      throw InputError.inapplicableOption(
        "\(label): \(tokens.count) tokens exceed the model's learned context of \(limit) positions")
    }
  }
}
