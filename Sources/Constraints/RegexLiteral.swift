/// Regular-expression text for literal strings and choices (``RegexParser`` and Python `re`
/// syntax alike).
public enum RegexLiteral {
  /// `text` with every regex metacharacter backslash-escaped, so that the pattern matches exactly
  /// `text`.
  public static func escaped(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
      if "\\.^$|?*+()[]{}-".unicodeScalars.contains(scalar) { result += "\\" }
      if scalar == "\n" {
        result += "\\n"
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// A pattern that matches exactly one of `choices`.
  public static func choice(_ choices: [String]) -> String {
    "(?:" + choices.map(escaped).joined(separator: "|") + ")"
  }
}
