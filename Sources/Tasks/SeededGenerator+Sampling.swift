import SeededRandom

extension SeededGenerator {
  /// A uniform integer in `0 ..< bound` (`bound ≥ 1`) as `next() mod bound`: the bias is below
  /// `bound / 2⁶⁴` (≈ 10⁻¹⁵ for the largest bounds used here) and the draw is one call, which keeps
  /// the streams simple and identical on every platform (unlike `Int.random(in:using:)`, whose
  /// algorithm the standard library does not fix).
  mutating func index(below bound: Int) -> Int {
    Int(next() % UInt64(bound))
  }

  /// `count` distinct integers drawn uniformly from `0 ..< bound`, sorted increasingly
  /// (Floyd's algorithm: uniform over all `count`-subsets, `count` draws).
  mutating func distinctSorted(_ count: Int, below bound: Int) -> [Int] {
    var chosen = Set<Int>(minimumCapacity: count)
    for j in (bound - count)..<bound {
      let t = index(below: j + 1)
      chosen.insert(chosen.contains(t) ? j : t)
    }
    return chosen.sorted()
  }

  /// `count` distinct integers drawn uniformly from `0 ..< bound`, in random order (a partial
  /// Fisher–Yates shuffle of a sparse permutation).
  mutating func distinctShuffled(_ count: Int, below bound: Int) -> [Int] {
    var swapped: [Int: Int] = [:]
    var result: [Int] = []
    result.reserveCapacity(count)
    for i in 0..<count {
      let j = i + index(below: bound - i)
      let atJ = swapped[j] ?? j
      let atI = swapped[i] ?? i
      swapped[j] = atI
      result.append(atJ)
    }
    return result
  }
}
