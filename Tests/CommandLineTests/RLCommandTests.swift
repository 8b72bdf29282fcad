import Checkpoint
import Foundation
import TestSupport
import Testing

@Suite("ssm rl")
struct RLCommandTests {
  /// Trains a tiny supervised checkpoint whose vocabulary is `alphabet + 2` tokens (copying task).
  static func supervisedCheckpoint(in directory: URL, alphabet: Int) throws -> URL {
    let trained = try run([
      "train", "--layers", "1", "--width", "8", "--state-size", "4", "--length", "12", "--count", "3",
      "--alphabet", "\(alphabet)", "--steps", "2", "--out", directory.path,
    ])
    #expect(trained.status == 0, "\(trained.stderr)")
    return directory.appendingPathComponent("checkpoint.safetensors")
  }

  static func arguments(_ checkpoint: URL, steps: Int, out: URL) -> [String] {
    [
      "rl", "--algorithm", "grpo", "--checkpoint", checkpoint.path, "--task", "addition", "--digits", "1",
      "--steps", "\(steps)", "--prompts", "2", "--group-size", "4", "--kl-beta", "0.05", "--learning-rate", "1e-2",
      "--checkpoint-every", "1", "--evaluate-every", "2", "--evaluation-examples", "8", "--seed", "3",
      "--out", out.path,
    ]
  }

  // A run stopped after 2 steps and resumed to 4 ends with bitwise the same parameters as 4 uninterrupted
  // steps (exact: the resumed run draws the same prompts and samples, and restores parameters and AdamW
  // moments as stored floats, so every operation repeats on identical inputs); metrics.jsonl holds one
  // record per step either way, and the chart is written.
  @Test func stoppedRunResumesToTheSameParameters() throws {
    let base = temporaryPath("ssm-rl")
    defer { try? FileManager.default.removeItem(at: base) }
    let checkpoint = try Self.supervisedCheckpoint(in: base.appendingPathComponent("sft"), alphabet: 10)
    let (whole, halves) = (base.appendingPathComponent("whole"), base.appendingPathComponent("halves"))
    let uninterrupted = try run(Self.arguments(checkpoint, steps: 4, out: whole))
    #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
    #expect(try run(Self.arguments(checkpoint, steps: 2, out: halves)).status == 0)
    let resumed = try run(Self.arguments(checkpoint, steps: 4, out: halves) + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")

    let a = try SafeTensors.read(from: whole.appendingPathComponent("checkpoint.safetensors"))
    let b = try SafeTensors.read(from: halves.appendingPathComponent("checkpoint.safetensors"))
    let sft = try SafeTensors.read(from: checkpoint)
    let names = a.tensors.keys.filter { $0.hasPrefix("param.") }
    #expect(!names.isEmpty)
    var changed = false
    for name in names {
      let x = try a.tensors[name]!.floats()
      let y = try #require(b.tensors[name]).floats()
      let initial = try #require(sft.tensors[name]).floats()
      #expect(x == y, "\(name)")
      changed = changed || x != initial
    }
    #expect(changed, "four GRPO updates left every parameter unchanged")

    for directory in [whole, halves] {
      let lines = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        .split(separator: "\n")
      #expect(lines.count == 4)
      let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
      #expect(records.map { $0?["step"] as? Int } == [1, 2, 3, 4])
      for record in records {
        let reward = try #require(record?["rewardMean"] as? Double)
        #expect((0...1).contains(reward))
        #expect(((record?["kl"] as? Double) ?? -1) >= 0)  // k3 ≥ 0
      }
      // Evaluated at steps 2 and 4 (--evaluate-every 2): a fraction of 8 problems.
      for index in [1, 3] {
        let match = try #require(records[index]?["heldOutExactMatch"] as? Double)
        #expect((match * 8).rounded() == match * 8 && (0...1).contains(match))
      }
      #expect(records[0]?["heldOutExactMatch"] == nil)
      let svg = try String(contentsOf: directory.appendingPathComponent("reward-kl.svg"), encoding: .utf8)
      #expect(svg.contains("<svg") && svg.contains("held-out exact match"))
    }
  }

  // Bad input is one clear error line and a non-zero status, never a crash.
  @Test func badInputIsRefused() throws {
    let base = temporaryPath("ssm-rl-bad")
    defer { try? FileManager.default.removeItem(at: base) }
    let fitting = try Self.supervisedCheckpoint(in: base.appendingPathComponent("fits"), alphabet: 10)
    let small = try Self.supervisedCheckpoint(in: base.appendingPathComponent("small"), alphabet: 4)
    let out = base.appendingPathComponent("out")
    let cases: [([String], String)] = [
      (Self.arguments(fitting, steps: 1, out: out).map { $0 == "grpo" ? "reinforce" : $0 }, "reinforce"),
      (Self.arguments(fitting, steps: 1, out: out).map { $0 == "grpo" ? "ppo" : $0 }, "ppo"),
      (Self.arguments(small, steps: 1, out: out), "6 tokens"),
      (Self.arguments(fitting, steps: 1, out: out) + ["--group-size", "1"], "--group-size"),
      (Self.arguments(fitting, steps: 1, out: out) + ["--kl-beta", "-0.1"], "--kl-beta"),
      (Self.arguments(fitting, steps: 1, out: base.appendingPathComponent("fresh")) + ["--resume"], "--resume"),
    ]
    for (arguments, expected) in cases {
      let result = try run(arguments)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.stderr.contains(expected), "\(expected): \(result.stderr)")
    }
  }
}
