import Foundation
import SSMJSON
import TestSupport
import Testing

/// `ssm bench speculative`: speculative against target-only decoding from the command line.
@Suite struct SpeculativeBenchCommandTests {
  // A transformer drafting for itself, greedy: every draft token is the target's argmax, so all
  // are accepted (acceptance 1) and each round of K = 2 emits K + 1 = 3 tokens: 6 tokens take 2
  // target passes, 3 tokens per pass (exact counts; a chunked prefill could differ from single
  // steps only at an exact tie of two logits). speedup is the ratio of the two reported times
  // (relative 1e-9: the JSON numbers are printed with more digits than that). An S4D draft
  // samples at T = 1 with acceptance in [0, 1] and 1…K + 1 tokens per pass. Bad requests fail
  // with one error line.
  @Test func speculativeBench() throws {
    let directory = temporaryPath("ssm-spec-bench")
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = try SpeculativeGenerateCommandTests.checkpoint(
      in: directory.appendingPathComponent("target"),
      ["--model", "transformer", "--width", "16", "--heads", "2", "--positions", "rotary"])
    let draft = try SpeculativeGenerateCommandTests.checkpoint(
      in: directory.appendingPathComponent("draft"), ["--model", "s4d", "--width", "8", "--state-size", "4"])
    let base = [
      "bench", "speculative", "--checkpoint", target, "--context", "20", "--tokens", "6", "--runs", "1",
      "--warmup", "0", "--json",
    ]
    let number = SpeculativeGenerateCommandTests.number

    let selfDraft = try runJSON(base + ["--draft", target, "--draft-tokens", "2"])
    #expect(number(selfDraft, "acceptanceRate") == 1)
    #expect(number(selfDraft, "meanTokensPerPass") == 3)
    guard let perToken = number(selfDraft, "secondsPerToken"),
      let targetOnly = number(selfDraft, "targetOnlySecondsPerToken"), let speedup = number(selfDraft, "speedup")
    else {
      Issue.record("bench JSON lacks the times: \(selfDraft)")
      return
    }
    #expect(perToken > 0 && targetOnly > 0)
    #expect(abs(speedup - targetOnly / perToken) <= 1e-9 * speedup)

    let sampled = try runJSON(base + ["--draft", draft, "--draft-tokens", "2", "--temperature", "1"])
    let acceptance = try #require(number(sampled, "acceptanceRate"))
    let tokensPerPass = try #require(number(sampled, "meanTokensPerPass"))
    #expect((0...1).contains(acceptance) && (1...3).contains(tokensPerPass))

    let otherVocabulary = try SpeculativeGenerateCommandTests.checkpoint(
      in: directory.appendingPathComponent("other"), ["--model", "s4d", "--width", "8", "--alphabet", "12"])
    expectOneErrorLine(
      try run(base + ["--draft", otherVocabulary, "--draft-tokens", "2"]), "draft of another vocabulary")
    expectOneErrorLine(try run(base + ["--draft", draft, "--draft-tokens", "0"]), "zero draft tokens")
    expectOneErrorLine(
      try run(base + ["--draft", draft, "--draft-tokens", "2", "--temperature", "0"]), "temperature 0")
    expectOneErrorLine(
      try run(base + ["--draft", draft, "--draft-tokens", "2", "--text-context"]), "text context, 18 tokens")
  }

  // --text-context reads held-out text: a byte-level model of the text task drafting for itself
  // accepts every greedy draft token as above; a context longer than the test split is refused.
  @Test func textContext() throws {
    let directory = temporaryPath("ssm-spec-bench-text")
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = try SpeculativeGenerateCommandTests.checkpoint(
      in: directory, ["--task", "text", "--model", "s4d", "--width", "8", "--state-size", "4"])
    let base = [
      "bench", "speculative", "--checkpoint", model, "--draft", model, "--draft-tokens", "2", "--tokens", "6",
      "--runs", "1", "--warmup", "0", "--text-context", "--json",
    ]
    let measured = try runJSON(base + ["--context", "300"])
    #expect(SpeculativeGenerateCommandTests.number(measured, "acceptanceRate") == 1)
    #expect(SpeculativeGenerateCommandTests.number(measured, "meanTokensPerPass") == 3)
    expectOneErrorLine(try run(base + ["--context", "100000000"]), "context beyond the test split")
  }
}
