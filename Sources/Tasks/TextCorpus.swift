import Foundation

/// A corpus of text documents, as bytes, read from a text file or a folder of text files.
///
/// **Files.** A file is split into documents by one of two rules, chosen per file:
/// - *fortune format* (Debian's `fortunes` data files, `strfile(1)`), when the file has at least one
///   separator line — a line consisting of exactly `%` (before its `\n`; a `\r` before the `\n` is
///   allowed): the documents are the bytes between separator lines (and before the first and after
///   the last), the separator lines themselves removed;
/// - *paragraphs* otherwise: the documents are the maximal runs of non-blank lines, a blank line
///   being one that holds nothing but spaces, tabs and `\r`; blank lines are removed.
///
/// A document keeps the exact bytes of its lines, each with its terminating `\n` (the last line
/// of a file may have none). Documents that are empty or hold only spaces, tabs, `\r` and `\n`
/// are dropped.
///
/// **Folders.** A folder is read recursively: every regular file whose name does not start with
/// `.`, in the byte order of the paths relative to the folder (so the order is the same on every
/// machine), each file read once — a symbolic link to a file already read is skipped (Debian's
/// `art.u8 → art`). Files that are not UTF-8 text (a NUL byte or invalid UTF-8) are skipped, which
/// leaves out the `strfile` indexes (`art.dat`, whose binary header holds NUL bytes). A single file
/// named explicitly must be text: otherwise ``TaskError/binaryCorpusFile(path:reason:)``.
///
/// The default corpus is Debian's fortunes, ``defaultPath`` (packages `fortunes` and
/// `fortunes-min`; Debian 12's `fortunes` gives 15 217 documents, 2 546 242 bytes).
///
/// ```swift
/// let corpus = try TextCorpus(contentsOf: TextCorpus.defaultPath)
/// print(corpus.documents.count, corpus.byteCount)
/// ```
public struct TextCorpus: Equatable, Sendable {
  /// Where Debian's `fortunes` package installs its data files: `/usr/share/games/fortunes`.
  public static let defaultPath = "/usr/share/games/fortunes"

  /// The documents, in reading order, each non-empty.
  public let documents: [[UInt8]]

  /// A corpus of the given documents; empty documents are dropped.
  /// - Throws: ``TaskError/emptyCorpus(source:)`` when no document is left.
  public init(documents: [[UInt8]]) throws {
    self.documents = documents.filter { !$0.isEmpty }
    guard !self.documents.isEmpty else { throw TaskError.emptyCorpus(source: "of in-memory documents") }
  }

  /// The corpus in the file or folder at `path` (see the reading rules above).
  /// - Throws: ``TaskError/corpusNotFound(path:)``, ``TaskError/corpusUnreadable(path:)``,
  ///   ``TaskError/binaryCorpusFile(path:reason:)`` for a named file that is not text, and
  ///   ``TaskError/emptyCorpus(source:)`` when no non-empty document is found.
  public init(contentsOf path: String) throws {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw TaskError.corpusNotFound(path: path)
    }
    var documents: [[UInt8]] = []
    if isFolder.boolValue {
      for contents in try Self.textFileContents(in: path) { documents += Self.documents(in: contents) }
    } else {
      let bytes = try Self.bytes(of: path)
      if let reason = Self.binaryReason(bytes) { throw TaskError.binaryCorpusFile(path: path, reason: reason) }
      documents = Self.documents(in: bytes)
    }
    guard !documents.isEmpty else { throw TaskError.emptyCorpus(source: path) }
    self.documents = documents
  }

  /// Bytes over all documents (separators not counted).
  public var byteCount: Int { documents.reduce(0) { $0 + $1.count } }

  /// The documents of one file's bytes, by the fortune-format or paragraph rule (see above);
  /// whitespace-only documents are dropped.
  public static func documents(in bytes: [UInt8]) -> [[UInt8]] {
    let lines = lineRanges(of: bytes)
    let isSeparator = lines.map { line in
      var content = bytes[line].dropLast(bytes[line].last == newline ? 1 : 0)
      if content.last == carriageReturn { content = content.dropLast() }
      return content.elementsEqual([percent])
    }
    // Fortune format: separator lines end documents; paragraphs: blank lines do.
    let ends = isSeparator.contains(true) ? isSeparator : lines.map { bytes[$0].allSatisfy(isWhitespace) }
    var documents: [[UInt8]] = []
    var current: [UInt8] = []
    for (line, isEnd) in zip(lines, ends) {
      if isEnd {
        documents.append(current)
        current = []
      } else {
        current += bytes[line]
      }
    }
    documents.append(current)
    return documents.filter { !$0.allSatisfy(isWhitespace) }
  }

  /// Why `bytes` are not UTF-8 text ("a NUL byte at offset k" or "invalid UTF-8"), or `nil` when
  /// they are.
  public static func binaryReason(_ bytes: [UInt8]) -> String? {
    if let offset = bytes.firstIndex(of: 0) { return "a NUL byte at offset \(offset)" }
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue: continue
      case .emptyInput: return nil
      case .error: return "invalid UTF-8"
      }
    }
  }

  private static let newline = UInt8(ascii: "\n")
  private static let carriageReturn = UInt8(ascii: "\r")
  private static let percent = UInt8(ascii: "%")

  /// Whether `byte` is a space, a tab, `\r` or `\n`.
  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == carriageReturn || byte == newline
  }

  /// The lines of `bytes`, each with its terminating `\n` (the last may have none; no empty last
  /// line after a final `\n`).
  private static func lineRanges(of bytes: [UInt8]) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var start = 0
    while start < bytes.count {
      let end = bytes[start...].firstIndex(of: newline).map { $0 + 1 } ?? bytes.count
      ranges.append(start..<end)
      start = end
    }
    return ranges
  }

  /// The contents of the file at `path`.
  private static func bytes(of path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw TaskError.corpusUnreadable(path: path) }
    return [UInt8](data)
  }

  /// The contents of the text files under `folder` (recursively), in the byte order of their
  /// paths relative to `folder`, each real file once, hidden names and non-text files skipped.
  private static func textFileContents(in folder: String) throws -> [[UInt8]] {
    guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
      throw TaskError.corpusUnreadable(path: folder)
    }
    var relativePaths: [String] = []
    while let relative = enumerator.nextObject() as? String {
      if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
      relativePaths.append(relative)
    }
    relativePaths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    var contents: [[UInt8]] = []
    var seen: Set<String> = []
    for relative in relativePaths {
      let path = (folder as NSString).appendingPathComponent(relative)
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
      let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
      guard seen.insert(real).inserted else { continue }
      let fileBytes = try bytes(of: path)
      if binaryReason(fileBytes) == nil { contents.append(fileBytes) }
    }
    return contents
  }
}
