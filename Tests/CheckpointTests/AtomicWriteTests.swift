import Checkpoint
import Foundation
import TestSupport
import Testing

@Suite("Checkpoint files and atomic writes")
struct AtomicWriteTests {
  @Test("write then read returns the same checkpoint; no temporary file remains")
  func writeAndRead() throws {
    let directory = try makeTemporaryDirectory("checkpoint-tests")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.safetensors")
    let checkpoint = try sampleCheckpoint()
    try checkpoint.write(to: url)
    #expect(try SafeTensors.read(from: url) == checkpoint)
    #expect(try Data(contentsOf: url) == checkpoint.encoded())
    #expect(try listing(directory) == ["model.safetensors"])
  }

  @Test("overwriting replaces the contents, keeps the permission bits and leaves no temporary file")
  func overwrite() throws {
    let directory = try makeTemporaryDirectory("checkpoint-tests")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.safetensors")
    let old = try sampleCheckpoint()
    try old.write(to: url)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)

    var new = old
    new.tensors["extra"] = try StoredTensor(floats: Array(repeating: 7, count: 1000), shape: [10, 100])
    new.metadata["step"] = "13"
    try new.write(to: url)
    #expect(try SafeTensors.read(from: url) == new)
    #expect(try listing(directory) == ["model.safetensors"])
    let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
    #expect(permissions == 0o600)
  }

  @Test("a concurrent reader always sees the old or the new file, never a partial one")
  func concurrentReader() async throws {
    let directory = try makeTemporaryDirectory("checkpoint-tests")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.safetensors")
    let small = try sampleCheckpoint()
    var largeTensors = small.tensors
    largeTensors["big"] = try StoredTensor(doubles: (0..<50_000).map(Double.init), shape: [50_000])
    let large = SafeTensors(tensors: largeTensors, metadata: small.metadata)
    try small.write(to: url)

    // The writer alternates the two versions until the reader has finished all its reads, so
    // every read overlaps the writes however the two tasks are scheduled.
    let readerDone = Flag()
    let reader = Task.detached { () -> Int in
      var bad = 0
      for _ in 0..<200 {
        let seen = try? SafeTensors.read(from: url)
        if seen != small && seen != large { bad += 1 }
      }
      readerDone.set()
      return bad
    }
    var writes = 0
    while !readerDone.isSet || writes < 2 {
      try (writes % 2 == 0 ? large : small).write(to: url)
      writes += 1
    }
    let bad = await reader.value
    #expect(bad == 0, "\(bad) of 200 reads saw neither version (\(writes) writes)")
    #expect(try SafeTensors.read(from: url) == (writes % 2 == 1 ? large : small))
    #expect(try listing(directory) == ["model.safetensors"])
  }

  @Test("a write into a missing directory throws and creates nothing")
  func missingDirectory() throws {
    let directory = try makeTemporaryDirectory("checkpoint-tests")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("missing/model.safetensors")
    let error = #expect(throws: CheckpointError.self) { try sampleCheckpoint().write(to: url) }
    guard case .unwritableFile(let path, let reason)? = error else {
      Issue.record("expected unwritableFile, got \(String(describing: error))")
      return
    }
    #expect(path == url.path)
    #expect(reason.hasPrefix("cannot create a temporary file: "), "\(reason)")
    #expect(try listing(directory) == [])
  }

  @Test("a failed rename (the destination is a directory) throws and removes the temporary file")
  func failedRename() throws {
    let directory = try makeTemporaryDirectory("checkpoint-tests")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.safetensors")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    let error = #expect(throws: CheckpointError.self) { try sampleCheckpoint().write(to: url) }
    guard case .unwritableFile(_, let reason)? = error else {
      Issue.record("expected unwritableFile, got \(String(describing: error))")
      return
    }
    #expect(reason.hasPrefix("rename: "), "\(reason)")
    #expect(try listing(directory) == ["model.safetensors"])
    #expect(try listing(url) == [])
  }

  @Test("an encoding error leaves the existing file untouched")
  func encodingErrorKeepsFile() throws {
    let directory = try makeTemporaryDirectory("checkpoint-tests")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.safetensors")
    let old = try sampleCheckpoint()
    try old.write(to: url)
    var bad = old
    bad.tensors["__metadata__"] = try StoredTensor(floats: [1], shape: [1])
    #expect(throws: CheckpointError.reservedName("__metadata__")) { try bad.write(to: url) }
    #expect(try SafeTensors.read(from: url) == old)
    #expect(try listing(directory) == ["model.safetensors"])
  }

  @Test("reading a missing file, a directory or a non-file URL throws unreadableFile")
  func unreadable() throws {
    let directory = try makeTemporaryDirectory("checkpoint-tests")
    defer { try? FileManager.default.removeItem(at: directory) }
    let missing = directory.appendingPathComponent("absent.safetensors")
    #expect(throws: CheckpointError.unreadableFile(path: missing.path, reason: "open: No such file or directory")) {
      try SafeTensors.read(from: missing)
    }
    #expect(throws: CheckpointError.unreadableFile(path: directory.path, reason: "not a regular file")) {
      try SafeTensors.read(from: directory)
    }
    let web = try #require(URL(string: "https://example.com/model.safetensors"))
    #expect(throws: CheckpointError.unreadableFile(path: web.absoluteString, reason: "not a file URL")) {
      try SafeTensors.read(from: web)
    }
    // A file that exists but is not a checkpoint: the decoding error comes through.
    let short = directory.appendingPathComponent("short.safetensors")
    try Data([1, 2, 3]).write(to: short)
    #expect(throws: CheckpointError.fileTooShort(byteCount: 3)) { try SafeTensors.read(from: short) }
  }
}

/// A flag shared between tasks.
private final class Flag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false

  var isSet: Bool {
    lock.lock()
    defer { lock.unlock() }
    return value
  }

  func set() {
    lock.lock()
    value = true
    lock.unlock()
  }
}
