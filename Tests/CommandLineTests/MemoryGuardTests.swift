import Foundation
import TestSupport
import Testing

/// One invocation whose sizes exceed the memory budget.
struct OversizedInput: Sendable, CustomTestStringConvertible {
  let name: String
  let arguments: [String]
  /// `SSM_MEMORY_LIMIT` for the run, or `nil` for the machine's own available memory.
  let limit: String?
  /// A file for `"@input"` in the arguments.
  let file: String?

  init(_ name: String, _ arguments: [String], limit: String? = nil, file: String? = nil) {
    self.name = name
    self.arguments = arguments
    self.limit = limit
    self.file = file
  }

  var testDescription: String { name }
}

/// The "needs about X unit" figure of a memory error, in bytes.
private func estimatedBytes(_ stderr: String) -> Double? {
  guard let range = stderr.range(of: "needs about ") else { return nil }
  let fields = stderr[range.upperBound...].split(separator: " ")
  guard fields.count >= 2, let value = Double(fields[0]) else { return nil }
  let units: [String: Double] = ["bytes": 1, "KiB": 0x1p10, "MiB": 0x1p20, "GiB": 0x1p30, "TiB": 0x1p40]
  return units[String(fields[1].trimmingCharacters(in: .punctuationCharacters))].map { value * $0 }
}

@Suite("memory guards")
struct MemoryGuardTests {
  static let diagonal = #""kind": "diagonal", "lambda": [[-0.5, 1]], "B": [1], "C": [1], "dt": 0.1"#
  static let never = temporaryPath("ssm-never").path

