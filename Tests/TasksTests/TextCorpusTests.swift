import Foundation
import Tasks
import TestSupport
import Testing

/// The bytes of a string's UTF-8.
func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("Text corpus reader")
struct TextCorpusTests {
  // Fortune format: `%` lines separate documents and are removed; each document keeps its lines
  // with their newlines; an empty document (two separators in a row) and a whitespace-only one
  // are dropped; a `%` inside a line or `%%` is text; CRLF separators count.
  @Test func fortuneFormat() {
    let file = "one\ntwo lines\n%\nthree 100%\n%%\n%\n%\n  \n%\r\nlast, no newline"
    #expect(
      TextCorpus.documents(in: utf8(file)) == [
        utf8("one\ntwo lines\n"), utf8("three 100%\n%%\n"), utf8("last, no newline"),
      ])
    // A file that ends with a separator has no trailing document.
    #expect(TextCorpus.documents(in: utf8("a\n%\nb\n%\n")) == [utf8("a\n"), utf8("b\n")])
  }

  // Without `%` lines, documents are paragraphs: runs of non-blank lines; blank lines (spaces,
  // tabs, CR only) separate them and are removed.
  @Test func paragraphs() {
    let file = "\n\nfirst line\nsecond line\n\n \t\r\nnext paragraph\n\n\n% not a separator\nend"
    #expect(
      TextCorpus.documents(in: utf8(file)) == [
        utf8("first line\nsecond line\n"), utf8("next paragraph\n"), utf8("% not a separator\nend"),
      ])
    #expect(TextCorpus.documents(in: utf8("one paragraph only")) == [utf8("one paragraph only")])
    #expect(TextCorpus.documents(in: utf8("\n \n\t\n")).isEmpty)
  }

  // A folder: files read recursively in the byte order of their relative paths, a `strfile`
  // index (.dat, binary header) and other binary files skipped, a symbolic link to a file read
  // once, hidden files skipped, and fortune and paragraph files mixed.
  @Test func folderReading() throws {
    let folder = try makeTemporaryDirectory("text-corpus")
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data("b1\n%\nb2\n".utf8).write(to: folder.appendingPathComponent("b"))
    // The strfile header: version 2, count, longest, shortest, flags (big-endian UInt32), delimiter.
    try Data([0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 0, 0x25, 0, 0, 0]).write(
      to: folder.appendingPathComponent("b.dat"))
    try FileManager.default.createSymbolicLink(
      atPath: folder.appendingPathComponent("b.u8").path, withDestinationPath: "b")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("a/nested"), withIntermediateDirectories: true)
    try Data("para one\n\npara two\n".utf8).write(to: folder.appendingPathComponent("a/nested/text"))
    try Data("c1\n%\n".utf8).write(to: folder.appendingPathComponent("c"))
    try Data([0xC3, 0x28, 0x0A]).write(to: folder.appendingPathComponent("invalid-utf8"))
    try Data("hidden\n".utf8).write(to: folder.appendingPathComponent(".hidden"))
    let corpus = try TextCorpus(contentsOf: folder.path)
    // "a/nested/text" < "b" < "b.dat" < "b.u8" < "c" < "invalid-utf8" byte-wise.
    #expect(
      corpus.documents == [utf8("para one\n"), utf8("para two\n"), utf8("b1\n"), utf8("b2\n"), utf8("c1\n")])
    #expect(corpus.byteCount == 9 + 9 + 3 + 3 + 3)
  }

  // Errors: a missing path (the default path's message says how to install it), a named binary
  // file (NUL byte, invalid UTF-8), an empty corpus (file or folder), empty in-memory documents.
  @Test func errors() throws {
    let folder = try makeTemporaryDirectory("text-corpus")
    defer { try? FileManager.default.removeItem(at: folder) }
    let missing = folder.appendingPathComponent("missing").path
    #expect(throws: TaskError.corpusNotFound(path: missing)) { _ = try TextCorpus(contentsOf: missing) }
    #expect(!TaskError.corpusNotFound(path: missing).description.contains("apt-get"))
    #expect(TaskError.corpusNotFound(path: TextCorpus.defaultPath).description.contains("apt-get install fortunes"))

    let nul = folder.appendingPathComponent("nul").path
    try Data([0x61, 0x00, 0x62]).write(to: URL(fileURLWithPath: nul))
    #expect(throws: TaskError.binaryCorpusFile(path: nul, reason: "a NUL byte at offset 1")) {
      _ = try TextCorpus(contentsOf: nul)
    }
    let invalid = folder.appendingPathComponent("invalid").path
    try Data([0x61, 0xFF, 0x62]).write(to: URL(fileURLWithPath: invalid))
    #expect(throws: TaskError.binaryCorpusFile(path: invalid, reason: "invalid UTF-8")) {
      _ = try TextCorpus(contentsOf: invalid)
    }

    let blank = folder.appendingPathComponent("blank").path
    try Data("%\n \n%\n\n".utf8).write(to: URL(fileURLWithPath: blank))
    #expect(throws: TaskError.emptyCorpus(source: blank)) { _ = try TextCorpus(contentsOf: blank) }
    let binaryOnly = folder.appendingPathComponent("binary-only")
    try FileManager.default.createDirectory(at: binaryOnly, withIntermediateDirectories: true)
    try Data([0, 1, 2]).write(to: binaryOnly.appendingPathComponent("x.dat"))
    #expect(throws: TaskError.emptyCorpus(source: binaryOnly.path)) { _ = try TextCorpus(contentsOf: binaryOnly.path) }
    #expect(throws: TaskError.self) { _ = try TextCorpus(documents: [[], []]) }
    #expect(try TextCorpus(documents: [[], [65]]).documents == [[65]])
  }

  // UTF-8 validation against Swift's own decoder on valid text and on classic invalid sequences
  // (overlong encoding, lone continuation byte, surrogate, truncated sequence, code point > 10FFFF).
  @Test func utf8Validation() {
    #expect(TextCorpus.binaryReason(utf8("héllo, 世界 🎉")) == nil)
    for invalid: [UInt8] in [[0xC0, 0xAF], [0x80], [0xED, 0xA0, 0x80], [0xE4, 0xB8], [0xF4, 0x90, 0x80, 0x80]] {
      #expect(TextCorpus.binaryReason(invalid) == "invalid UTF-8", "\(invalid)")
    }
  }

  // The installed fortunes: documents and bytes equal a recount of the raw files written with
  // Foundation's line splitting (the files without the .dat / .u8 suffixes; each `%` line ends a
  // document, a line contributes its UTF-8 bytes plus its newline). A Python reading of the same
  // files with the same rule gave 15 217 documents and 2 546 242 bytes for Debian 12's fortunes.
  @Test func defaultCorpus() throws {
    guard FileManager.default.fileExists(atPath: TextCorpus.defaultPath) else {
      print("skipped: \(TextCorpus.defaultPath) is missing (apt-get install fortunes)")
      return
    }
    let corpus = try TextCorpus(contentsOf: TextCorpus.defaultPath)
    let names = try FileManager.default.contentsOfDirectory(atPath: TextCorpus.defaultPath).filter {
      !$0.hasSuffix(".dat") && !$0.hasSuffix(".u8") && !$0.hasPrefix(".")
    }
    var documents = 0
    var bytes = 0
    for name in names {
      let text = try String(contentsOfFile: TextCorpus.defaultPath + "/" + name, encoding: .utf8)
      var lines = text.components(separatedBy: "\n")
      let endsWithNewline = lines.last == ""
      if endsWithNewline { lines.removeLast() }
      #expect(lines.contains("%"), "\(name) is not in fortune format")
      var current = 0
      var blank = true
      for (index, line) in lines.enumerated() {
        if line == "%" {
          if !blank { (documents, bytes) = (documents + 1, bytes + current) }
          (current, blank) = (0, true)
        } else {
          current += line.utf8.count + (index == lines.count - 1 && !endsWithNewline ? 0 : 1)
          blank = blank && line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
        }
      }
      if !blank { (documents, bytes) = (documents + 1, bytes + current) }
    }
    #expect(corpus.documents.count == documents)
    #expect(corpus.byteCount == bytes)
    print("fortunes corpus: \(corpus.documents.count) documents, \(corpus.byteCount) bytes")
  }
}
