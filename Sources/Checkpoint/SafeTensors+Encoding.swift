import Foundation

extension SafeTensors {
  /// The bytes of the safetensors file for this checkpoint (layout and ordering: see ``SafeTensors``).
  ///
  /// - Throws: ``CheckpointError/reservedName(_:)`` if a tensor is named `__metadata__`,
  ///   ``CheckpointError/headerTooLarge(length:limit:)`` if the header would exceed
  ///   ``maximumHeaderLength`` (such a file could not be read back).
  public func encoded() throws -> Data {
    guard tensors["__metadata__"] == nil else { throw CheckpointError.reservedName("__metadata__") }
    let names = tensors.keys.sorted(by: SafeTensors.utf8Order)

    var header: [UInt8] = [UInt8(ascii: "{")]
    var needsComma = false
    if !metadata.isEmpty {
      SafeTensors.appendString("__metadata__", to: &header)
      header += Array(":{".utf8)
      for (index, key) in metadata.keys.sorted(by: SafeTensors.utf8Order).enumerated() {
        if index > 0 { header.append(UInt8(ascii: ",")) }
        SafeTensors.appendString(key, to: &header)
        header.append(UInt8(ascii: ":"))
        SafeTensors.appendString(metadata[key]!, to: &header)
      }
      header.append(UInt8(ascii: "}"))
      needsComma = true
    }
    var offset = 0
    for name in names {
      let tensor = tensors[name]!
      if needsComma { header.append(UInt8(ascii: ",")) }
      needsComma = true
      SafeTensors.appendString(name, to: &header)
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      let end = offset + tensor.bytes.count
      header += Array(
        ":{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}".utf8)
      offset = end
    }
    header.append(UInt8(ascii: "}"))
    // Pad with spaces so that the data section starts 8-byte aligned.
    header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
    guard header.count <= SafeTensors.maximumHeaderLength else {
      throw CheckpointError.headerTooLarge(length: UInt64(header.count), limit: SafeTensors.maximumHeaderLength)
    }

    var data = Data(capacity: 8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header)
    for name in names { data.append(tensors[name]!.bytes) }
    return data
  }

  /// Code point order (the order of the UTF-8 bytes), independent of Unicode normalization.
  private static func utf8Order(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

  /// Appends `text` as a JSON string, escaped like serde_json (the reference implementation's
  /// serializer): `"` `\` and control characters only; other characters as UTF-8.
  private static func appendString(_ text: String, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
      case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
      case 0x08: output += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
      case 0x0C: output += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
      case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
      case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
      case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
      case 0x00..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        output += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
      default: output.append(byte)
      }
    }
    output.append(UInt8(ascii: "\""))
  }
}