  /// The issue's three commands (the first two beyond any machine: 7·10⁶ TiB and 894 GiB; the
  /// operator, 36 GiB, under a 16 GiB cap so that the test does not depend on the machine), and
  /// one oversized request per command family.
  static let oversized: [OversizedInput] = [
    OversizedInput("hippo legs N = 20000", ["hippo", "legs", "--state-size", "20000"], limit: "16G"),
    OversizedInput(
      "train transformer L = 10⁸", ["train", "--model", "transformer", "--length", "100000000", "--out", never]),
    OversizedInput("noise L = 10¹⁰", ["noise", "--length", "10000000000", "--dt", "1e-3", "--cutoff", "2"]),
    OversizedInput("dplr legs N = 10⁵", ["dplr", "legs", "--state-size", "100000"]),
    OversizedInput("s4d-init legs N = 10⁵", ["s4d-init", "legs", "--state-size", "100000"]),
    OversizedInput("s4d-init lin N = 10¹²", ["s4d-init", "lin", "--state-size", "1000000000000"]),
    OversizedInput(
      "discretize over a 1 KiB cap", ["discretize", "--method", "zoh", "--dt", "0.1", "--input", "@input"],
      limit: "1K", file: #"{"A": [[-1, 0], [1, -2]], "B": [1, 1]}"#),
    OversizedInput(
      "approximate N = 64 over a 1 MiB cap",
      ["approximate", "legs", "--state-size", "64", "--method", "bilinear", "--input", "@input"], limit: "1M",
      file: #"{"signal": [1, 2, 3]}"#),
    OversizedInput("kernel L = 2·10⁹", ["kernel", "--input", "@input"], file: "{\(diagonal), \"length\": 2000000000}"),
    OversizedInput(
      "run over a 1 KiB cap", ["run", "--input", "@input"], limit: "1K",
      file: "{\(diagonal), \"D\": 1, \"u\": [1, 2, 3, 4]}"),
    OversizedInput(
      "bench conv-layer",
      ["bench", "conv-layer", "--batch", "400", "--channels", "1280", "--state-size", "64", "--length", "409600"]),
    OversizedInput(
      "bench step",
      ["bench", "step", "--batch", "1", "--channels", "128", "--state-size", "64", "--steps", "10000000000"]),
    OversizedInput("bench decode", ["bench", "decode", "--model", "transformer", "--context", "10000000000"]),
    OversizedInput("bench forward", ["bench", "forward", "--model", "s4", "--batch", "8", "--length", "100000000"]),
    OversizedInput("bench train-step", ["bench", "train-step", "--batch", "8", "--length", "100000000"]),
    OversizedInput("train s4d H = 10⁶", ["train", "--width", "1000000", "--out", never]),
    OversizedInput("train gru L = 10⁹", ["train", "--model", "gru", "--length", "1000000000", "--out", never]),
    OversizedInput(
      "compare transformer L = 10⁸", ["compare", "--models", "transformer", "--lengths", "100000000", "--out", never]),
  ]

  // Each refuses at once with one error line naming the estimate and the memory available,
  // and allocates nothing (it returns within seconds: the allocations would take minutes or fail).
  @Test(arguments: oversized)
  func refusesOversizedRequests(_ input: OversizedInput) throws {
    let started = Date()
    let result = try withInputFile(input.file ?? "") { path in
      try run(
        input.arguments.map { $0 == "@input" ? path : $0 },
        environment: input.limit.map { ["SSM_MEMORY_LIMIT": $0] } ?? [:])
    }
    let elapsed = Date().timeIntervalSince(started)
    expectOneErrorLine(result, input.name)
    #expect(result.stderr.contains("not enough memory"), "\(result.stderr)")
    #expect(result.stderr.contains("is available ("), "\(result.stderr)")
    #expect(estimatedBytes(result.stderr) != nil, "no estimate in \(result.stderr)")
    #expect(elapsed < 10, "\(input.name) took \(elapsed) s")
  }

  // The model commands that read a checkpoint check too: eval and score over a 1 KiB cap, and
  // generate asked for 10¹² new tokens (a transformer's key–value cache alone: ~10⁵ TiB).
  @Test func checkpointCommandsRefuse() throws {
    let directory = temporaryPath("ssm-guard")
    defer { try? FileManager.default.removeItem(at: directory) }
    let train = try run([
      "train", "--model", "transformer", "--layers", "1", "--width", "8", "--heads", "2", "--length", "30", "--steps",
      "1", "--batch", "2", "--out", directory.path,
    ])
    try #require(train.status == 0, "train: \(train.stderr)")
    let checkpoint = directory.appendingPathComponent("checkpoint.safetensors").path
    let cap = ["SSM_MEMORY_LIMIT": "1K"]
    for (label, arguments, environment) in [
      ("eval", ["eval", "--checkpoint", checkpoint], cap),
      ("score", ["score", "--checkpoint", checkpoint, "--tokens", "1 2 3"], cap),
      (
        "generate", ["generate", "--checkpoint", checkpoint, "--tokens", "1 2", "--max-new-tokens", "1000000000000"],
        [:]
      ),
    ] {
      let result = try run(arguments, environment: environment)
      expectOneErrorLine(result, label)
      #expect(result.stderr.contains("not enough memory"), "\(label): \(result.stderr)")
    }
    #expect(
      try run(["eval", "--checkpoint", checkpoint, "--examples", "2"], environment: ["SSM_MEMORY_LIMIT": "2G"]).status
        == 0)
  }

  // The sizes README.md and BENCHMARKS.md use need well under 2 GiB by the estimate (read from
  // the error under a 1-byte cap, so nothing runs), and a README-shaped training step runs
  // under a 2 GiB cap.
  @Test func ordinarySizesPass() throws {
    let readme: [[String]] = [
      ["hippo", "legs", "--state-size", "64"],
      ["noise", "--length", "4000", "--dt", "5e-4", "--cutoff", "2"],
      [
        "train", "--model", "s4d", "--layers", "2", "--width", "64", "--state-size", "64", "--length", "512", "--out",
        Self.never,
      ],
      ["train", "--model", "s4d", "--length", "1020", "--batch", "16", "--out", Self.never],
      [
        "train", "--model", "transformer", "--heads", "4", "--layers", "2", "--width", "64", "--length", "64", "--out",
        Self.never,
      ],
      [
        "compare", "--tasks", "copying,selective-copying", "--models", "s4d,s4,transformer,gru", "--lengths",
        "64,256,1024",
        "--parameters", "50000", "--out", Self.never,
      ],
      [
        "bench", "conv-layer", "--batch", "4", "--channels", "128", "--state-size", "64", "--length", "4096",
        "--backward",
      ],
      ["bench", "train-step", "--batch", "4", "--length", "4096"],
      ["bench", "forward", "--model", "transformer", "--batch", "8", "--length", "1024"],
      ["bench", "decode", "--model", "transformer", "--context", "8192"],
      ["bench", "decode", "--model", "s4", "--context", "16384"],
    ]
    for arguments in readme {
      let result = try run(arguments, environment: ["SSM_MEMORY_LIMIT": "1"])
      let bytes = try #require(estimatedBytes(result.stderr), "\(arguments): \(result.stderr)")
      #expect(bytes < 0x1p31, "\(arguments.prefix(2)): \(result.stderr)")
    }
    let out = temporaryPath("ssm-guard")
    defer { try? FileManager.default.removeItem(at: out) }
    let train = try run(
      [
        "train", "--layers", "2", "--width", "64", "--state-size", "64", "--length", "512", "--steps", "1", "--batch",
        "4",
        "--out", out.path,
      ], environment: ["SSM_MEMORY_LIMIT": "2G"])
    #expect(train.status == 0, "\(train.stderr)")
    let invalid = try run(["hippo", "legs", "--state-size", "4"], environment: ["SSM_MEMORY_LIMIT": "lots"])
    expectOneErrorLine(invalid, "an invalid SSM_MEMORY_LIMIT")
  }
}
