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

  static func arguments(_ checkpoint: URL, steps: Int, out: URL, algorithm: String = "grpo") -> [String] {
    let common = [
      "rl", "--algorithm", algorithm, "--checkpoint", checkpoint.path, "--task", "addition", "--digits", "1",
      "--steps", "\(steps)", "--prompts", "2", "--group-size", "4", "--learning-rate", "1e-2",
      "--checkpoint-every", "1", "--evaluate-every", "2", "--evaluation-examples", "8", "--seed", "3",
      "--out", out.path,
    ]
    switch algorithm {
    case "sft": return common
    // PPO: 2 passes of 2 minibatches, so the shuffling and the critic's optimiser are part of the resume.
    case "ppo": return common + ["--kl-beta", "0.05", "--epochs", "2", "--minibatches", "2"]
    default: return common + ["--kl-beta", "0.05"]
    }
  }

  // A run stopped after 2 steps and resumed to 4 ends with bitwise the same checkpoint as 4 uninterrupted
  // steps (exact: the resumed run draws the same prompts and samples, and restores parameters, AdamW
  // moments and, for PPO, the critic, its optimiser and the reward statistics as stored numbers, so every
  // operation repeats on identical inputs); metrics.jsonl holds one record per step either way, and the
  // chart is written.
  @Test(arguments: ["grpo", "ppo", "sft"]) func stoppedRunResumesToTheSameParameters(algorithm: String) throws {
    let base = temporaryPath("ssm-rl-\(algorithm)")
    defer { try? FileManager.default.removeItem(at: base) }
    let checkpoint = try Self.supervisedCheckpoint(in: base.appendingPathComponent("sft"), alphabet: 10)
    let (whole, halves) = (base.appendingPathComponent("whole"), base.appendingPathComponent("halves"))
    let arguments = { (steps: Int, out: URL) in Self.arguments(checkpoint, steps: steps, out: out, algorithm: algorithm)
    }
    let uninterrupted = try run(arguments(4, whole))
    #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
    #expect(try run(arguments(2, halves)).status == 0)
    let resumed = try run(arguments(4, halves) + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")

    let a = try SafeTensors.read(from: whole.appendingPathComponent("checkpoint.safetensors"))
    let b = try SafeTensors.read(from: halves.appendingPathComponent("checkpoint.safetensors"))
    let sft = try SafeTensors.read(from: checkpoint)
    #expect(Set(a.tensors.keys) == Set(b.tensors.keys))
    for (name, tensor) in a.tensors { #expect(b.tensors[name] == tensor, "\(name)") }
    let names = a.tensors.keys.filter { $0.hasPrefix("param.") }
    #expect(!names.isEmpty)
    var changed = false
    for name in names {
      let initial = try #require(sft.tensors[name]).floats()
      let final = try #require(a.tensors[name]).floats()
      changed = changed || final != initial
    }
    #expect(changed, "four \(algorithm) updates left every parameter unchanged")
    // The supervised checkpoint's run configuration travels along, so the result opens as a model.
    #expect(a.metadata["configuration"] != nil && a.metadata["configuration"] == sft.metadata["configuration"])
    if algorithm == "ppo" {
      // The critic (a copy of the policy's trunk with a value head), its optimiser and the reward statistics.
      #expect(names.allSatisfy { a.tensors["critic.\($0)"] != nil })
      #expect(a.tensors["critic.param.value.weight"] != nil && a.tensors["critic.optimizer.step"] != nil)
      #expect(a.tensors["ppo.rewardStatistics"] != nil)
    }

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
        // The algorithm's own metrics: GRPO's zero-std fraction and entropy, PPO's entropy, value loss and
        // explained variance; sft has none of them.
        let own =
          switch algorithm {
          case "grpo": ["zeroStandardDeviationFraction", "entropy"]
          case "ppo": ["entropy", "valueLoss", "explainedVariance"]
          default: [String]()
          }
        for name in own { #expect(record?[name] is Double, "\(algorithm) logs no \(name)") }
        if algorithm == "sft" { #expect(record?["entropy"] == nil) }
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
    let ppo = Self.arguments(fitting, steps: 1, out: out, algorithm: "ppo")
    let sft = Self.arguments(fitting, steps: 1, out: out, algorithm: "sft")
    let cases: [([String], String)] = [
      (Self.arguments(fitting, steps: 1, out: out).map { $0 == "grpo" ? "reinforce" : $0 }, "reinforce"),
      (Self.arguments(small, steps: 1, out: out), "6 tokens"),
      (Self.arguments(small, steps: 1, out: out, algorithm: "ppo"), "6 tokens"),
      (Self.arguments(fitting, steps: 1, out: out) + ["--gamma", "0.9"], "--gamma applies to --algorithm ppo only"),
      (Self.arguments(fitting, steps: 1, out: out) + ["--critic", "shared"], "--critic applies to --algorithm ppo"),
      (ppo + ["--loss-type", "grpo"], "--loss-type applies to --algorithm grpo only"),
      (ppo + ["--gamma", "1.5"], "--gamma must lie in [0, 1]"),
      (ppo + ["--lambda=-0.5"], "--lambda must lie in [0, 1]"),
      (ppo + ["--value-clip=-1"], "--value-clip must be ≥ 0"),
      (ppo + ["--value-coefficient", "nan"], "--value-coefficient"),
      (ppo + ["--ptx-coefficient=-2"], "--ptx-coefficient must be ≥ 0"),
      (ppo + ["--minibatches", "9"], "--minibatches must lie in 1…8"),
      (ppo + ["--critic", "twin"], "--critic"),
      (ppo + ["--critic-learning-rate", "0"], "--critic-learning-rate must be > 0"),
      (ppo + ["--group-size", "0"], "--group-size must be at least 1"),
      (sft + ["--kl-beta", "0.1"], "--kl-beta applies to --algorithm grpo and ppo only"),
      (sft + ["--value-clip", "0.1"], "--value-clip applies to --algorithm ppo only"),
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
