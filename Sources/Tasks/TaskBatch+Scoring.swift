import Foundation

extension TaskBatch {
  /// The index of the largest of `count` logits starting at `offset` (the first on ties).
  private static func argmax(_ logits: [Float], offset: Int, count: Int) -> Int {
    var best = 0
    var bestValue = logits[offset]
    for c in 1..<count where logits[offset + c] > bestValue {
      best = c
      bestValue = logits[offset + c]
    }
    return best
  }

  /// The target class rows, checking that `logits` holds `size · length × classes` values.
  private func classTargets(logits: [Float], classes: Int) throws -> [[Int]] {
    guard case .classes(let rows) = targets else {
      throw TaskError.shapeMismatch("accuracy needs class targets; this batch has value targets")
    }
    guard classes >= 1, logits.count == size * length * classes else {
      throw TaskError.shapeMismatch(
        "logits have \(logits.count) values, expected \(size) × \(length) × \(classes)")
    }
    return rows
  }

  /// Token accuracy: the fraction of scored positions (target ≠ ``ignoredTarget``) where the
  /// argmax of the position's logits equals the target.
  ///
  /// `logits` holds `size · length` rows of `classes` values (row `b·length + t` for instance `b`,
  /// position `t`), the layout of a sequence model's read-out. Ties go to the lowest class. For
  /// associative recall every query scores exactly one position, so this is the per-query
  /// accuracy of Zoology.
  public func accuracy(logits: [Float], classes: Int) throws -> Accuracy {
    let rows = try classTargets(logits: logits, classes: classes)
    var score = Accuracy(correct: 0, total: 0)
    for (b, row) in rows.enumerated() {
      for (t, target) in row.enumerated() where target != Self.ignoredTarget {
        score.total += 1
        if Self.argmax(logits, offset: (b * length + t) * classes, count: classes) == target { score.correct += 1 }
      }
    }
    return score
  }

  /// Sequence (exact-match) accuracy: the fraction of instances whose scored positions are all
  /// predicted correctly (instances without scored positions are not counted).
  public func exactMatch(logits: [Float], classes: Int) throws -> Accuracy {
    let rows = try classTargets(logits: logits, classes: classes)
    var score = Accuracy(correct: 0, total: 0)
    for (b, row) in rows.enumerated() {
      var scored = false
      var allCorrect = true
      for (t, target) in row.enumerated() where target != Self.ignoredTarget {
        scored = true
        if Self.argmax(logits, offset: (b * length + t) * classes, count: classes) != target { allCorrect = false }
      }
      if scored {
        score.total += 1
        if allCorrect { score.correct += 1 }
      }
    }
    return score
  }

  /// Accuracy broken down by position: `length` scores, entry `t` over the instances whose
  /// position `t` is scored (useful to see where in the sequence, or at which query gap, a model
  /// fails, e.g. when testing length generalisation).
  public func accuracyByPosition(logits: [Float], classes: Int) throws -> [Accuracy] {
    let rows = try classTargets(logits: logits, classes: classes)
    var scores = [Accuracy](repeating: Accuracy(correct: 0, total: 0), count: length)
    for (b, row) in rows.enumerated() {
      for (t, target) in row.enumerated() where target != Self.ignoredTarget {
        scores[t].total += 1
        if Self.argmax(logits, offset: (b * length + t) * classes, count: classes) == target {
          scores[t].correct += 1
        }
      }
    }
    return scores
  }

