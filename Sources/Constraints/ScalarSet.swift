/// A set of Unicode scalar values stored as sorted, disjoint, non-adjacent closed ranges of code
/// points: the characters one regular-expression character class matches.
struct ScalarSet: Equatable, Sendable {
  /// The largest code point, U+10FFFF.
  static let maximumCodePoint: UInt32 = 0x10_FFFF

  /// Sorted, disjoint and non-adjacent.
  private(set) var ranges: [ClosedRange<UInt32>]

  /// The union of `ranges` (any order, overlaps allowed).
  init(_ ranges: [ClosedRange<UInt32>]) {
    var merged: [ClosedRange<UInt32>] = []
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
        merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
      } else {
        merged.append(range)
      }
    }
    self.ranges = merged
  }

  /// The single scalar `scalar`.
  init(scalar: UInt32) { self.init([scalar...scalar]) }

  /// `self ∪ other`.
  func union(_ other: ScalarSet) -> ScalarSet { ScalarSet(ranges + other.ranges) }

  /// Every code point in `0 ... U+10FFFF` not in the set (surrogates included; they have no
  /// UTF-8 encoding and are dropped when the set is compiled to bytes).
  var complement: ScalarSet {
    var result: [ClosedRange<UInt32>] = []
    var next: UInt32 = 0
    for range in ranges {
      if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
      next = range.upperBound + 1
    }
    if next <= Self.maximumCodePoint { result.append(next...Self.maximumCodePoint) }
    return ScalarSet(result)
  }
}
