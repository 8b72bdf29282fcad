import Foundation
import SSMJSON
import Testing

/// Checkpoints written by an older revision (commit bc2871b, see `Fixtures/legacy-checkpoints/make.sh`) of
/// every family, with the outputs that revision printed for them: today's `ssm` must load them and print
/// the same tokens, texts and scores. Scores are sums of float32 log-probabilities accumulated in float64;
/// the same operations in the same order give the same bits, so 1e-6 relative only absorbs a different BLAS
/// kernel choice on another machine — a changed model function (a kernel read at another horizon, another
/// parameter order) moves them at 1e-3 or more.
@Suite("Checkpoints written by earlier revisions")
struct LegacyCheckpointTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/legacy-checkpoints")

  static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

  static func expectSameResult(_ actual: JSONValue, _ expected: JSONValue, _ label: String) {
    #expect(actual["tokens"] == expected["tokens"], "\(label): tokens")
    #expect(actual["text"] == expected["text"], "\(label): text")
    guard case .number(let score)? = actual["score"], case .number(let old)? = expected["score"] else {
      Issue.record("\(label): no score")
      return
    }
    #expect(abs(score - old) <= 1e-6 * abs(old), "\(label): score \(score), written as \(old)")
  }

  @Test(arguments: ["s4d", "s4", "transformer", "gru"])
  func generationIsUnchanged(family: String) throws {
    let checkpoint = Self.fixture("\(family).safetensors")
    let greedy = try runJSON([
      "generate", "--checkpoint", checkpoint, "--tokens", "0 1 2 3 4 4 4 4", "--max-new-tokens", "6", "--json",
    ])
    Self.expectSameResult(
      greedy, try JSONParser.parse(String(contentsOfFile: Self.fixture("\(family).greedy.json"))), "greedy")
    let beam = try runJSON([
      "generate", "--checkpoint", checkpoint, "--tokens", "3 2 1 0 4 4", "--max-new-tokens", "4", "--strategy", "beam",
      "--beams", "3", "--json",
    ])
    let oldBeam = try JSONParser.parse(String(contentsOfFile: Self.fixture("\(family).beam.json")))
    guard case .array(let results) = beam, case .array(let oldResults) = oldBeam else {
      Issue.record("beam search prints a list")
      return
    }
    #expect(results.count == oldResults.count)
    for (result, old) in zip(results, oldResults) { Self.expectSameResult(result, old, "beam") }
  }

  // The real-valued adding task's test split and metric are unchanged, so the same value comes out.
  @Test func evaluationIsUnchanged() throws {
    let value = try runJSON([
      "eval", "--checkpoint", Self.fixture("adding.safetensors"), "--examples", "64", "--seed", "5", "--json",
    ])
    let old = try JSONParser.parse(String(contentsOfFile: Self.fixture("adding.eval.json")))
    #expect(value["metric"] == old["metric"])
    guard case .number(let mse)? = value["value"], case .number(let oldMSE)? = old["value"] else {
      Issue.record("no value")
      return
    }
    #expect(abs(mse - oldMSE) <= 1e-6 * oldMSE, "mse \(mse), written as \(oldMSE)")
  }
}
