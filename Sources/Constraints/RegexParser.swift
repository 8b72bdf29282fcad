/// A recursive-descent parser of the regular-expression syntax that has a finite automaton, with
/// Python `re` (flag `re.ASCII`) semantics for every construct it accepts, so that Python's
/// `re.fullmatch` is an independent reference for it.
///
/// Accepted: literals (any Unicode scalar, compiled to its UTF-8 bytes); `.` (any character but
/// `\n`); classes `[abc]`, ranges `[a-z]`, negated classes `[^…]` (a `]` right after `[` or `[^`
/// and a `-` first or last are literals); `\d \D \w \W \s \S` (ASCII: `[0-9]`, `[a-zA-Z0-9_]`,
/// `[ \t\n\r\f\v]`); `\n \t \r \f \v`, `\xHH`, `\uHHHH`, `\UHHHHHHHH`; escaped punctuation;
/// alternation `|`; groups `(…)`, `(?:…)`, `(?P<name>…)`; quantifiers `? * + {m} {m,} {,n} {m,n}`,
/// lazy or not (the same language); a `{` that starts no quantifier is a literal; `^` as the first
/// and `$` as the last character (the whole pattern must match anyway).
///
/// Rejected with ``ConstraintError/unsupportedSyntax(construct:position:)``: backreferences,
/// lookahead and lookbehind, anchors and word boundaries elsewhere, inline flags, atomic groups,
/// possessive quantifiers, octal escapes.
struct RegexParser {
  /// Repetition bounds above this are rejected (each repetition copies the automaton).
  static let maximumRepetition = 1000

  private let scalars: [Unicode.Scalar]
  private var index = 0

  private init(_ pattern: String) { scalars = Array(pattern.unicodeScalars) }

  /// The syntax tree of `pattern`.
  static func parse(_ pattern: String) throws -> RegexNode {
    var parser = RegexParser(pattern)
    if parser.peek == "^" { parser.index += 1 }
    let node = try parser.parseAlternation()
    if parser.index < parser.scalars.count {
      // Only an unmatched `)` stops the top-level alternation early.
      throw ConstraintError.invalidSyntax("unbalanced parenthesis", position: parser.index)
    }
    return node
  }

  private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

  private mutating func parseAlternation() throws -> RegexNode {
    var branches = [try parseConcatenation()]
    while peek == "|" {
      index += 1
      branches.append(try parseConcatenation())
    }
    return branches.count == 1 ? branches[0] : .alternation(branches)
  }

  private mutating func parseConcatenation() throws -> RegexNode {
    var items: [RegexNode] = []
    while let scalar = peek, scalar != "|", scalar != ")" {
      if scalar == "$" {
        guard index == scalars.count - 1 else {
          throw ConstraintError.unsupportedSyntax(construct: "anchor $ inside the pattern", position: index)
        }
        index += 1
        break
      }
      items.append(try parseQuantified())
    }
    return items.count == 1 ? items[0] : items.isEmpty ? .empty : .concatenation(items)
  }

  private mutating func parseQuantified() throws -> RegexNode {
    var node = try parseAtom()
    var quantified = false
    while let scalar = peek {
      let start = index
      let bounds: (Int, Int?)
      switch scalar {
      case "*": bounds = (0, nil)
      case "+": bounds = (1, nil)
      case "?": bounds = (0, 1)
      case "{":
        guard let counted = try parseBraces() else { return node }
        bounds = counted
      default: return node
      }
      index += 1
      if quantified {
        let construct = scalar == "+" ? "possessive quantifier" : "multiple repeat \(scalar)"
        throw ConstraintError.unsupportedSyntax(construct: construct, position: start)
      }
      if peek == "?" { index += 1 }  // lazy: the same language
      if peek == "+" {
        throw ConstraintError.unsupportedSyntax(construct: "possessive quantifier", position: index)
      }
      node = .repetition(node, minimum: bounds.0, maximum: bounds.1)
      quantified = true
    }
    return node
  }

  /// `{m}`, `{m,}`, `{,n}` or `{m,n}` at the current `{`, leaving the index on its `}`; `nil` (index
  /// unchanged) when the brace starts no quantifier and is a literal.
  private mutating func parseBraces() throws -> (Int, Int?)? {
    let start = index
    var cursor = index + 1
    func number() -> Int? {
      var digits = ""
      while cursor < scalars.count, ("0"..."9").contains(scalars[cursor]) {
        digits.unicodeScalars.append(scalars[cursor])
        cursor += 1
      }
      return digits.isEmpty ? nil : Int(digits) ?? Int.max
    }
    let minimum = number()
    var maximum = minimum
    if cursor < scalars.count, scalars[cursor] == "," {
      cursor += 1
      maximum = number()
    } else if minimum == nil {
      return nil
    }
    guard cursor < scalars.count, scalars[cursor] == "}" else { return nil }
    for bound in [minimum, maximum].compactMap({ $0 }) where bound > Self.maximumRepetition {
      throw ConstraintError.tooLarge("repetition bound \(bound) at character \(start) above \(Self.maximumRepetition)")
    }
    if let minimum, let maximum, minimum > maximum {
      throw ConstraintError.invalidSyntax(
        "repetition {\(minimum),\(maximum)} with minimum above maximum", position: start)
    }
    index = cursor
    return (minimum ?? 0, maximum)
  }

