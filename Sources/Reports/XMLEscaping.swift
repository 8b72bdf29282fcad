/// Escapes `text` for use in XML character data and in double- or single-quoted attribute values.
///
/// `&`, `<`, `>`, `"` and `'` become entity references. Characters that XML 1.0 forbids
/// outright (C0 controls other than tab, line feed and carriage return, and U+FFFE/U+FFFF) cannot
/// be escaped and are dropped, so the output is always well-formed.
func xmlEscaped(_ text: String) -> String {
  var result = ""
  result.reserveCapacity(text.utf8.count)
  for scalar in text.unicodeScalars {
    switch scalar {
    case "&": result += "&amp;"
    case "<": result += "&lt;"
    case ">": result += "&gt;"
    case "\"": result += "&quot;"
    case "'": result += "&apos;"
    case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
    default:
      if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
      result.unicodeScalars.append(scalar)
    }
  }
  return result
}
