import Foundation

/// A fresh path `<system temporary directory>/<prefix>-<UUID>` where nothing exists yet (nothing is created): unique
/// per call, so tests running in parallel never share a file or folder. The caller removes what it writes there.
public func temporaryPath(_ prefix: String) -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
}

/// A fresh empty directory at ``temporaryPath(_:)``, created; the caller removes it.
public func makeTemporaryDirectory(_ prefix: String) throws -> URL {
  let url = temporaryPath(prefix)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
