import Foundation

/// One tensor of a checkpoint: its dtype, its shape and its raw data bytes.
///
/// `bytes` holds the elements in row-major (C) order, each little-endian, exactly
/// `product(shape) · dtype.byteSize` bytes; every initializer checks this, so a value of this
/// type is always consistent. A scalar has shape `[]` (one element); a shape containing `0`
/// has no elements and no bytes. Equality compares dtype, shape and bytes bit for bit (two
/// `NaN`s with the same bits are equal, `0.0` and `-0.0` are not).
///
/// Typed initializers and accessors (``init(floats:shape:)``, ``floats()``, …) live in an
/// extension; any dtype can be built from raw bytes with ``init(dtype:shape:bytes:)``.
public struct StoredTensor: Hashable, Sendable {
  /// The element type.
  public let dtype: DType
  /// The dimensions, outermost first; `[]` for a scalar. All non-negative.
  public let shape: [Int]
  /// The elements, row-major, little-endian: `elementCount · dtype.byteSize` bytes.
  public let bytes: Data

  /// The number of elements, `product(shape)` (1 for a scalar).
  public var elementCount: Int { bytes.count / dtype.byteSize }

  /// A tensor from raw little-endian, row-major bytes.
  ///
  /// - Throws: ``CheckpointError/invalidShape(tensor:reason:)`` for a negative dimension or an
  ///   element or byte count that overflows `Int`, ``CheckpointError/byteCountMismatch(tensor:expected:actual:)``
  ///   when `bytes.count ≠ product(shape) · dtype.byteSize`.
  public init(dtype: DType, shape: [Int], bytes: Data) throws {
    let byteCount = try StoredTensor.byteCount(dtype: dtype, shape: shape, tensor: nil)
    guard bytes.count == byteCount else {
      throw CheckpointError.byteCountMismatch(tensor: nil, expected: byteCount, actual: bytes.count)
    }
    self.init(validatedDType: dtype, shape: shape, bytes: bytes)
  }

  /// A tensor whose byte count the caller has already checked against dtype and shape.
  init(validatedDType dtype: DType, shape: [Int], bytes: Data) {
    self.dtype = dtype
    self.shape = shape
    // Rebase slices so that `bytes.startIndex == 0` for users who index it.
    self.bytes = bytes.startIndex == 0 ? bytes : Data(bytes)
  }

  /// `product(shape)`, folding from the outermost dimension like the reference implementation.
  ///
  /// - Throws: ``CheckpointError/invalidShape(tensor:reason:)`` for a negative dimension or overflow.
  static func elementCount(of shape: [Int], tensor: String?) throws -> Int {
    if let index = shape.firstIndex(where: { $0 < 0 }) {
      throw CheckpointError.invalidShape(tensor: tensor, reason: "dimension \(index) is \(shape[index]), not ≥ 0")
    }
    var count = 1
    for dimension in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      guard !overflow else {
        throw CheckpointError.invalidShape(tensor: tensor, reason: "the element count of \(shape) overflows")
      }
      count = product
    }
    return count
  }

  /// `product(shape) · dtype.byteSize`.
  ///
  /// - Throws: ``CheckpointError/invalidShape(tensor:reason:)`` for a negative dimension or overflow.
  static func byteCount(dtype: DType, shape: [Int], tensor: String?) throws -> Int {
    let (bytes, overflow) = try elementCount(of: shape, tensor: tensor).multipliedReportingOverflow(by: dtype.byteSize)
    guard !overflow else {
      throw CheckpointError.invalidShape(tensor: tensor, reason: "the byte count of \(shape) overflows")
    }
    return bytes
  }
}
