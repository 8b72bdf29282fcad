import Foundation
import Parallelism

/// Where and from what a comparison ran: recorded with every result so a number can be traced
/// to its code and machine.
public struct RunEnvironment: Codable, Sendable, Equatable {
  /// `git rev-parse HEAD` of the working directory (with `-dirty` when it has changes), or
  /// `unknown` outside a repository.
  public var gitRevision: String
  /// The CPU model from `/proc/cpuinfo` (or `unknown`).
  public var machine: String
  /// Cores used.
  public var cores: Int
  /// Physical memory in bytes (0 when unknown).
  public var memoryBytes: Int
  /// The operating system.
  public var operatingSystem: String
  /// When the run started (ISO 8601).
  public var started: String

  /// The environment of this process now.
  public static func current() -> RunEnvironment {
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
      .first { $0.hasPrefix("model name") }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
      .map { $0.trimmingCharacters(in: .whitespaces) }
    let memory = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?.split(separator: "\n")
      .first { $0.hasPrefix("MemTotal:") }.flatMap { line in
        line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
      }
    let revision = command("git", ["rev-parse", "HEAD"]).map { hash in
      hash + ((command("git", ["status", "--porcelain", "--untracked-files=no"]) ?? "").isEmpty ? "" : "-dirty")
    }
    return RunEnvironment(
      gitRevision: revision ?? "unknown", machine: cpu ?? "unknown", cores: ProcessorCount.active,
      memoryBytes: (memory ?? 0) * 1024, operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString,
      started: ISO8601DateFormatter().string(from: Date()))
  }

  /// The trimmed standard output of a successful command, or `nil`.
  private static func command(_ name: String, _ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

/// The process's peak resident memory (Linux `VmHWM`), resettable per cell.
enum PeakMemory {
  /// Bytes, or `nil` where `/proc/self/status` is not available.
  static func bytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
    else { return nil }
    return kilobytes * 1024
  }

  /// Restarts the peak from the current resident size (writing 5 to `/proc/self/clear_refs`).
  static func reset() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
  }
}
