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

/// Pearson's χ² goodness-of-fit of `observed` counts against cell `probabilities` (summing to 1).
/// Neighbouring cells are merged, first to last, until each expects at least `minimumExpected`
/// counts (a short remainder joins the last merged cell), so the χ² approximation holds.
/// `critical` is the Wilson–Hilferty approximation of the χ² quantile with `cells − 1` degrees of
/// freedom at 5 standard normal deviations, `df·(1 − 2/(9df) + 5·√(2/(9df)))³`: an upper tail
/// between 3·10⁻⁸ (df = 1) and 3·10⁻⁷ (large df), checked against scipy's `chi2.sf`, so a correct
/// generator fails a seeded test with probability below 3·10⁻⁷.
func chiSquare(observed: [Int], probabilities: [Double], minimumExpected: Double = 10) -> (
  statistic: Double, critical: Double, cells: Int
) {
  let total = Double(observed.reduce(0, +))
  var cells: [(observed: Double, expected: Double)] = []
  var pending = (observed: 0.0, expected: 0.0)
  for (count, probability) in zip(observed, probabilities) {
    pending.observed += Double(count)
    pending.expected += total * probability
    if pending.expected >= minimumExpected {
      cells.append(pending)
      pending = (0, 0)
    }
  }
  if pending.expected > 0 || pending.observed > 0 {
    if cells.isEmpty {
      cells.append(pending)
    } else {
      cells[cells.count - 1].observed += pending.observed
      cells[cells.count - 1].expected += pending.expected
    }
  }
  let statistic = cells.reduce(0) { $0 + ($1.observed - $1.expected) * ($1.observed - $1.expected) / $1.expected }
  let df = Double(max(1, cells.count - 1))
  let critical = df * pow(1 - 2 / (9 * df) + 5 * (2 / (9 * df)).squareRoot(), 3)
  return (statistic, critical, cells.count)
}