  private mutating func parseAtom() throws -> RegexNode {
    let start = index
    let scalar = scalars[index]
    index += 1
    switch scalar {
    case "(": return try parseGroup(start: start)
    case "[": return .scalars(try parseClass(start: start))
    case ".": return .scalars(ScalarSet(scalar: 0x0A).complement)
    case "\\": return .scalars(try parseEscape(start: start, inClass: false))
    case "*", "+", "?": throw ConstraintError.invalidSyntax("nothing to repeat before \(scalar)", position: start)
    case "^": throw ConstraintError.unsupportedSyntax(construct: "anchor ^ inside the pattern", position: start)
    default: return .scalars(ScalarSet(scalar: scalar.value))
    }
  }

  private mutating func parseGroup(start: Int) throws -> RegexNode {
    if peek == "?" {
      let rest = String(String.UnicodeScalarView(scalars[index..<min(index + 3, scalars.count)]))
      if rest.hasPrefix("?:") {
        index += 2
      } else if rest.hasPrefix("?P<") {
        guard let close = scalars[index...].firstIndex(of: ">") else {
          throw ConstraintError.invalidSyntax("unterminated group name", position: start)
        }
        index = close + 1
      } else {
        let construct =
          rest.hasPrefix("?=") || rest.hasPrefix("?!")
          ? "lookahead"
          : rest.hasPrefix("?<=") || rest.hasPrefix("?<!")
            ? "lookbehind"
            : rest.hasPrefix("?P=")
              ? "named backreference"
              : rest.hasPrefix("?#")
                ? "comment group" : rest.hasPrefix("?>") ? "atomic group" : "inline flags or extension (?…)"
        throw ConstraintError.unsupportedSyntax(construct: construct, position: start)
      }
    }
    let node = try parseAlternation()
    guard peek == ")" else { throw ConstraintError.invalidSyntax("missing ), unterminated group", position: start) }
    index += 1
    return node
  }

  private mutating func parseClass(start: Int) throws -> ScalarSet {
    let negated = peek == "^"
    if negated { index += 1 }
    var members: [ClosedRange<UInt32>] = []
    var first = true
    while true {
      guard let scalar = peek else {
        throw ConstraintError.invalidSyntax("unterminated character class", position: start)
      }
      if scalar == "]" && !first {
        index += 1
        break
      }
      first = false
      let itemStart = index
      let low = try parseClassItem()
      if peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
        index += 1
        let highStart = index
        let high = try parseClassItem()
        guard let lowScalar = single(low), let highScalar = single(high) else {
          throw ConstraintError.invalidSyntax("bad character range (a class escape as an end)", position: itemStart)
        }
        guard lowScalar <= highScalar else {
          throw ConstraintError.invalidSyntax("bad character range, end below start", position: highStart)
        }
        members.append(lowScalar...highScalar)
      } else {
        members += low.ranges
      }
    }
    let set = ScalarSet(members)
    return negated ? set.complement : set
  }

  private func single(_ set: ScalarSet) -> UInt32? {
    set.ranges.count == 1 && set.ranges[0].count == 1 ? set.ranges[0].lowerBound : nil
  }

  private mutating func parseClassItem() throws -> ScalarSet {
    let start = index
    let scalar = scalars[index]
    index += 1
    return scalar == "\\" ? try parseEscape(start: start, inClass: true) : ScalarSet(scalar: scalar.value)
  }

  /// The characters of the escape whose backslash is at `start` (the index is past it).
  private mutating func parseEscape(start: Int, inClass: Bool) throws -> ScalarSet {
    guard let scalar = peek else { throw ConstraintError.invalidSyntax("pattern ends with \\", position: start) }
    index += 1
    let digits = ScalarSet([0x30...0x39])
    let word = ScalarSet([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    let space = ScalarSet([0x09...0x0D, 0x20...0x20])
    switch scalar {
    case "d": return digits
    case "D": return digits.complement
    case "w": return word
    case "W": return word.complement
    case "s": return space
    case "S": return space.complement
    case "n": return ScalarSet(scalar: 0x0A)
    case "t": return ScalarSet(scalar: 0x09)
    case "r": return ScalarSet(scalar: 0x0D)
    case "f": return ScalarSet(scalar: 0x0C)
    case "v": return ScalarSet(scalar: 0x0B)
    case "b" where inClass: return ScalarSet(scalar: 0x08)
    case "x": return ScalarSet(scalar: try parseHex(digits: 2, start: start))
    case "u": return ScalarSet(scalar: try parseHex(digits: 4, start: start))
    case "U": return ScalarSet(scalar: try parseHex(digits: 8, start: start))
    case "0": throw ConstraintError.unsupportedSyntax(construct: "octal escape \\0", position: start)
    case "1"..."9": throw ConstraintError.unsupportedSyntax(construct: "backreference \\\(scalar)", position: start)
    case "b", "B", "A", "Z", "z", "G":
      throw ConstraintError.unsupportedSyntax(construct: "anchor or word boundary \\\(scalar)", position: start)
    case "a"..."z", "A"..."Z": throw ConstraintError.invalidSyntax("unknown escape \\\(scalar)", position: start)
    default: return ScalarSet(scalar: scalar.value)
    }
  }

  private mutating func parseHex(digits count: Int, start: Int) throws -> UInt32 {
    guard index + count <= scalars.count,
      let value = UInt32(String(String.UnicodeScalarView(scalars[index..<(index + count)])), radix: 16)
    else { throw ConstraintError.invalidSyntax("escape needs \(count) hexadecimal digits", position: start) }
    guard value <= ScalarSet.maximumCodePoint, !(0xD800...0xDFFF).contains(value) else {
      throw ConstraintError.invalidSyntax(
        "escape names no Unicode scalar (surrogate or above U+10FFFF)", position: start)
    }
    index += count
    return value
  }
}
