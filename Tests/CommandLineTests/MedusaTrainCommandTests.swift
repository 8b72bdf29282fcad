import Foundation
import TestSupport
import Testing

@Suite("ssm train --medusa-heads and ssm eval of the heads")
struct MedusaTrainCommandTests {
  static let backbone = [
    "train", "--layers", "1", "--width", "8", "--state-size", "4", "--length", "30", "--steps", "3", "--batch", "4",
  ]

  static func medusa(_ source: String, _ out: String) -> [String] {
    [
      "train", "--length", "30", "--steps", "4", "--batch", "4", "--checkpoint-every", "2", "--medusa-heads", "3",
      "--initialize-from", source, "--out", out,
    ]
  }

  // A backbone, then three heads on it: the checkpoint holds param.medusa.{0,1,2}.*, and ssm eval
  // reports one top-1 accuracy in [0, 1] per head beside the backbone's metric.
  @Test func headsTrainAndEvaluate() throws {
    let base = temporaryPath("ssm-medusa-cli")
    defer { try? FileManager.default.removeItem(at: base) }
    let (backbone, heads) = (base.appendingPathComponent("backbone"), base.appendingPathComponent("heads"))
    #expect(try run(Self.backbone + ["--out", backbone.path]).status == 0)
    let source = backbone.appendingPathComponent("checkpoint.safetensors").path
    let trained = try run(Self.medusa(source, heads.path))
    #expect(trained.status == 0, "\(trained.stderr)")
    let checkpoint = heads.appendingPathComponent("checkpoint.safetensors").path
    let eval = try run(["eval", "--checkpoint", checkpoint, "--examples", "8", "--json"])
    #expect(eval.status == 0, "\(eval.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any]
    let accuracy = try #require(json?["medusaAccuracy"] as? [Double])
    #expect(accuracy.count == 3 && accuracy.allSatisfy { (0...1).contains($0) })
    let plain = try run(["eval", "--checkpoint", source, "--examples", "8", "--json"])
    let plainJSON = try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any]
    #expect(plainJSON?["medusaAccuracy"] == nil)
    #expect((plainJSON?["value"] as? Double) == (json?["value"] as? Double))
  }

  // Stage 2 from the stage-1 heads: the run trains and ssm eval reports the backbone's metric and
  // one accuracy per head.
  @Test func stageTwoTrainsFromStageOne() throws {
    let base = temporaryPath("ssm-medusa-cli")
    defer { try? FileManager.default.removeItem(at: base) }
    let (backbone, heads, joint) = (
      base.appendingPathComponent("backbone"), base.appendingPathComponent("heads"),
      base.appendingPathComponent("joint")
    )
    #expect(try run(Self.backbone + ["--out", backbone.path]).status == 0)
    let source = backbone.appendingPathComponent("checkpoint.safetensors").path
    #expect(try run(Self.medusa(source, heads.path)).status == 0)
    let stageOne = heads.appendingPathComponent("checkpoint.safetensors").path
    let trained = try run(Self.medusa(stageOne, joint.path) + ["--medusa-stage", "2", "--medusa-weight", "0.5"])
    #expect(trained.status == 0, "\(trained.stderr)")
    let checkpoint = joint.appendingPathComponent("checkpoint.safetensors").path
    let eval = try run(["eval", "--checkpoint", checkpoint, "--examples", "8", "--json"])
    #expect(eval.status == 0, "\(eval.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any]
    #expect((json?["medusaAccuracy"] as? [Double])?.count == 3)
    #expect((json?["value"] as? Double)?.isFinite == true)
  }

  // Missing backbone, K < 1, a stage other than 1 or 2, a misplaced or invalid --medusa-weight and
  // a backbone of another vocabulary are refused with an error naming the problem, before any
  // checkpoint is written.
  @Test func badOptionsAreClearErrors() throws {
    let base = temporaryPath("ssm-medusa-cli")
    defer { try? FileManager.default.removeItem(at: base) }
    let backbone = base.appendingPathComponent("backbone")
    #expect(try run(Self.backbone + ["--out", backbone.path]).status == 0)
    let source = backbone.appendingPathComponent("checkpoint.safetensors").path
    let out = base.appendingPathComponent("heads").path
    let cases: [([String], String)] = [
      (["train", "--medusa-heads", "2", "--out", out], "--initialize-from"),
      (["train", "--medusa-heads", "0", "--initialize-from", source, "--out", out], "at least 1"),
      (Self.medusa(source, out) + ["--medusa-stage", "3"], "--medusa-stage must be 1"),
      (Self.medusa(source, out) + ["--medusa-weight", "0.5"], "applies to --medusa-stage 2"),
      (Self.medusa(source, out) + ["--medusa-stage", "2", "--medusa-weight", "0"], "--medusa-weight must be"),
      (Self.medusa(source, out) + ["--alphabet", "3"], "vocabulary"),
    ]
    for (arguments, message) in cases {
      let result = try run(arguments)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}
