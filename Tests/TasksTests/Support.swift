import Foundation
import SeededRandom
import Tasks
import Testing

/// The generated tasks of the suite: every task but text, whose instances are windows of a
/// corpus split rather than drawn and filtered by content hash (``TextTaskTests`` covers it).
let generatedTaskNames = TaskName.allCases.filter { $0 != .text }

/// Every generated task of the suite at a length, with defaults.
func allTasks(length: Int) throws -> [any SequenceTask] {
  try generatedTaskNames.map { try $0.make(length: length) }
}

/// The token rows of a batch (records an issue and returns [] for a feature batch).
func tokens(_ batch: TaskBatch) -> [[Int]] {
  guard case .tokens(let rows) = batch.inputs else {
    Issue.record("expected token inputs")
    return []
  }
  return rows
}

/// The class rows of a batch (records an issue and returns [] for a value batch).
func classes(_ batch: TaskBatch) -> [[Int]] {
  guard case .classes(let rows) = batch.targets else {
    Issue.record("expected class targets")
    return []
  }
  return rows
}

/// Feature values and channels of a batch.
func features(_ batch: TaskBatch) -> (values: [Float], channels: Int) {
  guard case .features(let values, let channels) = batch.inputs else {
    Issue.record("expected feature inputs")
    return ([], 0)
  }
  return (values, channels)
}

/// Value targets of a batch.
func values(_ batch: TaskBatch) -> (values: [Float], channels: Int, positions: [Int]) {
  guard case .values(let values, let channels, let positions) = batch.targets else {
    Issue.record("expected value targets")
    return ([], 0, [])
  }
  return (values, channels, positions)
}

/// The scored positions of a class-target row.
func scoredPositions(_ row: [Int]) -> [Int] {
  row.indices.filter { row[$0] != TaskBatch.ignoredTarget }
}

/// Batches `0 ..< count` of a split, concatenated.
func batches(_ task: some SequenceTask, count: Int, size: Int, split: Split = .train, seed: UInt64 = 1) throws
  -> [TaskBatch]
{
  try (0..<count).map { try task.batch(size, split: split, index: $0, seed: seed) }
}

/// The energy `|X_k|²` of the discrete Fourier transform `X_k = Σ_t x_t e^{−2πikt/n}`, computed
/// directly in `Double` (O(n²); independent of the generator's sinusoid tables).
func dftEnergy(_ x: [Float]) -> [Double] {
  let n = x.count
  return (0..<n).map { k in
    var re = 0.0
    var im = 0.0
    for t in 0..<n {
      let angle = -2 * Double.pi * Double((k * t) % n) / Double(n)
      re += Double(x[t]) * cos(angle)
      im += Double(x[t]) * sin(angle)
    }
    return re * re + im * im
  }
}
