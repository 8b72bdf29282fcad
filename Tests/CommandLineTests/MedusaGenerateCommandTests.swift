import Foundation
import TestSupport
import Testing

@Suite("ssm generate --speculate medusa and ssm bench speculative --speculate medusa")
struct MedusaGenerateCommandTests {
  /// A backbone and a Medusa-1 run of three heads on it, in `base`: the heads' checkpoint and the backbone's.
  static func checkpoints(in base: URL) throws -> (heads: String, backbone: String) {
    let (backbone, heads) = (base.appendingPathComponent("backbone"), base.appendingPathComponent("heads"))
    let trainedBackbone = try run(MedusaTrainCommandTests.backbone + ["--out", backbone.path])
    #expect(trainedBackbone.status == 0, "\(trainedBackbone.stderr)")
    let source = backbone.appendingPathComponent("checkpoint.safetensors").path
    let trained = try run(MedusaTrainCommandTests.medusa(source, heads.path))
    #expect(trained.status == 0, "\(trained.stderr)")
    return (heads.appendingPathComponent("checkpoint.safetensors").path, source)
  }

  static func json(_ output: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
  }

  // Greedy Medusa decoding prints plain greedy decoding's tokens, with the default tree and a
  // chain from a file; the counts add up (new tokens = accepted candidates + passes) and the mean
  // accepted length is new tokens per pass. Sampling runs too.
  @Test func greedyOutputEqualsPlainGreedy() throws {
    let base = temporaryPath("ssm-medusa-generate")
    defer { try? FileManager.default.removeItem(at: base) }
    let (heads, _) = try Self.checkpoints(in: base)
    let common = ["generate", "--checkpoint", heads, "--tokens", "1 2 3 1", "--max-new-tokens", "12", "--json"]
    let plain = try run(common)
    #expect(plain.status == 0, "\(plain.stderr)")
    let expected = try #require(try Self.json(plain.stdout)["tokens"] as? [Int])
    let chain = base.appendingPathComponent("chain.json")
    try Data("[[0], [0, 0]]".utf8).write(to: chain)
    for extra in [["--speculate", "medusa"], ["--speculate", "medusa", "--tree", chain.path]] {
      let result = try run(common + extra)
      #expect(result.status == 0, "\(result.stderr)")
      let document = try Self.json(result.stdout)
      let tokens = try #require(document["tokens"] as? [Int])
      #expect(tokens == expected, "\(extra)")
      let passes = try #require(document["passes"] as? Int)
      let accepted = try #require(document["acceptedCandidateTokens"] as? Int)
      #expect(tokens.count == accepted + passes)
      let mean = try #require(document["meanAcceptedLength"] as? Double)
      #expect(abs(mean - Double(tokens.count) / Double(passes)) < 1e-12)
    }
    let sampled = try run(common + ["--speculate", "medusa", "--strategy", "sample", "--typical-epsilon", "0.2"])
    #expect(sampled.status == 0, "\(sampled.stderr)")
    #expect((try Self.json(sampled.stdout)["tokens"] as? [Int])?.count == 12)
  }

  // The benchmark reports the speedup of Medusa decoding over the backbone alone.
  @Test func benchReportsSpeedup() throws {
    let base = temporaryPath("ssm-medusa-bench")
    defer { try? FileManager.default.removeItem(at: base) }
    let (heads, _) = try Self.checkpoints(in: base)
    let result = try run([
      "bench", "speculative", "--checkpoint", heads, "--speculate", "medusa", "--context", "8", "--tokens", "6",
      "--runs", "1", "--warmup", "0", "--json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let document = try Self.json(result.stdout)
    let speedup = try #require(document["speedup"] as? Double)
    #expect(speedup > 0 && speedup.isFinite)
    #expect(((document["meanTokensPerPass"] as? Double) ?? 0) >= 1)
  }

  // A checkpoint without heads, a tree deeper than the heads, a malformed tree, Medusa options
  // without --speculate, beam search and --draft beside --speculate are refused by name.
  @Test func badRequestsAreClearErrors() throws {
    let base = temporaryPath("ssm-medusa-generate")
    defer { try? FileManager.default.removeItem(at: base) }
    let (heads, backbone) = try Self.checkpoints(in: base)
    let (deep, orphan) = (base.appendingPathComponent("deep.json"), base.appendingPathComponent("orphan.json"))
    try Data("[[0], [0, 0], [0, 0, 0], [0, 0, 0, 0]]".utf8).write(to: deep)
    try Data("[[0], [1, 0]]".utf8).write(to: orphan)
    let generate = { (checkpoint: String) in
      ["generate", "--checkpoint", checkpoint, "--tokens", "1 2", "--max-new-tokens", "4"]
    }
    let cases: [([String], String)] = [
      (generate(backbone) + ["--speculate", "medusa"], "no Medusa heads"),
      (generate(heads) + ["--speculate", "medusa", "--tree", deep.path], "needs 4 heads"),
      (generate(heads) + ["--speculate", "medusa", "--tree", orphan.path], "no parent"),
      (generate(heads) + ["--tree", deep.path], "--speculate medusa only"),
      (generate(heads) + ["--speculate", "medusa", "--strategy", "beam"], "greedy and sample only"),
      (generate(heads) + ["--speculate", "medusa", "--draft", backbone], "give one"),
      (generate(heads) + ["--speculate", "medusa", "--typical-delta", "0"], "--typical-delta"),
      (generate(heads) + ["--speculate", "mtp"], "mtp"),
    ]
    for (arguments, message) in cases {
      let result = try run(arguments)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
  }
}
