import Models

/// The state memory of one request as a function of its context: `fixed + perToken · n` bytes
/// for a request that has read `n` tokens. The engine's memory budget and admission control
/// count this, not the allocator's actual use.
///
/// Estimates per family (float32, 4 bytes a value):
/// - transformer: keys and values of every block, `perToken = 2 · depth · D · 4`, `fixed = 0`
///   (the positions stored; `KVCache` allocates capacity in doublings from 256 positions, so its
///   allocation can be up to about twice this, as a paged cache's last partial block would not);
/// - S4/S4D: `N/2` complex modes per channel and block, `fixed = depth · H · N · 4`, `perToken = 0`;
/// - GRU: one hidden vector per layer, `fixed = depth · H · 4`, `perToken = 0`.
public struct RequestMemory: Sendable, Equatable {
  /// Bytes held whatever the context.
  public var fixedBytes: Int
  /// Bytes added per token read.
  public var bytesPerToken: Int

  /// A memory model of `fixedBytes + bytesPerToken · n`.
  public init(fixedBytes: Int, bytesPerToken: Int) {
    self.fixedBytes = fixedBytes
    self.bytesPerToken = bytesPerToken
  }

  /// The estimate for `model`'s family (see the type's description).
  /// - Throws: ``ServingError/unknownStateSize(model:)`` for a model of another type.
  public init(estimatedFor model: some SequenceModel) throws {
    let floatBytes = MemoryLayout<Float>.size
    if let transformer = model as? TransformerModel {
      let c = transformer.configuration
      self.init(fixedBytes: 0, bytesPerToken: 2 * c.depth * c.width * floatBytes)
    } else if let s4 = model as? S4Model {
      let c = s4.configuration
      self.init(fixedBytes: c.depth * c.width * c.stateSize * floatBytes, bytesPerToken: 0)
    } else if let gru = model as? GRUModel {
      let c = gru.configuration
      self.init(fixedBytes: c.depth * c.width * floatBytes, bytesPerToken: 0)
    } else {
      throw ServingError.unknownStateSize(model: "\(type(of: model))")
    }
  }

  /// `fixed + perToken · tokens` bytes.
  public func bytes(forContext tokens: Int) -> Int { fixedBytes + bytesPerToken * tokens }
}
