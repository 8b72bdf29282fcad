import Foundation

extension ListOpsTask {
  /// The exact law of the token count of one tree of LRA's generator (step 1 of ``ListOpsTask``,
  /// before the length window): element `n` of the result, `0 ≤ n < bound`, is the probability
  /// `P(n)` that the tree has `n` tokens (the mass at `n ≥ bound` is left out).
  ///
  /// With `δ_j` the law concentrated on `j`, `∗` convolution, `D = maxDepth`, `A = maxArguments`
  /// and `p_d` the law of a node at level `d`:
  ///
  ///     p_D = δ_1,   p_d = ¾·δ_1 + ¼·(1/(A − 1))·Σ_{k=2}^{A} δ_2 ∗ p_{d+1}^{∗k}   (d < D),
  ///
  /// and the tree's law is `p_1`. Computed by truncated convolutions, `O(D·A·bound²)` operations;
  /// a table is kept per `(maxDepth, maxArguments)` for the process (truncations to smaller bounds
  /// are its prefixes), so resizing a task to a length no longer than one used before costs a copy.
  ///
  /// Throws ``TaskError/invalidParameter(_:)`` unless `maxDepth ≥ 1`, `maxArguments ≥ 2` and
  /// `bound ≥ 0`.
  public static func treeLengthProbabilities(maxDepth: Int, maxArguments: Int, below bound: Int) throws -> [Double] {
    guard maxDepth >= 1, maxArguments >= 2, bound >= 0 else {
      throw TaskError.invalidParameter(
        "ListOps tree lengths need maxDepth ≥ 1, maxArguments ≥ 2 and bound ≥ 0, got \(maxDepth), \(maxArguments), "
          + "\(bound)")
    }
    return TreeLengthTables.shared.probabilities(maxDepth: maxDepth, maxArguments: maxArguments, below: bound)
  }
}

/// The process-wide tables of ``ListOpsTask/treeLengthProbabilities(maxDepth:maxArguments:below:)``,
/// the longest computed per `(maxDepth, maxArguments)`, behind a lock.
private final class TreeLengthTables: @unchecked Sendable {
  static let shared = TreeLengthTables()

  private struct Key: Hashable {
    let maxDepth: Int
    let maxArguments: Int
  }

  private let lock = NSLock()
  private var tables: [Key: [Double]] = [:]

  func probabilities(maxDepth: Int, maxArguments: Int, below bound: Int) -> [Double] {
    let key = Key(maxDepth: maxDepth, maxArguments: maxArguments)
    if let table = lock.withLock({ tables[key] }), table.count >= bound { return Array(table[..<bound]) }
    let table = Self.compute(maxDepth: maxDepth, maxArguments: maxArguments, below: bound)
    lock.withLock {
      if (tables[key]?.count ?? -1) < table.count { tables[key] = table }
    }
    return table
  }

  /// The recursion of the documentation, level `D` up to level 1, truncated below `bound`.
  private static func compute(maxDepth: Int, maxArguments: Int, below bound: Int) -> [Double] {
    var node = [Double](repeating: 0, count: bound)
    if bound > 1 { node[1] = 1 }
    var support = min(bound, 2)  // node[n] = 0 for n ≥ support
    for _ in 1..<maxDepth {
      var sumOfPowers = [Double](repeating: 0, count: bound)  // Σ_{k=2}^{A} node^{∗k}
      var power = node
      var powerSupport = support
      for _ in 2...maxArguments {
        power = convolution(power, support: powerSupport, node, support: support, below: bound)
        powerSupport = min(bound, powerSupport + support - 1)
        for n in 0..<powerSupport { sumOfPowers[n] += power[n] }
      }
      var next = [Double](repeating: 0, count: bound)
      if bound > 1 { next[1] = 0.75 }
      let share = 0.25 / Double(maxArguments - 1)
      var n = 2
      while n < bound {
        next[n] += share * sumOfPowers[n - 2]
        n += 1
      }
      node = next
      support = min(bound, max(2, powerSupport + 2))
    }
    return node
  }

  /// `(a ∗ b)[n]` for `n < bound`, with `a[i] = 0` for `i ≥ supportA` and `b[j] = 0` for
  /// `j ≥ supportB` (while loops: fast in debug builds too).
  private static func convolution(
    _ a: [Double], support supportA: Int, _ b: [Double], support supportB: Int, below bound: Int
  )
    -> [Double]
  {
    var result = [Double](repeating: 0, count: bound)
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        result.withUnsafeMutableBufferPointer { result in
          var i = 0
          while i < supportA {
            let ai = a[i]
            if ai != 0 {
              let end = min(supportB, bound - i)
              var j = 0
              while j < end {
                result[i + j] += ai * b[j]
                j += 1
              }
            }
            i += 1
          }
        }
      }
    }
    return result
  }
}
