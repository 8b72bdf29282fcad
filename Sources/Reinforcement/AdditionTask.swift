import SeededRandom

/// Multi-digit addition as tokens, a verifiable task: the prompt writes `a + b =` and the answer
/// is the sum.
///
/// With `n` ``digits``, `a` and `b` are uniform in `0 ..< 10ⁿ`; tokens `0 … 9` are digits, ``plus``
/// (10) and ``equals`` (11) the signs, so ``vocabulary`` is 12. The prompt is the `n` digits of `a`
/// (most significant first, zero-padded), `+`, the `n` digits of `b`, `=` (`2n + 2` tokens); the
/// answer is the `n + 1` digits of `a + b`, zero-padded, most significant first, or least
/// significant first when ``reversedAnswer`` is set (the order in which carries are computed).
///
/// Example, `n = 2`: `47 + 85 =` is `[4, 7, 10, 8, 5, 11]`, answer `132` is `[1, 3, 2]`
/// (reversed: `[2, 3, 1]`).
public struct AdditionTask: VerifiableTask, Equatable {
  /// The token of `+`.
  public static let plus = 10
  /// The token of `=`.
  public static let equals = 11

  /// Digits `n` of each operand, `1 … 18` (so that sums fit in 64 bits).
  public let digits: Int
  /// Whether the answer is written least significant digit first.
  public let reversedAnswer: Bool

  /// The task for `digits`-digit operands.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` unless `1 ≤ digits ≤ 18`.
  public init(digits: Int, reversedAnswer: Bool = false) throws {
    guard (1...18).contains(digits) else {
      throw ReinforcementError.invalidParameter("addition digits must be in 1…18, got \(digits)")
    }
    self.digits = digits
    self.reversedAnswer = reversedAnswer
  }

  /// 12: ten digits, `+` and `=`.
  public var vocabulary: Int { 12 }
  /// `n + 1` digits of the sum.
  public var answerLength: Int { digits + 1 }

  /// `a`, `b` uniform in `0 ..< 10ⁿ` (one draw each, `next() mod 10ⁿ`).
  public func problem(using generator: inout SeededGenerator) -> VerifiableProblem {
    let bound = power(digits)
    let a = Int(generator.next() % UInt64(bound))
    let b = Int(generator.next() % UInt64(bound))
    let prompt = Self.digitTokens(a, count: digits) + [Self.plus] + Self.digitTokens(b, count: digits) + [Self.equals]
    return VerifiableProblem(prompt: prompt, answer: answerTokens(a + b))
  }

  /// The sum's digits for a prompt `a + b =` of this task.
  public func answer(to prompt: [Int]) throws -> [Int] {
    let n = digits
    guard prompt.count == 2 * n + 2, prompt[n] == Self.plus, prompt[2 * n + 1] == Self.equals,
      prompt[0..<n].allSatisfy({ (0...9).contains($0) }),
      prompt[(n + 1)..<(2 * n + 1)].allSatisfy({ (0...9).contains($0) })
    else {
      throw ReinforcementError.invalidParameter("\(prompt) is not an addition prompt of \(n)-digit operands")
    }
    let a = prompt[0..<n].reduce(0) { $0 * 10 + $1 }
    let b = prompt[(n + 1)..<(2 * n + 1)].reduce(0) { $0 * 10 + $1 }
    return answerTokens(a + b)
  }

  private func answerTokens(_ sum: Int) -> [Int] {
    let tokens = Self.digitTokens(sum, count: digits + 1)
    return reversedAnswer ? tokens.reversed() : tokens
  }

  /// The `count` decimal digits of `value`, most significant first, zero-padded.
  static func digitTokens(_ value: Int, count: Int) -> [Int] {
    var remaining = value
    var tokens = [Int](repeating: 0, count: count)
    for position in stride(from: count - 1, through: 0, by: -1) {
      tokens[position] = remaining % 10
      remaining /= 10
    }
    return tokens
  }

  private func power(_ exponent: Int) -> Int { (0..<exponent).reduce(1) { product, _ in product * 10 } }
}