  /// The code length of the byte targets under the logits' softmax: with `z` the `classes` logits
  /// of a position and `y` its target,
  /// `bits = Σ −log₂ softmax(z)[y] = Σ (logsumexp(z) − z_y) / ln 2` over the positions whose target
  /// is a byte value `0 … 255`, and `bytes` their number (``BitsPerByte/value`` is bits per byte):
  /// the pooled sum of ``bitsPerByteByPosition(logits:classes:)``. Targets that are not bytes —
  /// ``TextTask/separator`` (256) and ``ignoredTarget`` — are not counted: the separator is no
  /// byte of the text, so bits per byte compares with byte-level results elsewhere.
  ///
  /// `logits` holds `size · length` rows of `classes` values (row `b·length + t`), as
  /// ``accuracy(logits:classes:)``.
  /// - Throws: as ``bitsPerByteByPosition(logits:classes:)``.
  public func bitsPerByte(logits: [Float], classes: Int) throws -> BitsPerByte {
    try bitsPerByteByPosition(logits: logits, classes: classes).reduce(BitsPerByte(bits: 0, bytes: 0), +)
  }

  /// The code length of the byte targets broken down by position: `length` scores, entry `t`
  /// pooling position `t` of every instance, `bits_t = Σ_b (logsumexp(z_{b,t}) − z_{b,t,y_{b,t}}) / ln 2`
  /// over the instances `b` whose target `y_{b,t}` is a byte value `0 … 255`, and `bytes_t` their
  /// number (0 where none is). On consecutive text windows, entry `t` is the code length of a byte
  /// predicted with `t` bytes of context. The log-softmax is computed in `Double` with the maximum
  /// subtracted; separator and ``ignoredTarget`` targets are not counted (as
  /// ``bitsPerByte(logits:classes:)``).
  /// - Throws: ``TaskError/shapeMismatch(_:)`` for value targets, logits of another shape or a byte
  ///   target outside `0 ..< classes`; ``TaskError/nonFinite(_:)`` for a scored position whose
  ///   logits are NaN or infinite.
  public func bitsPerByteByPosition(logits: [Float], classes: Int) throws -> [BitsPerByte] {
    let rows = try classTargets(logits: logits, classes: classes)
    var scores = [BitsPerByte](repeating: BitsPerByte(bits: 0, bytes: 0), count: length)
    for (b, row) in rows.enumerated() {
      for (t, target) in row.enumerated() where (0...255).contains(target) {
        guard target < classes else {
          throw TaskError.shapeMismatch("byte target \(target) outside the \(classes) logit classes")
        }
        let offset = (b * length + t) * classes
        let position = logits[offset..<(offset + classes)].map(Double.init)
        guard position.allSatisfy(\.isFinite) else {
          throw TaskError.nonFinite("the logits of instance \(b), position \(t) are not all finite")
        }
        let maximum = position.max()!
        let logSumExp = maximum + log(position.reduce(0) { $0 + exp($1 - maximum) })
        scores[t].bits += (logSumExp - position[target]) / log(2.0)
        scores[t].bytes += 1
      }
    }
    return scores
  }

  /// The squared error over scored positions and channels:
  /// `Σ_b Σ_{t ∈ positions} Σ_c (ŷ[b,t,c] − y[b,t,c])²` with its term count
  /// `size · positions.count · channels`; ``SquaredError/mean`` is the MSE.
  ///
  /// `layout` says whether `predictions` covers every position (`size × length × channels`, the
  /// raw model output; unscored positions are ignored) or only the scored ones
  /// (`size × positions.count × channels`).
  public func meanSquaredError(predictions: [Float], layout: PredictionLayout) throws -> SquaredError {
    guard case .values(let values, let channels, let positions) = targets else {
      throw TaskError.shapeMismatch("mean squared error needs value targets; this batch has class targets")
    }
    let perInstance = layout == .everyPosition ? length : positions.count
    guard predictions.count == size * perInstance * channels else {
      throw TaskError.shapeMismatch(
        "predictions have \(predictions.count) values, expected \(size) × \(perInstance) × \(channels)")
    }
    var sum = 0.0
    for b in 0..<size {
      for (k, t) in positions.enumerated() {
        let row = layout == .everyPosition ? t : k
        for c in 0..<channels {
          let d =
            Double(predictions[(b * perInstance + row) * channels + c])
            - Double(values[(b * positions.count + k) * channels + c])
          sum += d * d
        }
      }
    }
    return SquaredError(sum: sum, count: size * positions.count * channels)
  }
}
