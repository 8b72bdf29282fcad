import Foundation
import Tasks

// Bytes of the text task (`TextTask`: bytes 0–255 and the document separator 256) shown on a notebook's page.

/// A byte as a short readable label: printable ASCII as is (space as `␠`), others as hex, the separator as `⟨end⟩`.
public func byteLabel(_ token: Int) -> String {
  if token == TextTask.separator { return "⟨end⟩" }
  if token == 32 { return "␠" }
  if (33..<127).contains(token) { return String(UnicodeScalar(UInt8(token))) }
  return String(format: "0x%02X", token)
}

/// A run of backticks longer than any in `text`, and at least `minimum` long: a code fence `text` cannot close.
public func fence(around text: String, atLeast minimum: Int) -> String {
  var (longest, run) = (0, 0)
  for character in text {
    run = character == "`" ? run + 1 : 0
    longest = max(longest, run)
  }
  return String(repeating: "`", count: max(minimum, longest + 1))
}

/// `tokens` as a fenced block: bytes as UTF-8 (invalid sequences replaced), separators as `⟨end⟩`.
public func codeBlock(_ tokens: [Int]) -> String {
  let text = tokens.split(separator: TextTask.separator, omittingEmptySubsequences: false)
    .map { String(decoding: $0.map(UInt8.init), as: UTF8.self) }.joined(separator: "⟨end⟩")
  let delimiter = fence(around: text, atLeast: 3)
  return delimiter + "text\n" + text + "\n" + delimiter
}

/// `tokens` as an inline code span for a table cell: line breaks as `⏎`, tabs as `⇥`, other control characters
/// (and invalid UTF-8) as `�`, the separator as `⟨end⟩`; the fence is one backtick longer than any run inside.
public func inlineCode(_ tokens: [Int]) -> String {
  let shown = tokens.split(separator: TextTask.separator, omittingEmptySubsequences: false).map { bytes in
    String(decoding: bytes.map(UInt8.init), as: UTF8.self).unicodeScalars.map { scalar -> String in
      switch scalar {
      case "\n": "⏎"
      case "\t": "⇥"
      case _ where scalar.value < 32 || scalar.value == 127: "\u{FFFD}"
      default: String(scalar)
      }
    }.joined()
  }.joined(separator: "⟨end⟩")
  let delimiter = fence(around: shown, atLeast: 1)
  return delimiter + " " + shown + " " + delimiter
}
