import Checkpoint
import Foundation
import TestSupport
import Testing

@Suite("ssm train and ssm eval")
struct TrainCommandTests {
  static let arguments = [
    "train", "--layers", "1", "--width", "16", "--state-size", "8", "--length", "30", "--steps", "150",
    "--checkpoint-every", "10", "--batch", "8", "--seed", "4", "--dropout", "0.1",
  ]

  // SIGKILL mid-run, then --resume: the final parameters equal an uninterrupted run's
  // (exactly: the resumed run replays the same batches, masks and updates), and the
  // checkpoint left by the killed process is readable.
  @Test func killedRunResumesToTheSameParameters() throws {
    let base = temporaryPath("ssm-train")
    defer { try? FileManager.default.removeItem(at: base) }
    let (whole, killed) = (base.appendingPathComponent("whole"), base.appendingPathComponent("killed"))
    #expect(try run(Self.arguments + ["--out", whole.path]).status == 0)

    let process = Process()
    process.executableURL = try ssmExecutable()
    process.arguments = Self.arguments + ["--out", killed.path]
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let checkpoint = killed.appendingPathComponent("checkpoint.safetensors")
    let deadline = Date().addingTimeInterval(30)
    while !FileManager.default.fileExists(atPath: checkpoint.path), Date() < deadline { usleep(2000) }
    usleep(20_000)
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
    _ = try SafeTensors.read(from: checkpoint)  // never a torn file

    #expect(try run(Self.arguments + ["--out", killed.path, "--resume"]).status == 0)
    let a = try SafeTensors.read(from: whole.appendingPathComponent("checkpoint.safetensors"))
    let b = try SafeTensors.read(from: checkpoint)
    let names = a.tensors.keys.filter { $0.hasPrefix("param.") }
    #expect(!names.isEmpty)
    for name in names {
      let (x, y) = (try a.tensors[name]!.floats(), try #require(b.tensors[name]).floats())
      #expect(zip(x, y).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($0)) }, "\(name)")
    }

    let eval = try run(["eval", "--checkpoint", checkpoint.path, "--examples", "32", "--json"])
    #expect(eval.status == 0)
    let json = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any]
    #expect(json?["metric"] as? String == "accuracy")
    #expect((json?["examples"] as? Double) == 32)
    #expect(((json?["value"] as? Double) ?? -1) >= 0)
  }

  // --optimizer sgd trains with the given momentum, recorded in the checkpoint; an unknown optimiser
  // is refused with an error naming it and the choices.
  @Test func sgdTrainsAndUnknownOptimizersAreRefused() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ssm-sgd-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let tiny = ["train", "--layers", "1", "--width", "8", "--state-size", "4", "--length", "30", "--steps", "2"]
    let trained = try run(tiny + ["--batch", "2", "--optimizer", "sgd", "--momentum", "0.5", "--out", directory.path])
    #expect(trained.status == 0, "\(trained.stderr)")
    let checkpoint = try SafeTensors.read(from: directory.appendingPathComponent("checkpoint.safetensors"))
    #expect(checkpoint.metadata["configuration"]?.contains(#""optimizer":{"sgd":{"momentum":0.5}}"#) == true)
    #expect(checkpoint.tensors.keys.contains { $0.hasPrefix("optimizer.momentum.") })

    let unknown = try run(tiny + ["--optimizer", "adam", "--out", directory.path])
    #expect(unknown.status != 0)
    #expect(unknown.stderr.contains("adam") && unknown.stderr.contains("sgd"), "\(unknown.stderr)")
  }

  // --state-size reaches the mamba configuration through the family's second knob: the checkpoint records
  // N = 8, and A_log of a block (logNegativeTransition) has E = 2·16 = 32 rows of 8 states; the gru,
  // whose family has no second knob, refuses the option.
  @Test func stateSizeSetsTheMambaStateSize() throws {
    let directory = temporaryPath("ssm-mamba-state")
    defer { try? FileManager.default.removeItem(at: directory) }
    let tiny = ["train", "--layers", "1", "--width", "16", "--length", "30", "--steps", "1", "--batch", "2"]
    let trained = try run(tiny + ["--model", "mamba", "--state-size", "8", "--out", directory.path])
    #expect(trained.status == 0, "\(trained.stderr)")
    let checkpoint = try SafeTensors.read(from: directory.appendingPathComponent("checkpoint.safetensors"))
    #expect(checkpoint.metadata["configuration"]?.contains(#""stateSize":8"#) == true)
    let transitions = checkpoint.tensors.filter {
      $0.key.hasPrefix("param.") && $0.key.contains("logNegativeTransition")
    }
    #expect(!transitions.isEmpty, "\(checkpoint.tensors.keys.sorted())")
    for (name, tensor) in transitions { #expect(tensor.shape == [32, 8], "\(name)") }

    let refused = try run(tiny + ["--model", "gru", "--state-size", "8", "--out", directory.path + "-gru"])
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("--state-size"), "\(refused.stderr)")
  }

  /// Invalid runs and checkpoints; run by ``CommandLineTests/badInput(_:)``.
  static let badInputs: [BadInput] = [
    BadInput("eval of a missing checkpoint", ["eval", "--checkpoint", "@input"], file: nil),
    BadInput("eval of a non-safetensors file", ["eval", "--checkpoint", "@input"], file: "not a checkpoint"),
    BadInput("eval of a truncated header", ["eval", "--checkpoint", "@input"], file: "\u{10}\0\0\0\0\0\0\0{\"a\""),
    BadInput("eval with 0 examples", ["eval", "--checkpoint", "@input", "--examples", "0"], file: "x"),
    BadInput("train 0 steps", ["train", "--steps", "0", "--out", "@input"], file: nil),
    BadInput("train length too short for copying", ["train", "--length", "10", "--out", "@input"], file: nil),
    BadInput("train unknown task", ["train", "--task", "sorting", "--out", "@input"], file: nil),
    BadInput("resume without a checkpoint", ["train", "--resume", "--out", "@input"], file: nil),
    BadInput("train negative learning rate", ["train", "--learning-rate=-1", "--out", "@input"], file: nil),
    BadInput("train unknown optimizer", ["train", "--optimizer", "adam", "--out", "@input"], file: nil),
    BadInput("train momentum with adamw", ["train", "--momentum", "0.5", "--out", "@input"], file: nil),
    BadInput("train momentum 1", ["train", "--optimizer", "sgd", "--momentum", "1", "--out", "@input"], file: nil),
    BadInput("train corpus on copying", ["train", "--corpus", "/tmp", "--out", "@input"], file: nil),
    BadInput(
      "train text on a missing corpus",
      ["train", "--task", "text", "--corpus", "/nonexistent/ssm-corpus", "--length", "64", "--out", "@input"],
      file: nil),
    BadInput("train unknown model family", ["train", "--model", "lstm", "--out", "@input"], file: nil),
  ]
}
