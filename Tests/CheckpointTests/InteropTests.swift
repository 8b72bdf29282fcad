import Checkpoint
import Foundation
import Testing

/// Cross-checks with the Python `safetensors` package; the fixtures and the script that made
/// and checked them are in `Fixtures/` (see `Fixtures/fixtures.py`).
@Suite("Checkpoint interoperability")
struct InteropTests {
  private func fixture(_ name: String) throws -> URL {
    try #require(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures"))
  }

  @Test("reads exactly the values of a file written by Python safetensors")
  func readsPythonGolden() throws {
    let checkpoint = try SafeTensors.read(from: fixture("python_golden"))
    #expect(checkpoint.metadata == ["format": "np", "model": "s4d-tiny", "note": "ünïcode ✓ \"quoted\""])
    #expect(
      checkpoint.tensors.keys.sorted()
        == ["counts", "decoder.scale", "empty", "encoder.bias", "encoder.weight", "half", "mask", "step"])

    // numpy rounds each Python float (a binary64) to float32; so does Float(_: Double).
    let weight = try #require(checkpoint.tensors["encoder.weight"])
    #expect(weight.shape == [2, 3])
    let expectedWeight = [1.5, -0.25, 3.0, 0.1, -1e-8, 65504.0].map { Float($0) }
    #expect(try weight.floats().map(\.bitPattern) == expectedWeight.map(\.bitPattern))

    let bias = try #require(checkpoint.tensors["encoder.bias"])
    #expect(bias.shape == [])
    #expect(try bias.floats() == [0.5])

    let scale = try #require(checkpoint.tensors["decoder.scale"])
    #expect(scale.shape == [4])
    let expectedScale: [Double] = [.pi, -0.0, 1e-300, 2.5e300]
    #expect(try scale.doubles().map(\.bitPattern) == expectedScale.map(\.bitPattern))

    let step = try #require(checkpoint.tensors["step"])
    #expect(step.shape == [5])
    #expect(try step.int64s() == [.min, .max, -1, 0, 42])

    let half = try #require(checkpoint.tensors["half"])
    #expect(half.dtype == .f16 && half.shape == [4])
    #expect(Array(half.bytes) == [0x00, 0x3C, 0x00, 0xC1, 0xFF, 0x7B, 0x01, 0x00])
    #expect(try half.convertedFloats() == [1, -2.5, 65504, 0x1p-24])

    let empty = try #require(checkpoint.tensors["empty"])
    #expect(empty.dtype == .f32 && empty.shape == [0, 3] && empty.bytes.isEmpty)
    #expect(try empty.floats() == [])

    let counts = try #require(checkpoint.tensors["counts"])
    #expect(counts.dtype == .u8 && counts.shape == [2, 2] && Array(counts.bytes) == [1, 2, 3, 255])
    let mask = try #require(checkpoint.tensors["mask"])
    #expect(mask.dtype == .bool && mask.shape == [3] && Array(mask.bytes) == [1, 0, 1])

    // Python lays the data out by dtype alignment; re-encoding (name order) keeps every value.
    #expect(try SafeTensors.decode(checkpoint.encoded()) == checkpoint)
  }

  /// The checkpoint whose encoding `Fixtures/fixtures.py check` verified with Python safetensors.
  static func swiftSample() throws -> SafeTensors {
    let a = [-0.5, 0.25, 1e-3, 3.4028235e38, -0.0, 1.17549435e-38].map { Float($0) }
    return SafeTensors(
      tensors: [
        "layer.A": try StoredTensor(floats: a, shape: [2, 3]),
        "layer.log_dt": try StoredTensor(doubles: [-6.907755278982137, -2.302585092994046], shape: [2]),
        "step": try StoredTensor(int64s: [1_234_567_890_123], shape: []),
        "seen": try StoredTensor(uint64s: [0, .max], shape: [2]),
        "empty": try StoredTensor(floats: [], shape: [0, 4]),
        "ids": try StoredTensor(int32s: [-7, .max], shape: [1, 2]),
        "half": try StoredTensor(dtype: .f16, shape: [2], bytes: Data([0x00, 0x3C, 0x00, 0xC0])),
        "flags": try StoredTensor(dtype: .bool, shape: [2], bytes: Data([1, 0])),
      ],
      metadata: ["format": "pt", "producer": "swift-ssm Checkpoint", "unicode": "λ ✓"])
  }

  @Test("the encoder's bytes equal the fixture that Python safetensors verified")
  func swiftEncodedFixture() throws {
    let bytes = try InteropTests.swiftSample().encoded()
    let url = Bundle.module.url(forResource: "swift_encoded", withExtension: "safetensors", subdirectory: "Fixtures")
    let expected = try url.map { try Data(contentsOf: $0) }
    if expected != bytes {
      // Leave the actual bytes for inspection (and for `fixtures.py check` after review).
      let actual = FileManager.default.temporaryDirectory.appendingPathComponent("swift_encoded.safetensors")
      try bytes.write(to: actual)
      Issue.record("encoded bytes differ from Fixtures/swift_encoded.safetensors; actual bytes in \(actual.path)")
    }
    #expect(try SafeTensors.decode(bytes) == InteropTests.swiftSample())
  }
}
