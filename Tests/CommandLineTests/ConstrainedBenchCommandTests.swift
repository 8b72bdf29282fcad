import Foundation
import SSMJSON
import TestSupport
import Testing

/// `ssm bench constrained`: the constraint's cost against unconstrained decoding.
@Suite struct ConstrainedBenchCommandTests {
  // The greedy continuation under --choice "yes,no" is one of the choices and the stop token,
  // 3 or 4 tokens. overhead and maskFraction are the ratios of the reported times (relative
  // 1e-9: the JSON numbers carry more digits than that). Without a constraint, the command
  // fails with one error line.
  @Test func reportsTimesAndTheirRatios() throws {
    let document = try runJSON([
      "bench", "constrained", "--model", "s4", "--choice", "yes,no", "--runs", "1", "--warmup", "0", "--json",
    ])
    let number = { (key: String) -> Double? in if case .number(let value)? = document[key] { value } else { nil } }
    guard let constrained = number("constrainedSecondsPerToken"),
      let unconstrained = number("unconstrainedSecondsPerToken"), let overhead = number("overhead"),
      let mask = number("maskSecondsPerToken"), let fraction = number("maskFraction"),
      let tokens = number("tokens"), number("indexSeconds") ?? -1 > 0
    else {
      Issue.record("bench JSON lacks fields: \(document.serialized)")
      return
    }
    #expect([3, 4].contains(tokens), "\(document.serialized)")
    #expect(constrained > 0 && unconstrained > 0 && mask > 0)
    #expect(abs(overhead - (constrained / unconstrained - 1)) <= 1e-9 * max(1, abs(overhead)))
    #expect(abs(fraction - mask / unconstrained) <= 1e-9 * fraction)
    expectOneErrorLine(try run(["bench", "constrained", "--model", "s4"]), "no constraint")
  }
}
