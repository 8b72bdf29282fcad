import Generation

/// A ``SpeculativeDraws`` that follows a script of outcomes and multiplies their probabilities:
/// outcome `script[i]` at the `i`-th random decision, the first outcome of non-zero probability
/// past the end of the script (which it then records). A coin flip of probability `a` is a
/// draw from `[a, 1 − a]` (outcome 0: accept).
struct ScriptedDraws: SpeculativeDraws {
  private(set) var script: [Int]
  /// The distribution of every decision taken, in order.
  private(set) var distributions: [[Double]] = []
  /// The probability of the path followed.
  private(set) var probability = 1.0

  init(script: [Int]) { self.script = script }

  mutating func draw(from probabilities: [Double]) -> Int {
    let position = distributions.count
    if position == script.count { script.append(probabilities.firstIndex { $0 > 0 }!) }
    let outcome = script[position]
    distributions.append(probabilities)
    probability *= probabilities[outcome]
    return outcome
  }

  mutating func accept(withProbability probability: Double) -> Bool {
    let clamped = min(1, max(0, probability))
    return draw(from: [clamped, 1 - clamped]) == 0
  }
}

/// The exact law of the outcome of a randomized computation that makes every random decision
/// through its ``ScriptedDraws`` and is otherwise deterministic: depth-first over every path of
/// non-zero probability (re-running the computation with each script), summing path probabilities
/// per outcome.
func exactLaw<Outcome: Hashable>(_ computation: (inout ScriptedDraws) throws -> Outcome) rethrows -> [Outcome: Double] {
  var law: [Outcome: Double] = [:]
  var script: [Int] = []
  while true {
    var draws = ScriptedDraws(script: script)
    law[try computation(&draws), default: 0] += draws.probability
    // The deepest decision with a later outcome of non-zero probability branches next.
    var nextScript: [Int]?
    for position in draws.distributions.indices.reversed() {
      let distribution = draws.distributions[position]
      if let later = distribution.indices.first(where: { $0 > draws.script[position] && distribution[$0] > 0 }) {
        nextScript = Array(draws.script[..<position]) + [later]
        break
      }
    }
    guard let nextScript else { return law }
    script = nextScript
  }
}
