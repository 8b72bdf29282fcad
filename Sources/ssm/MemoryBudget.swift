import Foundation

/// The memory a command may use, and the check every command makes before it allocates:
/// a typo in a size (`--state-size 20000`, `--length 100000000`) is refused with one error
/// line naming the estimate and the memory available, instead of ending in the OOM killer or
/// an allocation trap.
///
/// The available memory is the smallest of:
/// - `MemAvailable` from `/proc/meminfo` (Linux; elsewhere the physical memory from `ProcessInfo`);
/// - the control group's limit minus its usage (cgroup v2 `memory.max − memory.current`, or
///   v1 `memory.limit_in_bytes − memory.usage_in_bytes`), which is what a container's OOM killer enforces;
/// - `SSM_MEMORY_LIMIT`, a cap in bytes with an optional `K`, `M`, `G` or `T` suffix (powers of 1024),
///   for sharing a machine.
enum MemoryBudget {
  /// The environment variable that caps the budget.
  static let limitVariable = "SSM_MEMORY_LIMIT"

  /// Bytes available now, and where that figure comes from.
  static func available() throws -> (bytes: Double, source: String) {
    var candidates: [(bytes: Double, source: String)] = []
    #if os(Linux)
      if let kilobytes = meminfoValue("MemAvailable") { candidates.append((kilobytes * 1024, "MemAvailable")) }
      if let limit = number(at: "/sys/fs/cgroup/memory.max"), let usage = number(at: "/sys/fs/cgroup/memory.current") {
        candidates.append((max(0, limit - usage), "the cgroup's memory.max"))
      } else if let limit = number(at: "/sys/fs/cgroup/memory/memory.limit_in_bytes"),
        let usage = number(at: "/sys/fs/cgroup/memory/memory.usage_in_bytes")
      {
        candidates.append((max(0, limit - usage), "the cgroup's memory limit"))
      }
    #endif
    if candidates.isEmpty {
      candidates.append((Double(ProcessInfo.processInfo.physicalMemory), "physical memory"))
    }
    if let text = ProcessInfo.processInfo.environment[limitVariable] {
      guard let cap = parseSize(text) else {
        throw InputError.inapplicableOption(
          "\(limitVariable)=\(text) is not a size (bytes, optionally with a K, M, G or T suffix)")
      }
      candidates.append((cap, limitVariable))
    }
    return candidates.min { $0.bytes < $1.bytes }!
  }

  /// Throws ``InputError/insufficientMemory(needed:purpose:available:source:)`` when `estimate`
  /// exceeds the memory available; allocates nothing.
  static func check(_ estimate: MemoryEstimate) throws {
    let (bytes, source) = try available()
    guard estimate.bytes <= bytes else {
      throw InputError.insufficientMemory(
        needed: estimate.bytes, purpose: estimate.purpose, available: bytes, source: source)
    }
  }

  /// `"123"`, `"512M"`, `"8G"`, `"1.5T"`: bytes (suffixes are powers of 1024), or `nil`.
  static func parseSize(_ text: String) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
    let scales: [Character: Double] = ["K": 0x1p10, "M": 0x1p20, "G": 0x1p30, "T": 0x1p40]
    var digits = Substring(trimmed)
    var scale = 1.0
    if let last = digits.last, let factor = scales[last] {
      scale = factor
      digits = digits.dropLast()
    }
    guard let value = Double(digits), value.isFinite, value >= 0 else { return nil }
    return value * scale
  }

  /// A value in kB from `/proc/meminfo`, e.g. `MemAvailable`.
  private static func meminfoValue(_ key: String) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("\(key):") {
      return line.split(separator: " ").dropFirst().first.flatMap { Double($0) }
    }
    return nil
  }

  /// The number a control-group file holds (`nil` for `max`, absent or unreadable files).
  private static func number(at path: String) -> Double? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}

/// A byte count for people: `812 KiB`, `3.4 GiB`, `2.1e+06 TiB`.
func formatBytes(_ bytes: Double) -> String {
  let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
  var value = bytes
  var unit = 0
  while value >= 1024, unit < units.count - 1 {
    value /= 1024
    unit += 1
  }
  return unit == 0 ? "\(Int(value)) bytes" : String(format: value < 1e5 ? "%.1f %@" : "%.2g %@", value, units[unit])
}
