/// The tokens of ``ListOpsTask`` (Long Range Arena spelling: an opening bracket fused with its
/// operator, `[MAX`, and a shared closing bracket `]`).
///
/// Token ids: digits `0 … 9` are ids `0 … 9` (so a digit's id is its value and its class);
/// `[MAX` 10, `[MIN` 11, `[MED` 12, `[SM` 13, `]` 14, padding 15 (vocabulary 16).
public enum ListOpsToken {
  /// `[MAX`: the largest argument.
  public static let maximum = 10
  /// `[MIN`: the smallest argument.
  public static let minimum = 11
  /// `[MED`: LRA's `int(median)`: the middle argument in sorted order for an odd count; for an
  /// even count the integer part (here the floor) of the mean of the two middle values.
  public static let median = 12
  /// `[SM`: the sum of the arguments modulo 10.
  public static let sumModulo = 13
  /// `]`: closes the innermost open operator.
  public static let close = 14
  /// Padding (around the expression, see ``ListOpsTask/Layout``).
  public static let padding = 15
  /// Token ids in all.
  public static let vocabulary = 16
  /// The four operator tokens.
  public static let operators = [maximum, minimum, median, sumModulo]

  /// The value of operator `token` applied to `arguments` (digits `0 … 9`, at least one).
  public static func apply(_ token: Int, to arguments: [Int]) -> Int {
    switch token {
    case maximum: return arguments.max()!
    case minimum: return arguments.min()!
    case median:
      let sorted = arguments.sorted()
      let n = sorted.count
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    default: return arguments.reduce(0, +) % 10
    }
  }

  /// A readable form, e.g. `[MAX 4 [SM 3 9 ] ]` (padding omitted).
  public static func render(_ tokens: [Int]) -> String {
    tokens.compactMap { token -> String? in
      switch token {
      case 0...9: return String(token)
      case maximum: return "[MAX"
      case minimum: return "[MIN"
      case median: return "[MED"
      case sumModulo: return "[SM"
      case close: return "]"
      default: return nil
      }
    }.joined(separator: " ")
  }
}
