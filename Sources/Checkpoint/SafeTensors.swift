import Foundation

/// A safetensors checkpoint in memory: named tensors plus string metadata.
///
/// ## File format
/// ```
/// [8 bytes]  N, UInt64 little-endian: the header length
/// [N bytes]  UTF-8 JSON object, optionally padded with trailing spaces:
///            {"__metadata__": {"key": "value", …},                        (optional)
///             "name": {"dtype": "F32", "shape": [d0, d1, …], "data_offsets": [begin, end]}, …}
/// [rest]     the data section: each tensor's bytes, row-major and little-endian, at
///            data_offsets relative to the start of the data section (end exclusive)
/// ```
/// Reading (``decode(_:)``, ``read(from:)``) is strict, like the reference implementation:
/// the header may be at most ``maximumHeaderLength`` bytes, every object key is unique, each
/// region holds exactly `product(shape) · dtype.byteSize` bytes, and the regions, sorted by
/// offset, tile the data section with no hole, overlap or trailing byte. Fields of a tensor
/// entry other than the three above are ignored. Any violation throws a ``CheckpointError``;
/// no input bytes can make decoding trap.
///
/// Writing (``encoded()``, ``write(to:)``) is deterministic: `__metadata__` first (omitted when
/// ``metadata`` is empty) with its keys sorted, then the tensors sorted by name (UTF-8 byte
/// order, i.e. code point order), their data laid out in that order with no gaps; the compact
/// JSON header is padded with spaces to a multiple of 8 bytes. Equal values give equal bytes.
///
/// Tensor names and metadata keys are Swift `String`s, so two keys that differ only in Unicode
/// normalization are the same key (and a header containing both is rejected as a duplicate).
public struct SafeTensors: Equatable, Sendable {
  /// The tensors by name. The name `__metadata__` is reserved and cannot be written.
  public var tensors: [String: StoredTensor]
  /// Free-form string metadata, stored as the header's `__metadata__` object.
  public var metadata: [String: String]

  /// The largest header accepted or written: 100 MiB.
  public static let maximumHeaderLength = 100 * 1024 * 1024

  /// A checkpoint with the given tensors and metadata (both empty by default).
  public init(tensors: [String: StoredTensor] = [:], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// Reads and decodes the file at `url` (a file URL).
  ///
  /// - Throws: ``CheckpointError/unreadableFile(path:reason:)`` when the file cannot be read,
  ///   otherwise the errors of ``decode(_:)``.
  public static func read(from url: URL) throws -> SafeTensors {
    try decode(FileIO.contents(of: url))
  }

  /// Encodes the checkpoint and atomically replaces the file at `url` (a file URL) with it.
  ///
  /// The bytes go to a new temporary file `.NAME.tmp-<pid>-<random>` in the same directory,
  /// which is flushed to disk (`fsync`) and then renamed over `url` (POSIX `rename`, atomic);
  /// the directory is then flushed too where the system allows. A concurrent reader therefore
  /// sees the old file or the new one, never a partial file. A file being replaced keeps its
  /// permission bits; a new one gets `0644` less the umask. If `url` is a symbolic link, the
  /// link itself is replaced. On any failure the temporary file is removed and the
  /// destination is left untouched.
  ///
  /// - Throws: the errors of ``encoded()`` (before touching the disk), or
  ///   ``CheckpointError/unwritableFile(path:reason:)``.
  public func write(to url: URL) throws {
    try FileIO.replaceAtomically(url, with: encoded())
  }
}
