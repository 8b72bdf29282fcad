import Checkpoint
import Foundation
import Testing

@Suite("Checkpoint round trip and encoding")
struct RoundTripTests {
  @Test("every dtype, scalars and zero-size tensors survive encode → decode")
  func allDTypesRoundTrip() throws {
    var checkpoint = SafeTensors()
    let shapes: [[Int]] = [[], [1], [5], [2, 3], [2, 1, 2], [0], [4, 0, 3]]
    for dtype in DType.allCases {
      for (index, shape) in shapes.enumerated() {
        let count = shape.reduce(1, *) * dtype.byteSize
        let bytes = Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ index &+ dtype.byteSize) })
        checkpoint.tensors["\(dtype.rawValue.lowercased()).\(index)"] = try StoredTensor(
          dtype: dtype, shape: shape, bytes: bytes)
      }
    }
    let decoded = try SafeTensors.decode(checkpoint.encoded())
    #expect(decoded == checkpoint)
    #expect(decoded.tensors["f32.0"]?.elementCount == 1)
    #expect(decoded.tensors["u8.6"]?.bytes.isEmpty == true)
    #expect(decoded.tensors["u8.6"]?.shape == [4, 0, 3])
  }

  @Test("typed initializers and accessors keep every bit")
  func typedValues() throws {
    let floats: [Float] = [0, -0.0, 1, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.infinity, .nan]
    let doubles: [Double] = [-0.0, .pi, .leastNormalMagnitude, -.greatestFiniteMagnitude, .infinity]
    let nan = Double(bitPattern: 0x7FF8_0000_DEAD_BEEF)
    let checkpoint = SafeTensors(tensors: [
      "f": try StoredTensor(floats: floats, shape: [7]),
      "d": try StoredTensor(doubles: doubles + [nan], shape: [2, 3]),
      "i": try StoredTensor(int64s: [.min, -1, 0, 1, .max], shape: [5]),
      "u": try StoredTensor(uint64s: [0, 1, .max], shape: [3, 1]),
      "n": try StoredTensor(int32s: [.min, 7, .max], shape: [3]),
      "scalar": try StoredTensor(floats: [2.5], shape: []),
    ])
    let decoded = try SafeTensors.decode(checkpoint.encoded())
    #expect(try decoded.tensors["f"]!.floats().map(\.bitPattern) == floats.map(\.bitPattern))
    #expect(try decoded.tensors["d"]!.doubles().map(\.bitPattern) == (doubles + [nan]).map(\.bitPattern))
    #expect(try decoded.tensors["i"]!.int64s() == [.min, -1, 0, 1, .max])
    #expect(try decoded.tensors["u"]!.uint64s() == [0, 1, .max])
    #expect(try decoded.tensors["n"]!.int32s() == [.min, 7, .max])
    #expect(try decoded.tensors["scalar"]!.floats() == [2.5])
    #expect(decoded.tensors["scalar"]!.shape == [])
    // Little-endian layout.
    #expect(Array(try StoredTensor(int64s: [1], shape: [1]).bytes) == [1, 0, 0, 0, 0, 0, 0, 0])
    #expect(Array(try StoredTensor(floats: [1], shape: []).bytes) == [0x00, 0x00, 0x80, 0x3F])
  }

  @Test("F16, BF16 and F64 convert to Float on request")
  func convertedFloats() throws {
    // F16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), -0, +inf, 2^-14 (smallest normal).
    let half: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x0400]
    let halfBytes = Data(half.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    let f16 = try StoredTensor(dtype: .f16, shape: [7], bytes: halfBytes)
    let expected: [Float] = [1, -2, 65504, 0x1p-24, -0.0, .infinity, 0x1p-14]
    #expect(try f16.convertedFloats().map(\.bitPattern) == expected.map(\.bitPattern))
    let halfNaN = try StoredTensor(dtype: .f16, shape: [], bytes: Data([0x01, 0x7E])).convertedFloats()
    #expect(halfNaN.count == 1 && halfNaN[0].isNaN)

    // BF16 is the upper half of a binary32: 1, -2, π rounded to 8 bits of significand.
    let bf16 = try StoredTensor(dtype: .bf16, shape: [3], bytes: Data([0x80, 0x3F, 0x00, 0xC0, 0x49, 0x40]))
    #expect(try bf16.convertedFloats() == [1, -2, Float(bitPattern: 0x4049_0000)])

    let f64 = try StoredTensor(doubles: [0.1, 1e300], shape: [2])
    #expect(try f64.convertedFloats() == [Float(0.1 as Double), .infinity])
    #expect(try StoredTensor(floats: [3], shape: []).convertedFloats() == [3])
    #expect(throws: CheckpointError.wrongDType(expected: [.f16, .bf16, .f32, .f64], actual: .i64)) {
      try StoredTensor(int64s: [1], shape: []).convertedFloats()
    }
  }

  @Test("typed accessors reject other dtypes")
  func wrongDType() throws {
    let doubles = try StoredTensor(doubles: [1], shape: [1])
    #expect(throws: CheckpointError.wrongDType(expected: [.f32], actual: .f64)) { try doubles.floats() }
    let floats = try StoredTensor(floats: [1], shape: [1])
    #expect(throws: CheckpointError.wrongDType(expected: [.f64], actual: .f32)) { try floats.doubles() }
    #expect(throws: CheckpointError.wrongDType(expected: [.i64], actual: .f32)) { try floats.int64s() }
    #expect(throws: CheckpointError.wrongDType(expected: [.u64], actual: .f32)) { try floats.uint64s() }
    #expect(throws: CheckpointError.wrongDType(expected: [.i32], actual: .f32)) { try floats.int32s() }
    let error = CheckpointError.wrongDType(expected: [.f32], actual: .f64)
    #expect(error.description == "the tensor has dtype F64, expected F32")
  }

  @Test("initializers check the shape against the values and bytes")
  func initializerValidation() throws {
    #expect(throws: CheckpointError.valueCountMismatch(shape: [2, 3], expected: 6, actual: 5)) {
      try StoredTensor(floats: [1, 2, 3, 4, 5], shape: [2, 3])
    }
    #expect(throws: CheckpointError.valueCountMismatch(shape: [], expected: 1, actual: 0)) {
      try StoredTensor(doubles: [], shape: [])
    }
    #expect(throws: CheckpointError.byteCountMismatch(tensor: nil, expected: 8, actual: 7)) {
      try StoredTensor(dtype: .f32, shape: [2], bytes: Data(count: 7))
    }
    #expect(throws: CheckpointError.invalidShape(tensor: nil, reason: "dimension 1 is -2, not ≥ 0")) {
      try StoredTensor(dtype: .u8, shape: [1, -2], bytes: Data())
    }
    #expect(throws: CheckpointError.self) {
      try StoredTensor(dtype: .u8, shape: [1 << 32, 1 << 32], bytes: Data())
    }
    #expect(throws: CheckpointError.self) {
      try StoredTensor(dtype: .f64, shape: [1 << 61], bytes: Data())
    }
    // A slice of a larger Data is stored rebased at index 0.
    let backing = Data([9, 9, 1, 0, 0, 0])
    let tensor = try StoredTensor(dtype: .i32, shape: [], bytes: backing[2..<6])
    #expect(tensor.bytes.startIndex == 0)
    #expect(try tensor.int32s() == [1])
  }

  @Test("metadata round trips; empty metadata is omitted from the header")
  func metadataRoundTrip() throws {
    let metadata = [
      "format": "pt", "": "empty key", "quote\"back\\slash": "line\nbreak\ttab\u{01}", "unicode": "λ → ✓ 🙂",
    ]
    let checkpoint = SafeTensors(tensors: ["x": try StoredTensor(floats: [1], shape: [1])], metadata: metadata)
    let bytes = try checkpoint.encoded()
    #expect(try SafeTensors.decode(bytes) == checkpoint)
    let header = headerText(of: bytes)
    #expect(header.hasPrefix("{\"__metadata__\":{\"\":\"empty key\",\"format\":\"pt\","))
    #expect(header.contains("\"line\\nbreak\\ttab\\u0001\""))

    let bare = SafeTensors(tensors: checkpoint.tensors)
    let bareHeader = headerText(of: try bare.encoded())
    #expect(!bareHeader.contains("__metadata__"))
    #expect(try SafeTensors.decode(bare.encoded()).metadata.isEmpty)
  }

  @Test("encoding is deterministic: names sorted, data in name order, header space-padded to 8")
  func deterministicBytes() throws {
    let names = ["b", "a", "c.2", "c.10", "é", "Z", "_"]
    var forward = SafeTensors(metadata: ["k2": "v", "k1": "w"])
    var backward = SafeTensors(metadata: ["k1": "w", "k2": "v"])
    for (index, name) in names.enumerated() {
      forward.tensors[name] = try StoredTensor(int32s: [Int32(index)], shape: [1])
    }
    for (index, name) in names.enumerated().reversed() {
      backward.tensors[name] = try StoredTensor(int32s: [Int32(index)], shape: [1])
    }
    let bytes = try forward.encoded()
    #expect(try backward.encoded() == bytes)
    #expect(try forward.encoded() == bytes)

    let header = headerText(of: bytes)
    let headerLength = header.utf8.count
    #expect(headerLength % 8 == 0)
    let trimmed = String(header.reversed().drop { $0 == " " }.reversed())
    #expect(header.count - trimmed.count < 8)
    #expect(trimmed.hasSuffix("}"))
    let expectedOrder = ["Z", "_", "a", "b", "c.10", "c.2", "é"]
    let positions = expectedOrder.map { header.range(of: "\"\($0)\":{")!.lowerBound }
    #expect(positions == positions.sorted())
    #expect(header.hasPrefix("{\"__metadata__\":{\"k1\":\"w\",\"k2\":\"v\"},\"Z\":{"))
    // Data in name order: Z is index 5, "_" index 6, then a = 1, b = 0, c.10 = 3, c.2 = 2, é = 4.
    let values = stride(from: 8 + headerLength, to: bytes.count, by: 4).map { Int(bytes[$0]) }
    #expect(values == [5, 6, 1, 0, 3, 2, 4])
  }

  @Test("byte-identical to the reference implementation's serializer on its own test vectors")
  func referenceVectors() throws {
    // An empty checkpoint: "{}" padded to 8 bytes.
    #expect(try SafeTensors().encoded() == fileBytes(header: "{}      "))

    // Metadata only.
    let metadataOnly = SafeTensors(metadata: ["framework": "pt"])
    #expect(try metadataOnly.encoded() == fileBytes(header: "{\"__metadata__\":{\"framework\":\"pt\"}}     "))

    // One F32 tensor of shape [1, 2, 3]: the 64-byte header needs no padding.
    let values: [Float] = [0, 1, 2, 3, 4, 5]
    let one = SafeTensors(tensors: ["attn.0": try StoredTensor(floats: values, shape: [1, 2, 3])])
    let header = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"
    #expect(header.utf8.count == 64)
    let data = values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    #expect(try one.encoded() == fileBytes(header: header, data: data))
  }

  @Test("a tensor named __metadata__ cannot be written")
  func reservedName() throws {
    let checkpoint = SafeTensors(tensors: ["__metadata__": try StoredTensor(floats: [1], shape: [1])])
    #expect(throws: CheckpointError.reservedName("__metadata__")) { try checkpoint.encoded() }
  }

  @Test("the reader accepts valid variations: whitespace, any data order, extra fields, null metadata")
  func lenientValidInputs() throws {
    // Tensors listed out of name order with data in reverse order, zero-size tensors at an
    // interior offset and at the end, tabs and newlines between tokens, an unknown field,
    // escaped names, trailing spaces, and null metadata.
    let header = """
      \t{ "__metadata__" : null,
        "b" : {"dtype":"U8","shape":[2],"data_offsets":[0,2], "extra": {"nested": [1, 2.5e3, null, true]}},
        "\\u00e9" : {"data_offsets":[3,3],"shape":[0],"dtype":"F32"},
        "a" : {"dtype":"U8","shape":[],"data_offsets":[2,3]},
        "z" : {"dtype":"I64","shape":[0,5],"data_offsets":[3,3]}
      }\r\n
      """ + "   "
    let decoded = try SafeTensors.decode(fileBytes(header: header, data: [7, 8, 9]))
    #expect(decoded.metadata.isEmpty)
    #expect(decoded.tensors.keys.sorted() == ["a", "b", "z", "é"])
    #expect(decoded.tensors["b"]?.bytes == Data([7, 8]))
    #expect(decoded.tensors["a"]?.bytes == Data([9]))
    #expect(decoded.tensors["a"]?.shape == [])
    #expect(decoded.tensors["é"]?.shape == [0])
    #expect(try decoded.tensors["z"]!.int64s() == [])

    // A Data slice with a non-zero start index decodes the same.
    let padded = Data([0xAA, 0xBB]) + fileBytes(header: header, data: [7, 8, 9])
    #expect(try SafeTensors.decode(padded[2...]) == decoded)
  }

  @Test("numbers in extra fields, before or after the shape and offsets, are ignored")
  func numbersInExtraFields() throws {
    // The shape and offsets are read from the header text; other numbers around them, out-of-range
    // (`1e400`), fractional or larger than Int, must not shift them.
    let header = """
      {"b": {"x": [7, 8e0, {"q": -1.5}], "data_offsets": [2, 8], "y": 1e400, "dtype": "U8", "shape": [2, 3]},
       "__metadata__": {"n": "1"},
       "a": {"dtype": "U8", "z": [[99999999999999999999], -0], "shape": [2], "data_offsets": [0, 2], "w": 0.5}}
      """
    let decoded = try SafeTensors.decode(fileBytes(header: header, data: Array(0..<8)))
    #expect(decoded.metadata == ["n": "1"])
    #expect(decoded.tensors["a"]?.shape == [2])
    #expect(decoded.tensors["a"]?.bytes == Data([0, 1]))
    #expect(decoded.tensors["b"]?.shape == [2, 3])
    #expect(decoded.tensors["b"]?.bytes == Data([2, 3, 4, 5, 6, 7]))
  }
}
