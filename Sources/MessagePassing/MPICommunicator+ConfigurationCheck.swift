import CMPI

extension MPICommunicator {
  /// Checks that every process was started with the same run configuration: each hashes its
  /// `description` (the bytes that define its run; FNV-1a, 64 bits), the hashes are exchanged
  /// (`MPI_Allgather`), and every process throws the same error when any differs from rank 0's,
  /// so all stop together before training.
  /// - Throws: ``MessagePassingError/configurationMismatch(ranks:)`` naming the differing ranks,
  ///   ``MessagePassingError/call(_:code:)`` when MPI fails.
  public func checkSameConfiguration(_ description: [UInt8]) throws {
    var hash = Self.fnv1a(description)
    var hashes = [UInt64](repeating: 0, count: processCount)
    let code = hashes.withUnsafeMutableBufferPointer { all in
      MPI_Allgather(&hash, 1, ssm_mpi_uint64(), all.baseAddress, 1, ssm_mpi_uint64(), world)
    }
    try Self.check(code, "MPI_Allgather")
    let differing = hashes.indices.filter { hashes[$0] != hashes[0] }
    guard differing.isEmpty else { throw MessagePassingError.configurationMismatch(ranks: differing) }
  }

  /// The 64-bit FNV-1a hash of `bytes`: `h ← (h ⊕ byte) · 1099511628211` from `14695981039346656037`.
  static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
  }
}
