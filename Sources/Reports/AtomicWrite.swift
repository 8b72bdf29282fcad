import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes `text` as UTF-8 to the file at `url` atomically: readers see either the old file or the
/// complete new one, never a partial write.
///
/// The text goes to a hidden temporary file in the destination's directory (so the final step is a
/// rename within one file system), which is flushed to disk and then renamed over the destination
/// with POSIX `rename(2)`, replacing any existing file. If anything fails the temporary file is
/// removed. The directory must already exist.
///
/// - Parameters:
///   - text: The file contents.
///   - url: A file URL for the destination.
/// - Throws: ``ReportError/fileWrite(path:reason:)`` naming the destination and the cause.
public func writeAtomically(_ text: String, to url: URL) throws {
  guard url.isFileURL else { throw ReportError.fileWrite(path: url.absoluteString, reason: "not a file URL") }
  let destination = url.standardizedFileURL
  let directory = destination.deletingLastPathComponent()
  let temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
  do {
    try Data(text.utf8).write(to: temporary, options: [.withoutOverwriting])
  } catch {
    try? FileManager.default.removeItem(at: temporary)
    throw ReportError.fileWrite(path: destination.path, reason: "\(error.localizedDescription)")
  }
  do {
    let handle = try FileHandle(forUpdating: temporary)
    defer { try? handle.close() }
    try handle.synchronize()
  } catch {
    try? FileManager.default.removeItem(at: temporary)
    throw ReportError.fileWrite(path: destination.path, reason: "cannot flush: \(error.localizedDescription)")
  }
  guard rename(temporary.path, destination.path) == 0 else {
    let reason = String(cString: strerror(errno))
    try? FileManager.default.removeItem(at: temporary)
    throw ReportError.fileWrite(path: destination.path, reason: reason)
  }
}
