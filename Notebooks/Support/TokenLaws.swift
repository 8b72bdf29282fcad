import Autodiff
import Generation
import Models
import SeededRandom

// Exact and empirical laws of the first new tokens of a model, and distances between them: what the notebooks
// that test a decoder's output law (SpeculativeDecoding, MultiTokenHeads) compare.

/// The next-token distributions (softmax of the last position's logits) of `model` after each of `prompts`, which
/// share one length, read in one parallel pass without dropout.
public func nextTokenLaws(_ model: any SequenceModel, after prompts: [[Int]]) throws -> [[Double]] {
  var unused = SeededGenerator(seed: 0)
  let tape = Tape(recordsGradients: false)
  let logits = tape.value(try model.logits(prompts, on: tape, training: false, generator: &unused)).values
  let (positions, vocabulary) = (prompts[0].count, model.vocabulary)
  return prompts.indices.map { row in
    let start = (row * positions + positions - 1) * vocabulary
    return Categorical.softmax(logits[start..<(start + vocabulary)].map(Double.init))
  }
}

/// The law of the first two new tokens of `model` sampling at T = 1 (no other processor) after `prompt`:
/// `P(a, b) = p(a) p(b | a)` as `[a][b]`, `p` the softmax of the logits, `p(· | a)` read after `prompt + [a]`
/// (all `V` continuations in one batch).
public func twoTokenLaw(_ model: any SequenceModel, after prompt: [Int]) throws -> [[Double]] {
  let first = try nextTokenLaws(model, after: [prompt])[0]
  let second = try nextTokenLaws(model, after: (0..<model.vocabulary).map { prompt + [$0] })
  return (0..<model.vocabulary).map { a in second[a].map { first[a] * $0 } }
}

/// The first-token marginal `Σ_b P(a, b)` of a law over pairs flattened as `a · V + b` (`V` = `vocabulary`).
public func firstTokenMarginal(_ pairs: [Double], vocabulary: Int) -> [Double] {
  (0..<vocabulary).map { a in pairs[(a * vocabulary)..<((a + 1) * vocabulary)].reduce(0, +) }
}

/// `TV(f, P)` for an empirical law `f` given as counts out of `total` (keys: outcomes) and an exact law `P` over
/// outcomes `0 ..< P.count`: `½ (Σ_{x seen} |f_x − P_x| + Σ_{x unseen} P_x)`.
public func totalVariation(counts: [Int: Int], total: Int, law: [Double]) -> Double {
  var distance = 1.0
  for (outcome, count) in counts {
    distance += abs(Double(count) / Double(total) - law[outcome]) - law[outcome]
  }
  return distance / 2
}

/// `TV(f, g) = ½ Σ_x |f_x − g_x|` for two empirical laws given as counts out of their totals.
public func totalVariation(counts f: [Int: Int], total m: Int, counts g: [Int: Int], total n: Int) -> Double {
  let outcomes = Set(f.keys).union(g.keys)
  return outcomes.reduce(0.0) { sum, x in
    sum + abs(Double(f[x, default: 0]) / Double(m) - Double(g[x, default: 0]) / Double(n))
  } / 2
}

/// `TV(P, Q) = ½ Σ_x |P_x − Q_x|`.
public func totalVariation(_ p: [Double], _ q: [Double]) -> Double { zip(p, q).reduce(0) { $0 + abs($1.0 - $1.1) } / 2 }

/// The `q`-quantile of `values` (the order statistic at `⌈q n⌉`).
public func quantile(_ values: [Double], _ q: Double) -> Double {
  let sorted = values.sorted()
  return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
}

/// The Monte-Carlo reference of exact sampling: TVs to `law` of `replicates` empirical laws of `samples` exact
/// draws from `law` (a law over pairs flattened as `a · V + b`, `V` = `vocabulary`; by inversion of its cumulative
/// sum, one `nextUnitInterval()` per draw from a generator seeded with `seed`), for the pair and for the first
/// token. A sampler that follows `law` leaves a TV from the same distribution.
public func referenceDistances(
  _ law: [Double], vocabulary: Int, samples: Int, replicates: Int, seed: UInt64 = 99
) -> (pair: [Double], first: [Double]) {
  var cumulative: [Double] = []
  var total = 0.0
  for probability in law {
    total += probability
    cumulative.append(total)
  }
  let marginal = firstTokenMarginal(law, vocabulary: vocabulary)
  var generator = SeededGenerator(seed: seed)
  var distances: (pair: [Double], first: [Double]) = ([], [])
  for _ in 0..<replicates {
    var pairs: [Int: Int] = [:]
    var firsts: [Int: Int] = [:]
    for _ in 0..<samples {
      let threshold = generator.nextUnitInterval() * total
      var (low, high) = (0, cumulative.count - 1)
      while low < high {
        let middle = (low + high) / 2
        if cumulative[middle] > threshold { high = middle } else { low = middle + 1 }
      }
      pairs[low, default: 0] += 1
      firsts[low / vocabulary, default: 0] += 1
    }
    distances.pair.append(totalVariation(counts: pairs, total: samples, law: law))
    distances.first.append(totalVariation(counts: firsts, total: samples, law: marginal))
  }
  return distances
}
