import Foundation
import SSMJSON
import TestSupport
import Testing

/// `ssm generate --draft`: speculative decoding from the command line.
@Suite struct SpeculativeGenerateCommandTests {
  /// A copying prompt for the default task (see `GenerateCommandTests.prompt`).
  static let prompt = "3 1 4 1 5 2 6 5 3 5 8 8 8 8 8 8 8 8 8 8 9"

  /// Trains a tiny model for a few steps and returns its checkpoint path.
  static func checkpoint(in directory: URL, _ arguments: [String]) throws -> String {
    let train = try run(
      ["train"] + arguments + [
        "--layers", "1", "--length", "30", "--steps", "3", "--batch", "4", "--out", directory.path,
      ])
    try #require(train.status == 0, "train: \(train.stderr)")
    return directory.appendingPathComponent("checkpoint.safetensors").path
  }

  static func number(_ value: JSONValue, _ key: String) -> Double? {
    if case .number(let number)? = value[key] { return number }
    return nil
  }

  // An S4D draft for a transformer target: greedy output equals the target's own greedy output;
  // the counts add up (each pass emits the accepted draft tokens plus one); sampling with an
  // adaptive draft is reproducible; bad requests fail with one error line.
  @Test func s4dDraftForTransformer() throws {
    let directory = temporaryPath("ssm-spec")
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = try Self.checkpoint(
      in: directory.appendingPathComponent("target"),
      ["--model", "transformer", "--width", "16", "--heads", "2", "--positions", "rotary"])
    let draft = try Self.checkpoint(
      in: directory.appendingPathComponent("draft"), ["--model", "s4d", "--width", "8", "--state-size", "4"])
    let base = ["generate", "--checkpoint", target, "--tokens", Self.prompt, "--max-new-tokens", "8", "--json"]

    let plain = try runJSON(base)
    let speculative = try runJSON(base + ["--draft", draft, "--draft-tokens", "3"])
    #expect(speculative["tokens"] == plain["tokens"])
    guard case .array(let tokens)? = speculative["tokens"], let drafted = Self.number(speculative, "draftedTokens"),
      let accepted = Self.number(speculative, "acceptedDraftTokens"),
      let passes = Self.number(speculative, "targetPasses")
    else {
      Issue.record("speculative JSON lacks tokens or counts: \(speculative)")
      return
    }
    #expect(Double(tokens.count) == accepted + passes && accepted <= drafted && passes >= 1)

    let sampled = base + ["--strategy", "sample", "--draft", draft, "--draft-tokens", "adaptive", "--seed", "4"]
    let first = try runJSON(sampled)
    #expect(try runJSON(sampled) == first)
    #expect(Self.number(first, "targetPasses") != nil)

    let otherVocabulary = try Self.checkpoint(
      in: directory.appendingPathComponent("other"), ["--model", "s4d", "--width", "8", "--alphabet", "12"])
    expectOneErrorLine(try run(base + ["--draft", otherVocabulary]), "draft of another vocabulary")
    expectOneErrorLine(try run(base + ["--draft", draft, "--draft-tokens", "0"]), "zero draft tokens")
    expectOneErrorLine(try run(base + ["--draft", draft, "--draft-tokens", "many"]), "unknown draft length")
    expectOneErrorLine(try run(base + ["--draft-tokens", "3"]), "--draft-tokens without --draft")
    expectOneErrorLine(try run(base + ["--draft", draft, "--strategy", "beam"]), "--draft with beam search")
  }

  // --draft with --regex on byte-level models: greedy output equals the constrained target's
  // greedy output and, like sampled outputs, is a full match of the pattern followed by the stop
  // token (a line break).
  @Test func constrainedDraft() throws {
    let directory = temporaryPath("ssm-spec-regex")
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = try Self.checkpoint(
      in: directory.appendingPathComponent("target"),
      ["--model", "transformer", "--width", "16", "--heads", "2", "--positions", "rotary", "--alphabet", "254"])
    let draft = try Self.checkpoint(
      in: directory.appendingPathComponent("draft"),
      ["--model", "s4d", "--width", "8", "--state-size", "4", "--alphabet", "254"])
    let pattern = "(ab|c){1,3}-[0-9]{1,2}"
    let base = [
      "generate", "--checkpoint", target, "--prompt", "id: ", "--max-new-tokens", "12", "--regex", pattern,
      "--stop-token", "10", "--json",
    ]
    let full = try Regex("\(pattern)\n")
    let plain = try runJSON(base)
    let speculative = try runJSON(base + ["--draft", draft, "--draft-tokens", "3"])
    #expect(speculative["tokens"] == plain["tokens"])
    let sampled = try runJSON(base + ["--draft", draft, "--strategy", "sample", "--num-return", "4", "--seed", "2"])
    guard case .array(let samples) = sampled else {
      Issue.record("sampling with --num-return 4 gave no list: \(sampled)")
      return
    }
    for document in [speculative] + samples {
      guard case .string(let text)? = document["text"] else {
        Issue.record("no text: \(document)")
        continue
      }
      #expect(text.wholeMatch(of: full) != nil, "\(text)")
    }
  }
}
