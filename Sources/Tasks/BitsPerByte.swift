/// A total code length in bits over a number of scored bytes; add scores of several batches with `+`.
public struct BitsPerByte: Equatable, Hashable, Sendable {
  /// `Σ −log₂ p(y_t)` over the scored bytes (accumulated in `Double`).
  public var bits: Double
  /// Scored bytes (positions whose target is a byte value).
  public var bytes: Int

  /// A score from its parts.
  public init(bits: Double, bytes: Int) {
    self.bits = bits
    self.bytes = bytes
  }

  /// Bits per byte, `bits / bytes`, or 0 when nothing was scored.
  public var value: Double { bytes == 0 ? 0 : bits / Double(bytes) }

  /// The pooled score of two disjoint sets: bits and bytes add.
  public static func + (lhs: BitsPerByte, rhs: BitsPerByte) -> BitsPerByte {
    BitsPerByte(bits: lhs.bits + rhs.bits, bytes: lhs.bytes + rhs.bytes)
  }
}
