import Foundation
import SSMJSON
import Testing

/// Checkpoints written by older revisions, with the outputs those revisions printed for them: today's `ssm`
/// must load them and print the same tokens, texts and scores. `Fixtures/legacy-checkpoints` (commit bc2871b)
/// holds one of every family; `Fixtures/s4-option-checkpoints` (commit a9c5cb0) S4 models that set or omit
/// the configuration fields older checkpoints may lack (see each folder's `make.sh`). Scores are sums of
/// float32 log-probabilities accumulated in float64; the same operations in the same order give the same bits,
/// so 1e-6 relative only absorbs a different BLAS kernel choice on another machine — a changed model function
/// (a kernel read at another horizon, another parameter order, another default) moves them at 1e-3 or more.
@Suite("Checkpoints written by earlier revisions")
struct LegacyCheckpointTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func fixture(_ name: String, in folder: String = "legacy-checkpoints") -> String {
    fixtures.appendingPathComponent(folder).appendingPathComponent(name).path
  }

  static func expectSameResult(_ actual: JSONValue, _ expected: JSONValue, _ label: String) {
    #expect(actual["tokens"] == expected["tokens"], "\(label): tokens")
    #expect(actual["text"] == expected["text"], "\(label): text")
    guard case .number(let score)? = actual["score"], case .number(let old)? = expected["score"] else {
      Issue.record("\(label): no score")
      return
    }
    #expect(abs(score - old) <= 1e-6 * abs(old), "\(label): score \(score), written as \(old)")
  }

  /// Greedy and beam generation from the checkpoint `name` in `folder` print what `name.greedy.json` and
  /// `name.beam.json` there hold (the commands of the folder's `make.sh`).
  static func expectSameGeneration(_ name: String, in folder: String) throws {
    let checkpoint = fixture("\(name).safetensors", in: folder)
    let greedy = try runJSON([
      "generate", "--checkpoint", checkpoint, "--tokens", "0 1 2 3 4 4 4 4", "--max-new-tokens", "6", "--json",
    ])
    expectSameResult(
      greedy, try JSONParser.parse(String(contentsOfFile: fixture("\(name).greedy.json", in: folder), encoding: .utf8)),
      "greedy")
    let beam = try runJSON([
      "generate", "--checkpoint", checkpoint, "--tokens", "3 2 1 0 4 4", "--max-new-tokens", "4", "--strategy", "beam",
      "--beams", "3", "--json",
    ])
    let oldBeam = try JSONParser.parse(
      String(contentsOfFile: fixture("\(name).beam.json", in: folder), encoding: .utf8))
    guard case .array(let results) = beam, case .array(let oldResults) = oldBeam else {
      Issue.record("beam search prints a list")
      return
    }
    #expect(results.count == oldResults.count)
    for (result, old) in zip(results, oldResults) { expectSameResult(result, old, "beam") }
  }

  @Test(arguments: ["s4d", "s4", "transformer", "gru"])
  func generationIsUnchanged(family: String) throws {
    try Self.expectSameGeneration(family, in: "legacy-checkpoints")
  }

  @Test(arguments: ["s4d-options", "s4-options", "s4d-defaults", "s4d-post-pooled"])
  func s4OptionsGenerateAsWritten(name: String) throws {
    try Self.expectSameGeneration(name, in: "s4-option-checkpoints")
  }

  /// The `ssm train` options `make.sh` wrote the S4 option checkpoints with: those they share, then each
  /// model's.
  static let s4OptionRun = [
    "train", "--task", "copying", "--count", "4", "--alphabet", "4", "--length", "24", "--layers", "1", "--width", "16",
    "--state-size", "8", "--steps", "3", "--checkpoint-every", "3",
  ]
  static let s4dOptions = [
    "--model", "s4d", "--dt-min", "1e-4", "--dt-max", "0.05", "--initialization", "inv", "--block-output", "linear",
    "--dropout", "0.1",
  ]
  static let s4Options = ["--model", "s4", "--dt-min", "0.01", "--dt-max", "0.2", "--block-output", "linear"]
  /// s4d-defaults' options with the defaults of the fields its configuration omits spelled out.
  static let explicitDefaults = [
    "--model", "s4d", "--dt-min", "1e-3", "--dt-max", "0.1", "--initialization", "lin", "--block-output", "glu",
  ]

  // `--resume` accepts a checkpoint whose stored configuration omits fields when the options give the same
  // model: the options it was written with, or the defaults of the omitted fields spelled out. Another value
  // of a stored field (here GLU blocks for linear ones) is refused.
  @Test(arguments: [
    ("s4d-options", s4dOptions, true), ("s4-options", s4Options, true), ("s4d-defaults", ["--model", "s4d"], true),
    ("s4d-defaults", explicitDefaults, true), ("s4d-options", s4dOptions.map { $0 == "linear" ? "glu" : $0 }, false),
  ])
  func resumeComparesTheFilledInConfiguration(name: String, options: [String], accepted: Bool) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ssm-resume-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: Self.fixture("\(name).safetensors", in: "s4-option-checkpoints"),
      toPath: directory.appendingPathComponent("checkpoint.safetensors").path)
    let result = try run(Self.s4OptionRun + options + ["--out", directory.path, "--resume"])
    if accepted {
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.hasPrefix("trained 3 steps"))
    } else {
      #expect(result.status != 0)
      #expect(result.stderr.contains("another configuration"))
    }
  }

  // The real-valued adding task's test split and metric are unchanged, so the same value comes out.
  @Test func evaluationIsUnchanged() throws {
    let value = try runJSON([
      "eval", "--checkpoint", Self.fixture("adding.safetensors"), "--examples", "64", "--seed", "5", "--json",
    ])
    let old = try JSONParser.parse(String(contentsOfFile: Self.fixture("adding.eval.json"), encoding: .utf8))
    #expect(value["metric"] == old["metric"])
    guard case .number(let mse)? = value["value"], case .number(let oldMSE)? = old["value"] else {
      Issue.record("no value")
      return
    }
    #expect(abs(mse - oldMSE) <= 1e-6 * oldMSE, "mse \(mse), written as \(oldMSE)")
  }
}
