/// The element type of a stored tensor, spelled as in a safetensors header (`"F32"`, `"BF16"`, …).
///
/// All types are stored little-endian; `bool` is one byte per element.
public enum DType: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
  /// IEEE 754 binary64.
  case f64 = "F64"
  /// IEEE 754 binary32.
  case f32 = "F32"
  /// IEEE 754 binary16.
  case f16 = "F16"
  /// bfloat16: the upper 16 bits of a binary32.
  case bf16 = "BF16"
  /// Signed 64-bit integer.
  case i64 = "I64"
  /// Signed 32-bit integer.
  case i32 = "I32"
  /// Signed 16-bit integer.
  case i16 = "I16"
  /// Signed 8-bit integer.
  case i8 = "I8"
  /// Unsigned 64-bit integer.
  case u64 = "U64"
  /// Unsigned 32-bit integer.
  case u32 = "U32"
  /// Unsigned 16-bit integer.
  case u16 = "U16"
  /// Unsigned 8-bit integer.
  case u8 = "U8"
  /// Boolean, one byte per element.
  case bool = "BOOL"

  /// The size of one element in bytes (1, 2, 4 or 8).
  public var byteSize: Int {
    switch self {
    case .f64, .i64, .u64: return 8
    case .f32, .i32, .u32: return 4
    case .f16, .bf16, .i16, .u16: return 2
    case .i8, .u8, .bool: return 1
    }
  }

  /// The header spelling, e.g. `F32`.
  public var description: String { rawValue }
}
