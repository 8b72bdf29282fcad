import Checkpoint
import Foundation
import Testing

/// The bytes of a safetensors file with the given header text (not padded) and data section.
func fileBytes(header: String, data: [UInt8] = []) -> Data {
  fileBytes(headerBytes: Array(header.utf8), data: data)
}

/// The bytes of a safetensors file with the given raw header bytes and data section.
func fileBytes(headerBytes: [UInt8], data: [UInt8] = []) -> Data {
  var bytes = Data()
  withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
  bytes.append(contentsOf: headerBytes)
  bytes.append(contentsOf: data)
  return bytes
}

/// The `CheckpointError` that decoding `data` throws; records an issue (and returns nil) if
/// decoding succeeds or throws another error type.
func decodeError(_ data: Data, sourceLocation: SourceLocation = #_sourceLocation) -> CheckpointError? {
  do {
    let decoded = try SafeTensors.decode(data)
    Issue.record("decoding succeeded unexpectedly: \(decoded.tensors.keys.sorted())", sourceLocation: sourceLocation)
  } catch let error as CheckpointError {
    return error
  } catch {
    Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
  }
  return nil
}

/// A small checkpoint with several dtypes and shapes, a scalar, a zero-size tensor and metadata.
func sampleCheckpoint() throws -> SafeTensors {
  SafeTensors(
    tensors: [
      "a.weight": try StoredTensor(floats: [1, -2.5, 0.125, 3e-3, .infinity, -0.0], shape: [2, 3]),
      "a.bias": try StoredTensor(doubles: [.pi], shape: []),
      "count": try StoredTensor(int64s: [Int64.min, -1, 0, Int64.max], shape: [2, 2]),
      "empty": try StoredTensor(floats: [], shape: [3, 0]),
      "mask": try StoredTensor(dtype: .bool, shape: [3], bytes: Data([1, 0, 1])),
      "half": try StoredTensor(dtype: .f16, shape: [1, 2], bytes: Data([0x00, 0x3C, 0x00, 0xC0])),
    ],
    metadata: ["format": "pt", "step": "12"])
}

/// The sorted names in a directory (hidden files included).
func listing(_ directory: URL) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
}

/// The header text of encoded safetensors bytes (padding included).
func headerText(of bytes: Data) -> String {
  let length = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
  return String(decoding: bytes.dropFirst(8).prefix(length), as: UTF8.self)
}
