/// Exact widening of the 16-bit float formats to `Float` (portable: no `Float16` needed).
enum HalfPrecision {
  /// The binary32 value of an IEEE 754 binary16 bit pattern (exact; NaN payloads kept).
  static func float(fromHalf bits: UInt16) -> Float {
    let sign = UInt32(bits >> 15) << 31
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits) & 0x3FF
    switch exponent {
    case 0:
      // Zero or subnormal: mantissa · 2^-24, exact in binary32.
      let magnitude = Float(mantissa) * 0x1p-24
      return sign == 0 ? magnitude : -magnitude
    case 0x1F:
      return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
      return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
  }

  /// The binary32 value of a bfloat16 bit pattern: the pattern is the upper half of a binary32.
  static func float(fromBFloat16 bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }
}
