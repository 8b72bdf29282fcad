import Models
import Numerics
import SSMJSON

/// The log-probabilities a model assigns to a token sequence: for every position `t ≥ 1`,
///
///     log p(x_t | x_<t) = z_t[x_t] − log Σ_v exp(z_t[v]),
///
/// with `z_t` the logits the parallel forward pass computes after reading `x_0 … x_{t−1}`
/// (natural logarithms, the log-softmax taken in float64 from the float32 logits). The first
/// token has no prediction: it is context only.
struct SequenceScore {
  /// One candidate next token and its log-probability.
  struct Candidate: Equatable {
    let token: Int
    let logprob: Double
  }

  /// The sequence `x_0 … x_{L−1}`.
  let tokens: [Int]
  /// `log p(x_t | x_<t)` for `t = 1 … L−1` (`L − 1` values).
  let logprobs: [Double]
  /// With `top` requested: for `t = 1 … L−1`, the most likely tokens at position `t` given
  /// `x_<t`, most likely first (ties: the smaller token first).
  let top: [[Candidate]]?

  /// Scores `tokens` (`L ≥ 2`, each in `0 ..< V`, within the model's context) with one parallel
  /// forward pass, keeping the `top` most likely tokens per position (at most `V`) when given.
  init(_ model: any SequenceModel, tokens: [Int], top: Int?) throws {
    let logits = try model.forward([tokens])
    let vocabulary = model.vocabulary
    var logprobs: [Double] = []
    var candidates: [[Candidate]] = []
    logprobs.reserveCapacity(tokens.count - 1)
    for t in 1..<tokens.count {
      let row = logits.values[((t - 1) * vocabulary)..<(t * vocabulary)].map(Double.init)
      let shift = row.max()!
      let logNormalizer = shift + Double.log(row.reduce(0) { $0 + Double.exp($1 - shift) })
      logprobs.append(row[tokens[t]] - logNormalizer)
      if let top {
        let ranked = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
        candidates.append(ranked.prefix(top).map { Candidate(token: $0, logprob: row[$0] - logNormalizer) })
      }
    }
    self.tokens = tokens
    self.logprobs = logprobs
    self.top = top == nil ? nil : candidates
  }

  /// `Σ_t log p(x_t | x_<t)`.
  var sum: Double { logprobs.reduce(0, +) }

  /// `−sum / ((L − 1) · ln 2)`: the mean code length of the scored tokens in bits.
  var bitsPerToken: Double { -sum / (Double(logprobs.count) * Double.log(2)) }

  /// `{"tokens": […], "logprobs": [null, …], "sum": x, "bitsPerToken": y}`, with
  /// `"top": [null, [{"token": t, "logprob": lp}, …], …]` when the top tokens were kept: both
  /// lists aligned with `tokens`, `null` at the first position.
  var json: JSONValue {
    var members: [(key: String, value: JSONValue)] = [
      ("tokens", .array(tokens.map { .number(Double($0)) })),
      ("logprobs", .array([.null] + logprobs.map(JSONValue.number))),
      ("sum", .number(sum)), ("bitsPerToken", .number(bitsPerToken)),
    ]
    if let top {
      let lists = top.map { list in
        JSONValue.array(
          list.map { .object([("token", .number(Double($0.token))), ("logprob", .number($0.logprob))]) })
      }
      members.append(("top", .array([.null] + lists)))
    }
    return .object(members)
  }

  /// One line per scored position, then the totals.
  var humanReadable: String {
    var lines = ["position  token  logprob"]
    for (index, logprob) in logprobs.enumerated() {
      var line = String(format: "%8d  %5d  %10.6f", index + 1, tokens[index + 1], logprob)
      if let top {
        line += "  top: " + top[index].map { String(format: "%d (%.4f)", $0.token, $0.logprob) }.joined(separator: ", ")
      }
      lines.append(line)
    }
    lines.append(
      String(format: "sum %.6f over %d tokens; %.4f bits per token", sum, logprobs.count, bitsPerToken))
    return lines.joined(separator: "\n")
  }
}
