import Foundation

/// Typed views of a ``StoredTensor``: build one from Swift arrays, read its elements back.
///
/// Values are flat, row-major arrays of `product(shape)` elements (one for a scalar, shape
/// `[]`). Floating-point values are stored bit for bit (signed zeros and NaN payloads survive).
extension StoredTensor {
  /// An `F32` tensor.
  ///
  /// - Throws: ``CheckpointError/valueCountMismatch(shape:expected:actual:)``
  ///   when `floats.count ≠ product(shape)`, ``CheckpointError/invalidShape(tensor:reason:)``.
  public init(floats: [Float], shape: [Int]) throws {
    try self.init(dtype: .f32, shape: shape, integers: floats.map(\.bitPattern))
  }

  /// An `F64` tensor.
  ///
  /// - Throws: the same errors as ``init(floats:shape:)``.
  public init(doubles: [Double], shape: [Int]) throws {
    try self.init(dtype: .f64, shape: shape, integers: doubles.map(\.bitPattern))
  }

  /// An `I64` tensor.
  ///
  /// - Throws: the same errors as ``init(floats:shape:)``.
  public init(int64s: [Int64], shape: [Int]) throws {
    try self.init(dtype: .i64, shape: shape, integers: int64s)
  }

  /// A `U64` tensor.
  ///
  /// - Throws: the same errors as ``init(floats:shape:)``.
  public init(uint64s: [UInt64], shape: [Int]) throws {
    try self.init(dtype: .u64, shape: shape, integers: uint64s)
  }

  /// An `I32` tensor.
  ///
  /// - Throws: the same errors as ``init(floats:shape:)``.
  public init(int32s: [Int32], shape: [Int]) throws {
    try self.init(dtype: .i32, shape: shape, integers: int32s)
  }

  /// The elements of an `F32` tensor.
  ///
  /// - Throws: ``CheckpointError/wrongDType(expected:actual:)`` for any other dtype.
  public func floats() throws -> [Float] {
    try checkDType(.f32)
    return littleEndianIntegers(UInt32.self).map(Float.init(bitPattern:))
  }

  /// The elements of an `F64` tensor.
  ///
  /// - Throws: ``CheckpointError/wrongDType(expected:actual:)`` for any other dtype.
  public func doubles() throws -> [Double] {
    try checkDType(.f64)
    return littleEndianIntegers(UInt64.self).map(Double.init(bitPattern:))
  }

  /// The elements of an `I64` tensor.
  ///
  /// - Throws: ``CheckpointError/wrongDType(expected:actual:)`` for any other dtype.
  public func int64s() throws -> [Int64] {
    try checkDType(.i64)
    return littleEndianIntegers(Int64.self)
  }

  /// The elements of a `U64` tensor.
  ///
  /// - Throws: ``CheckpointError/wrongDType(expected:actual:)`` for any other dtype.
  public func uint64s() throws -> [UInt64] {
    try checkDType(.u64)
    return littleEndianIntegers(UInt64.self)
  }

  /// The elements of an `I32` tensor.
  ///
  /// - Throws: ``CheckpointError/wrongDType(expected:actual:)`` for any other dtype.
  public func int32s() throws -> [Int32] {
    try checkDType(.i32)
    return littleEndianIntegers(Int32.self)
  }

  /// The elements of any floating-point tensor as `Float`: `F16` and `BF16` widen exactly,
  /// `F32` is returned as is, `F64` rounds to the nearest `Float` (overflowing to ±∞).
  ///
  /// - Throws: ``CheckpointError/wrongDType(expected:actual:)`` for integer and `BOOL` tensors.
  public func convertedFloats() throws -> [Float] {
    switch dtype {
    case .f32: return try floats()
    case .f64: return try doubles().map { Float($0) }
    case .f16: return littleEndianIntegers(UInt16.self).map(HalfPrecision.float(fromHalf:))
    case .bf16: return littleEndianIntegers(UInt16.self).map(HalfPrecision.float(fromBFloat16:))
    default: throw CheckpointError.wrongDType(expected: [.f16, .bf16, .f32, .f64], actual: dtype)
    }
  }

  private init<T: FixedWidthInteger>(dtype: DType, shape: [Int], integers: [T]) throws {
    precondition(MemoryLayout<T>.size == dtype.byteSize)
    let count = try StoredTensor.elementCount(of: shape, tensor: nil)
    guard integers.count == count else {
      throw CheckpointError.valueCountMismatch(shape: shape, expected: count, actual: integers.count)
    }
    let bytes = integers.map(\.littleEndian).withUnsafeBytes { Data($0) }
    self.init(validatedDType: dtype, shape: shape, bytes: bytes)
  }

  private func checkDType(_ expected: DType) throws {
    guard dtype == expected else { throw CheckpointError.wrongDType(expected: [expected], actual: dtype) }
  }

  /// The bytes read as little-endian integers of `T`'s width (`bytes.count` is a multiple of it).
  private func littleEndianIntegers<T: FixedWidthInteger>(_ type: T.Type) -> [T] {
    let count = bytes.count / MemoryLayout<T>.size
    var result = [T](repeating: 0, count: count)
    guard count > 0 else { return result }
    result.withUnsafeMutableBytes { destination in
      bytes.withUnsafeBytes { source in
        destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source.prefix(destination.count)))
      }
    }
    return result.map { T(littleEndian: $0) }
  }
}
