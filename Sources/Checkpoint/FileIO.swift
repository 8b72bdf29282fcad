import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file reads and atomic whole-file replacement with POSIX calls, reporting the
/// system's reason (`strerror`) on failure.
enum FileIO {
  /// The contents of the regular file at `url`.
  ///
  /// - Throws: ``CheckpointError/unreadableFile(path:reason:)``.
  static func contents(of url: URL) throws -> Data {
    guard url.isFileURL else {
      throw CheckpointError.unreadableFile(path: url.absoluteString, reason: "not a file URL")
    }
    let path = url.path
    func failure(_ step: String, _ code: Int32) -> CheckpointError {
      .unreadableFile(path: path, reason: "\(step): \(String(cString: strerror(code)))")
    }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw failure("open", errno) }
    defer { _ = close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw failure("fstat", errno) }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw CheckpointError.unreadableFile(path: path, reason: "not a regular file")
    }

    var data = Data()
    data.reserveCapacity(Int(clamping: status.st_size))
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        let code = errno
        if code == EINTR { continue }
        throw failure("read", code)
      }
      if count == 0 { return data }
      data.append(contentsOf: chunk[0..<count])
    }
  }

  /// Replaces the file at `url` with `data` atomically (see ``SafeTensors/write(to:)``).
  ///
  /// - Throws: ``CheckpointError/unwritableFile(path:reason:)``; the temporary file is removed.
  static func replaceAtomically(_ url: URL, with data: Data) throws {
    guard url.isFileURL else {
      throw CheckpointError.unwritableFile(path: url.absoluteString, reason: "not a file URL")
    }
    let path = url.path
    let directory = url.deletingLastPathComponent()
    let name = url.lastPathComponent
    // Keep the temporary name well below NAME_MAX (255 bytes) for long destination names.
    let stem = name.utf8.count <= 200 ? name : "checkpoint"
    let random = String(UInt64.random(in: .min ... .max), radix: 16)
    let temporary = directory.appendingPathComponent(".\(stem).tmp-\(getpid())-\(random)").path
    func failure(_ step: String, _ code: Int32) -> CheckpointError {
      .unwritableFile(path: path, reason: "\(step): \(String(cString: strerror(code)))")
    }

    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw failure("cannot create a temporary file", errno) }
    var openDescriptor: Int32? = descriptor
    var renamed = false
    defer {
      if let openDescriptor { _ = close(openDescriptor) }
      if !renamed { _ = unlink(temporary) }
    }

    // A replaced file keeps its permission bits.
    var existing = stat()
    if stat(path, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG {
      _ = fchmod(descriptor, existing.st_mode & 0o7777)
    }
    try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
      var offset = 0
      while offset < buffer.count {
        let count = write(descriptor, buffer.baseAddress! + offset, min(buffer.count - offset, 1 << 30))
        if count < 0 {
          let code = errno
          if code == EINTR { continue }
          throw failure("write", code)
        }
        guard count > 0 else { throw CheckpointError.unwritableFile(path: path, reason: "write: no progress") }
        offset += count
      }
    }
    guard fsync(descriptor) == 0 else { throw failure("fsync", errno) }
    openDescriptor = nil
    guard close(descriptor) == 0 else { throw failure("close", errno) }
    guard rename(temporary, path) == 0 else { throw failure("rename", errno) }
    renamed = true

    // Make the rename itself durable; not every file system allows fsync on a directory.
    let directoryDescriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directoryDescriptor >= 0 {
      _ = fsync(directoryDescriptor)
      _ = close(directoryDescriptor)
    }
  }
}
