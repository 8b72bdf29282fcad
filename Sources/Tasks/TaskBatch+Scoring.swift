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
