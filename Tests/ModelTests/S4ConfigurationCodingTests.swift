import Foundation
import Models
import Testing

/// The checkpoint encoding of ``S4Model/Configuration``: every field older checkpoints may lack
/// decodes to its default when absent and to its value when present, and encoding writes every
/// field so that a configuration decodes to itself.
@Suite("S4 configurations in checkpoints")
struct S4ConfigurationCodingTests {
  /// The keys every encoded configuration holds, and the two written only when set.
  static let alwaysEncoded: Set<String> = [
    "vocabulary", "width", "depth", "stateSize", "dropout", "layer", "bidirectional", "normPosition", "meanPooling",
    "dtRange", "initialization", "blockOutput",
  ]
  static let encodedWhenSet: Set<String> = ["recurrentHorizon", "inputChannels"]

  static func decode(_ json: String) throws -> S4Model.Configuration {
    try JSONDecoder().decode(S4Model.Configuration.self, from: Data(json.utf8))
  }

  static func encodedKeys(_ configuration: S4Model.Configuration) throws -> Set<String> {
    let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration))
    return Set(try #require(object as? [String: Any]).keys)
  }

  // Only the required fields: every other one takes its documented default.
  @Test func absentFieldsTakeTheirDefaults() throws {
    let decoded = try Self.decode(#"{"vocabulary":7,"width":12,"depth":3,"stateSize":6,"dropout":0.25}"#)
    #expect(decoded.vocabulary == 7 && decoded.width == 12 && decoded.depth == 3 && decoded.stateSize == 6)
    #expect(decoded.dropout == 0.25)
    #expect(decoded.layer == .diagonal)
    #expect(decoded.bidirectional == false)
    #expect(decoded.kernelHorizon == nil)
    #expect(decoded.inputChannels == nil)
    #expect(decoded.normPosition == .pre)
    #expect(decoded.meanPooling == false)
    #expect(decoded.dtRange == [1e-3, 1e-1])
    #expect(decoded.initialization == .lin)
    #expect(decoded.blockOutput == .glu)
    #expect(decoded == S4Model.Configuration(vocabulary: 7, width: 12, depth: 3, stateSize: 6, dropout: 0.25))
    #expect(try Self.encodedKeys(decoded) == Self.alwaysEncoded)
    #expect(try JSONDecoder().decode(S4Model.Configuration.self, from: JSONEncoder().encode(decoded)) == decoded)
  }

  // Every field set to a value other than its default decodes to that value and round-trips.
  @Test func presentFieldsKeepTheirValues() throws {
    let decoded = try Self.decode(
      """
      {"vocabulary":3,"width":10,"depth":2,"stateSize":8,"dropout":0.5,"layer":"dplr","bidirectional":true,\
      "recurrentHorizon":40,"inputChannels":2,"normPosition":"post","meanPooling":true,"dtRange":[0.0001,0.05],\
      "initialization":"inv","blockOutput":"linear"}
      """)
    #expect(decoded.vocabulary == 3 && decoded.width == 10 && decoded.depth == 2 && decoded.stateSize == 8)
    #expect(decoded.dropout == 0.5)
    #expect(decoded.layer == .dplr)
    #expect(decoded.bidirectional == true)
    #expect(decoded.kernelHorizon == 40)
    #expect(decoded.inputChannels == 2)
    #expect(decoded.normPosition == .post)
    #expect(decoded.meanPooling == true)
    #expect(decoded.dtRange == [1e-4, 5e-2])
    #expect(decoded.initialization == .inv)
    #expect(decoded.blockOutput == .linear)
    #expect(try Self.encodedKeys(decoded) == Self.alwaysEncoded.union(Self.encodedWhenSet))
    #expect(try JSONDecoder().decode(S4Model.Configuration.self, from: JSONEncoder().encode(decoded)) == decoded)
  }

  // A field written as null reads as absent, as in configurations encoded with optional fields.
  @Test func nullFieldsTakeTheirDefaults() throws {
    let decoded = try Self.decode(
      #"{"vocabulary":4,"width":8,"depth":1,"stateSize":4,"dropout":0,"dtRange":null,"normPosition":null}"#)
    #expect(decoded == S4Model.Configuration(vocabulary: 4, width: 8, depth: 1, stateSize: 4))
  }

  // A missing required field or a value of an unknown kind is a decoding error naming the problem.
  @Test func malformedConfigurationsAreErrors() {
    for json in [
      #"{"vocabulary":4,"width":8,"depth":1,"stateSize":4}"#,
      #"{"vocabulary":4,"width":8,"depth":1,"stateSize":4,"dropout":0,"layer":"lstm"}"#,
      #"{"vocabulary":4,"width":8,"depth":1,"stateSize":4,"dropout":0,"dtRange":"wide"}"#,
    ] {
      #expect(throws: DecodingError.self, "\(json)") { _ = try Self.decode(json) }
    }
  }
}
