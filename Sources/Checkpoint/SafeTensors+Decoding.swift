import Foundation
import SSMJSON

extension SafeTensors {
  /// Decodes the bytes of a safetensors file (format: see ``SafeTensors``).
  ///
  /// - Throws: a ``CheckpointError``: ``CheckpointError/fileTooShort(byteCount:)``,
  ///   ``CheckpointError/headerTooLarge(length:limit:)``, ``CheckpointError/headerExceedsFile(length:available:)``,
  ///   ``CheckpointError/invalidHeader(_:)`` (not UTF-8, not JSON, not an object),
  ///   ``CheckpointError/duplicateKey(_:)``, ``CheckpointError/invalidMetadata(_:)``,
  ///   ``CheckpointError/missingField(tensor:field:)``, ``CheckpointError/invalidField(tensor:field:expected:)``,
  ///   ``CheckpointError/unknownDType(tensor:dtype:)``, ``CheckpointError/invalidShape(tensor:reason:)``,
  ///   ``CheckpointError/invalidOffsets(tensor:reason:)``,
  ///   ``CheckpointError/byteCountMismatch(tensor:expected:actual:)`` or
  ///   ``CheckpointError/dataSizeMismatch(covered:available:)``.
  public static func decode(_ data: Data) throws -> SafeTensors {
    guard data.count >= 8 else { throw CheckpointError.fileTooShort(byteCount: data.count) }
    let start = data.startIndex
    let length = data[start..<(start + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard length <= UInt64(maximumHeaderLength) else {
      throw CheckpointError.headerTooLarge(length: length, limit: maximumHeaderLength)
    }
    let headerLength = Int(length)
    guard headerLength <= data.count - 8 else {
      throw CheckpointError.headerExceedsFile(length: length, available: data.count - 8)
    }
    let dataStart = start + 8 + headerLength
    let header = try Header(bytes: Array(data[(start + 8)..<dataStart]))
    guard case .object(let members) = header.value else {
      throw CheckpointError.invalidHeader("the header must be a JSON object, got \(header.value.kindName)")
    }

    var result = SafeTensors()
    var entries: [Entry] = []
    for (key, value, numbers) in Header.members(members, numbers: header.numberLiterals[...]) {
      if key == "__metadata__" {
        result.metadata = try metadata(from: value)
      } else {
        entries.append(try Entry(name: key, json: value, numbers: numbers))
      }
    }

    // Like the reference implementation: sorted by offsets, the regions must tile the data section.
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    let available = data.count - 8 - headerLength
    var cursor = 0
    for entry in entries {
      if entry.end < entry.begin {
        throw CheckpointError.invalidOffsets(tensor: entry.name, reason: "end \(entry.end) < begin \(entry.begin)")
      }
      if entry.begin < cursor {
        throw CheckpointError.invalidOffsets(
          tensor: entry.name, reason: "begin \(entry.begin) overlaps another tensor's data, which ends at \(cursor)")
      }
      if entry.begin > cursor {
        throw CheckpointError.invalidOffsets(
          tensor: entry.name, reason: "begin \(entry.begin) leaves a hole after byte \(cursor)")
      }
      if entry.end - entry.begin != entry.byteCount {
        throw CheckpointError.byteCountMismatch(
          tensor: entry.name, expected: entry.byteCount, actual: entry.end - entry.begin)
      }
      cursor = entry.end
    }
    guard cursor == available else { throw CheckpointError.dataSizeMismatch(covered: cursor, available: available) }

    for entry in entries {
      let bytes = Data(data[(dataStart + entry.begin)..<(dataStart + entry.end)])
      result.tensors[entry.name] = StoredTensor(validatedDType: entry.dtype, shape: entry.shape, bytes: bytes)
    }
    return result
  }

  private static func metadata(from json: JSONValue) throws -> [String: String] {
    switch json {
    case .null: return [:]
    case .object(let members):
      var metadata: [String: String] = [:]
      for (key, value) in members {
        guard case .string(let text) = value else {
          throw CheckpointError.invalidMetadata("the value of \"\(key)\" must be a string, got \(value.kindName)")
        }
        metadata[key] = text
      }
      return metadata
    default:
      throw CheckpointError.invalidMetadata("expected an object of strings, got \(json.kindName)")
    }
  }

  /// One tensor entry of the header, checked on its own (offsets not yet compared with others).
  private struct Entry {
    let name: String
    let dtype: DType
    let shape: [Int]
    let byteCount: Int
    let begin: Int
    let end: Int

    /// Reads the entry `json` of tensor `name`; `numbers` is the source text of the numbers of
    /// `json`, in document order, from which dimensions and offsets are read exactly.
    init(name: String, json: JSONValue, numbers: ArraySlice<String>) throws {
      guard case .object(let members) = json else {
        throw CheckpointError.invalidField(tensor: name, field: nil, expected: "an object, got \(json.kindName)")
      }
      let fields = Header.members(members, numbers: numbers)
      func field(_ key: String) throws -> (value: JSONValue, numbers: ArraySlice<String>) {
        guard let field = fields.first(where: { $0.key == key }) else {
          throw CheckpointError.missingField(tensor: name, field: key)
        }
        return (field.value, field.numbers)
      }

      guard case .string(let dtypeName) = try field("dtype").value else {
        throw CheckpointError.invalidField(tensor: name, field: "dtype", expected: "a string")
      }
      guard let dtype = DType(rawValue: dtypeName) else {
        throw CheckpointError.unknownDType(tensor: name, dtype: dtypeName)
      }

      let shapeExpectation = "an array of non-negative integers"
      let shapeField = try field("shape")
      guard case .array(let dimensions) = shapeField.value else {
        throw CheckpointError.invalidField(tensor: name, field: "shape", expected: shapeExpectation)
      }
      var shape: [Int] = []
      for dimension in Header.integers(dimensions, literals: shapeField.numbers) {
        switch dimension {
        case .value(let value): shape.append(value)
        case .tooLarge(let text):
          throw CheckpointError.invalidShape(tensor: name, reason: "dimension \(text) is too large")
        case nil: throw CheckpointError.invalidField(tensor: name, field: "shape", expected: shapeExpectation)
        }
      }

      let offsetsExpectation = "[begin, end], two non-negative integers"
      let offsetsField = try field("data_offsets")
      guard case .array(let offsets) = offsetsField.value, offsets.count == 2 else {
        throw CheckpointError.invalidField(tensor: name, field: "data_offsets", expected: offsetsExpectation)
      }
      var bounds: [Int] = []
      for offset in Header.integers(offsets, literals: offsetsField.numbers) {
        switch offset {
        case .value(let value) where value >= 0: bounds.append(value)
        case .value(let value):
          throw CheckpointError.invalidOffsets(tensor: name, reason: "offset \(value) is negative")
        case .tooLarge(let text):
          throw CheckpointError.invalidOffsets(tensor: name, reason: "offset \(text) is out of range")
        case nil:
          throw CheckpointError.invalidField(tensor: name, field: "data_offsets", expected: offsetsExpectation)
        }
      }

      self.name = name
      self.dtype = dtype
      self.shape = shape
      self.byteCount = try StoredTensor.byteCount(dtype: dtype, shape: shape, tensor: name)
      self.begin = bounds[0]
      self.end = bounds[1]
    }
  }
}
