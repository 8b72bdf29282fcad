/// The UTF-8 encodings of a range of code points as a union of byte-range sequences, so that a
/// character class becomes a small byte automaton.
///
/// Every sequence `[r₁, …, r_n]` matches exactly the byte strings `b₁…b_n` with `b_i ∈ r_i`, and the
/// union over the sequences is exactly the set of UTF-8 encodings of the non-surrogate code points
/// in the range (Russ Cox's construction in RE2): split the range where the encoded length
/// changes (U+007F, U+07FF, U+FFFF) and around the surrogates, then split each piece until all
/// code points in it share every encoded byte but a suffix of full continuation ranges.
enum UTF8Ranges {
  /// The byte-range sequences of `range` (surrogates U+D800…U+DFFF excluded).
  static func sequences(_ range: ClosedRange<UInt32>) -> [[ClosedRange<UInt8>]] {
    var result: [[ClosedRange<UInt8>]] = []
    split(range.lowerBound, range.upperBound, into: &result)
    return result
  }

  private static func split(_ low: UInt32, _ high: UInt32, into result: inout [[ClosedRange<UInt8>]]) {
    guard low <= high else { return }
    if low <= 0xDFFF && high >= 0xD800 {
      if low < 0xD800 { split(low, 0xD7FF, into: &result) }
      if high > 0xDFFF { split(0xE000, high, into: &result) }
      return
    }
    for boundary: UInt32 in [0x7F, 0x7FF, 0xFFFF] where low <= boundary && high > boundary {
      split(low, boundary, into: &result)
      split(boundary + 1, high, into: &result)
      return
    }
    let length = encoded(low).count
    for continuation in 1..<length {
      let mask: UInt32 = (1 << (6 * UInt32(continuation))) - 1
      guard low & ~mask != high & ~mask else { continue }
      if low & mask != 0 {
        split(low, low | mask, into: &result)
        split((low | mask) + 1, high, into: &result)
        return
      }
      if high & mask != mask {
        split(low, (high & ~mask) - 1, into: &result)
        split(high & ~mask, high, into: &result)
        return
      }
    }
    result.append(zip(encoded(low), encoded(high)).map { $0...$1 })
  }

  /// The UTF-8 bytes of a non-surrogate code point.
  private static func encoded(_ codePoint: UInt32) -> [UInt8] {
    Array(String(Unicode.Scalar(codePoint)!).utf8)
  }
}
