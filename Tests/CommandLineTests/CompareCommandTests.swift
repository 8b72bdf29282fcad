import Foundation
import TestSupport
import Testing

@Suite("ssm compare")
struct CompareCommandTests {
  static func compare(_ extra: [String]) -> [String] {
    ["compare", "--out", temporaryPath("never").path]
      + extra
  }

  /// Bad flags: one error line, non-zero exit, no training started.
  static let badInputs: [BadInput] = [
    BadInput("compare an unknown task", compare(["--tasks", "copying,sorting"])),
    BadInput("compare an unknown model", compare(["--models", "s4d,lstm"])),
    BadInput("compare a length too small for the task", compare(["--lengths", "8"])),
    BadInput("compare a non-numeric length", compare(["--lengths", "64,long"])),
    BadInput("compare a real-valued task at a length too small", compare(["--tasks", "adding", "--lengths", "1"])),
    BadInput("compare an impossible parameter budget", compare(["--parameters", "10"])),
    BadInput("compare repeated models", compare(["--models", "gru,gru"])),
    BadInput("compare with zero steps", compare(["--steps", "0"])),
    BadInput("compare with a negative time budget", compare(["--time-budget", "-1"])),
    BadInput("compare with a zero latency context", compare(["--latency-contexts", "0"])),
  ]

  // A tiny real run: the report, its charts and results.json appear and the summary is printed.
  @Test func tinyComparison() throws {
    let out = temporaryPath("ssm-compare")
    defer { try? FileManager.default.removeItem(at: out) }
    let result = try run([
      "compare", "--tasks", "copying", "--models", "s4d,transformer", "--lengths", "24", "--parameters", "6000",
      "--depth", "1", "--steps", "4", "--batch", "4", "--evaluation-examples", "8", "--latency-contexts", "16",
      "--out", out.path,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("report: \(out.path)/report.md"))
    #expect(result.stdout.contains("transformer"))
    for name in ["report.md", "results.json", "accuracy-copying.svg", "loss-copying-L24.svg", "latency.svg"] {
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
    }
  }
}
