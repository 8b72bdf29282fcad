import Models

extension ModelFamily {
  /// How far a matched model's parameter count may lie from the budget: 2 %.
  public static let parameterTolerance = 0.02

  /// A model of this family sized to `budget` parameters within ``parameterTolerance``,
  /// `|count − budget| ≤ 0.02 · budget`, its count from
  /// ``ModelFamily/parameterCount(_:size:)`` (that of the built model).
  ///
  /// The search, on a family whose count grows with its width and inner size:
  /// 1. Over ``widths`` at the default inner size (``defaultSize(width:)``), the widths
  ///    `below` (the widest with count ≤ budget) and `above` (the next) bracket the budget;
  ///    the nearer of them is the match when it lies within the tolerance.
  /// 2. Otherwise each bracketing width gets the inner size from ``innerGrid(width:)`` whose
  ///    count is nearest the budget (the count is affine in it, so it is solved for), or for the
  ///    a family without a second knob (the GRU) every width between the two; of those within the tolerance, the one whose inner size
  ///    departs least from the default (`|inner − default| / default`), then the nearest, is the match.
  ///
  /// `vocabulary`, `inputChannels`, `depth` and `length` make the ``ModelFamily/Shape`` of
  /// ``ModelFamily/configuration(_:size:)``.
  /// - Throws: ``ComparisonError/invalidPlan(_:)`` for a budget, depth, vocabulary or input
  ///   channels below 1; ``ComparisonError/budgetImpossible(model:budget:closest:)`` with the closest count
  ///   the search reached when none lies within the tolerance (a budget below what the narrowest
  ///   models hold, above the widest, or between two GRU widths more than 4 % apart).
  public func matched(
    vocabulary: Int, parameterBudget budget: Int, depth: Int, length: Int, inputChannels: Int? = nil
  ) throws -> ParameterMatch {
    guard budget >= 1, depth >= 1, vocabulary >= 1, (inputChannels ?? 1) >= 1 else {
      throw ComparisonError.invalidPlan("parameter budget, depth, vocabulary and input channels must be ≥ 1")
    }
    let shape = Shape(vocabulary: vocabulary, inputChannels: inputChannels, depth: depth, length: length)
    let count = { (size: Size) in self.parameterCount(shape, size: size) }
    let match = { (size: Size) in
      ParameterMatch(
        model: self, size: size,
        configuration: self.configuration(shape, size: size),
        parameters: count(size), budget: budget)
    }
    let within = { (candidate: ParameterMatch) in abs(candidate.deviation) <= Self.parameterTolerance }
    let coarse = Self.widths.map { match(defaultSize(width: $0)) }
    let above = coarse.first { $0.parameters > budget }
    let below = coarse.last { $0.parameters <= budget }
    let brackets = [below, above].compactMap { $0 }
    let nearest = brackets.min { abs($0.deviation) < abs($1.deviation) }!
    if within(nearest) { return nearest }
    let refined: [ParameterMatch]
    if innerGrid(width: Self.widths[0]) == nil {
      let lowest = below.map { $0.size.width + 1 } ?? 1
      let highest = above.map { $0.size.width - 1 } ?? Self.widths.last!
      refined = lowest <= highest ? (lowest...highest).map { match(defaultSize(width: $0)) } : []
    } else {
      refined = brackets.map { match(nearestInner(to: budget, at: $0.size.width, count: count)) }
    }
    let candidates = brackets + refined
    if let best = candidates.filter(within).min(by: {
      (innerDeparture($0.size), abs($0.deviation)) < (innerDeparture($1.size), abs($1.deviation))
    }) {
      return best
    }
    let closest = candidates.min { abs($0.deviation) < abs($1.deviation) }!
    throw ComparisonError.budgetImpossible(model: self, budget: budget, closest: closest.parameters)
  }

  /// The size at `width` whose inner size, on ``innerGrid(width:)``, gives the count nearest
  /// `budget` (ties: the inner size nearer the default). The count is affine in the inner size,
  /// `count(lowest + k·step) = count(lowest) + k·slope` with `slope > 0` (depth ≥ 1), so
  /// `k = (budget − count(lowest)) / slope` rounded down or up, clamped to the grid.
  private func nearestInner(to budget: Int, at width: Int, count: (Size) -> Int) -> Size {
    let grid = innerGrid(width: width)!
    let size = { (inner: Int) in Size(width: width, inner: inner) }
    let base = count(size(grid.lowest))
    let slope = count(size(grid.lowest + grid.step)) - base
    let last = Double((grid.highest - grid.lowest) / grid.step)
    let steps = min(max(Double(budget - base) / Double(slope), 0), last)
    let options = [steps.rounded(.down), steps.rounded(.up)].map { size(grid.lowest + Int($0) * grid.step) }
    return options.min {
      (abs(count($0) - budget), innerDeparture($0)) < (abs(count($1) - budget), innerDeparture($1))
    }!
  }
}
