/// Errors from reading, validating or writing a safetensors checkpoint.
///
/// Every malformed input is reported as one of these cases; decoding never traps on any
/// input bytes. Cases that concern one tensor of a file name it (`tensor`); the same cases
/// raised while building a ``StoredTensor`` in memory have `tensor == nil`.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file could not be opened or read; `reason` is the system's explanation.
  case unreadableFile(path: String, reason: String)
  /// The file could not be written or replaced; `reason` is the system's explanation.
  case unwritableFile(path: String, reason: String)
  /// The input is shorter than the 8-byte header length field.
  case fileTooShort(byteCount: Int)
  /// The header length field exceeds the limit (``SafeTensors/maximumHeaderLength``).
  case headerTooLarge(length: UInt64, limit: Int)
  /// The header length field exceeds the bytes that follow it.
  case headerExceedsFile(length: UInt64, available: Int)
  /// The header is not valid UTF-8, not valid JSON, or not a JSON object.
  case invalidHeader(String)
  /// A JSON object of the header names the same key twice (a tensor, a field, a metadata key).
  case duplicateKey(String)
  /// `__metadata__` is neither `null` nor an object whose values are all strings.
  case invalidMetadata(String)
  /// A tensor entry lacks one of `dtype`, `shape`, `data_offsets`.
  case missingField(tensor: String, field: String)
  /// A tensor entry (`field == nil`) or one of its fields has the wrong JSON type.
  case invalidField(tensor: String, field: String?, expected: String)
  /// The `dtype` string is not one of ``DType``'s raw values.
  case unknownDType(tensor: String, dtype: String)
  /// A dimension is negative or too large, or the element or byte count overflows `Int`.
  case invalidShape(tensor: String?, reason: String)
  /// The number of data bytes differs from `product(shape) · dtype.byteSize`.
  case byteCountMismatch(tensor: String?, expected: Int, actual: Int)
  /// `data_offsets` are out of range, reversed, overlap an earlier tensor or leave a hole.
  case invalidOffsets(tensor: String, reason: String)
  /// The tensors' data regions end at `covered` but the data section holds `available` bytes.
  case dataSizeMismatch(covered: Int, available: Int)
  /// A tensor may not be named `__metadata__`, the key reserved for the metadata.
  case reservedName(String)
  /// A typed initializer got `actual` values for a shape of `expected` elements.
  case valueCountMismatch(shape: [Int], expected: Int, actual: Int)
  /// A typed accessor was called on a tensor of another dtype.
  case wrongDType(expected: [DType], actual: DType)

  public var description: String {
    switch self {
    case .unreadableFile(let path, let reason): return "cannot read \(path): \(reason)"
    case .unwritableFile(let path, let reason): return "cannot write \(path): \(reason)"
    case .fileTooShort(let byteCount):
      return "the file is \(byteCount) bytes long, shorter than the 8-byte header length field"
    case .headerTooLarge(let length, let limit):
      return "the header length \(length) exceeds the limit of \(limit) bytes"
    case .headerExceedsFile(let length, let available):
      return "the header length \(length) exceeds the \(available) bytes that follow the length field"
    case .invalidHeader(let reason): return "invalid header: \(reason)"
    case .duplicateKey(let key): return "duplicate key \(quoted(key)) in the header"
    case .invalidMetadata(let reason): return "invalid __metadata__: \(reason)"
    case .missingField(let tensor, let field): return "tensor \(quoted(tensor)): missing field \(quoted(field))"
    case .invalidField(let tensor, let field, let expected):
      if let field { return "tensor \(quoted(tensor)): \(quoted(field)) must be \(expected)" }
      return "tensor \(quoted(tensor)): the entry must be \(expected)"
    case .unknownDType(let tensor, let dtype):
      let known = DType.allCases.map(\.rawValue).joined(separator: ", ")
      return "tensor \(quoted(tensor)): unsupported dtype \(quoted(dtype)) (expected one of \(known))"
    case .invalidShape(let tensor, let reason): return "\(prefix(tensor))invalid shape: \(reason)"
    case .byteCountMismatch(let tensor, let expected, let actual):
      return "\(prefix(tensor))shape and dtype need \(expected) data bytes, got \(actual)"
    case .invalidOffsets(let tensor, let reason): return "tensor \(quoted(tensor)): invalid data_offsets: \(reason)"
    case .dataSizeMismatch(let covered, let available):
      return "the tensors' data ends at byte \(covered) but the data section holds \(available) bytes"
    case .reservedName(let name): return "a tensor may not be named \(quoted(name)), the reserved metadata key"
    case .valueCountMismatch(let shape, let expected, let actual):
      return "shape \(shape) needs \(expected) values, got \(actual)"
    case .wrongDType(let expected, let actual):
      let names = expected.map(\.rawValue)
      let wanted = names.count == 1 ? names[0] : "one of " + names.joined(separator: ", ")
      return "the tensor has dtype \(actual.rawValue), expected \(wanted)"
    }
  }

  private func quoted(_ text: String) -> String { "\"\(text)\"" }
  private func prefix(_ tensor: String?) -> String { tensor.map { "tensor \(quoted($0)): " } ?? "" }
}
