import ArgumentParser
import Foundation
import HiPPO
import LinearAlgebra
import Platform
import SSMJSON

#if os(Linux)
  import CMalloc
#endif

/// The `ssm` command line: HiPPO operators, their DPLR form, S4D
/// initialisations, discretisation and online function approximation, with
/// human-readable output by default and a stable JSON interface (`--json`).
@main
struct SSM: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ssm",
    abstract: "State space sequence models: exact HiPPO operator math from the command line.",
    discussion:
      "Every command prints a human-readable summary by default and, with --json, one JSON document on stdout. "
      + "Numbers are reals or complex pairs [re, im]; inputs accept both. "
      + "Errors print one line to stderr and exit with a non-zero status.",
    subcommands: [
      HiPPOCommand.self, DPLRCommand.self, S4DInitCommand.self, DiscretizeCommand.self,
      ApproximateCommand.self, NoiseCommand.self, KernelCommand.self, RunCommand.self, BenchCommand.self,
      TrainCommand.self, RLCommand.self, EvalCommand.self, GenerateCommand.self, ConstrainCommand.self,
      ExtractCommand.self, ExtractionCorpusCommand.self, ScoreCommand.self, CompareCommand.self, ServeCommand.self,
    ])

  /// Runs the command; every failure becomes one `ssm: error: …` line on stderr
  /// and a non-zero exit status (help and version requests exit normally).
  static func main() {
    BLASKernelSelection.upgradeIfGeneric()
    keepLargeAllocationsMapped()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      if exitCode(for: error) == .success { exit(withError: error) }
      // ArgumentParser errors get their own text; ours print their `description`.
      let message = SSM.message(for: error)
      let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
      FileHandle.standardError.write(Data("ssm: error: \(oneLine)\n".utf8))
      let code = exitCode(for: error)
      Foundation.exit(code == .success ? 1 : code.rawValue)
    }
  }

  /// Training and long convolutions allocate many multi-megabyte arrays per step; by
  /// default glibc returns each to the system with `munmap` and the next one page-faults
  /// in again (~1.5× slower training steps on this VM). Raising the mmap and trim
  /// thresholds keeps freed blocks in the heap for reuse.
  private static func keepLargeAllocationsMapped() {
    #if os(Linux)
      _ = mallopt(M_MMAP_THRESHOLD, 256 << 20)
      _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    #endif
  }
}
