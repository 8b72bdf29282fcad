/// The largest absolute difference relative to the reference's largest entry, in float64:
///
///     relativeError(a, b) = max_i |a_i − b_i| / max(max_i |b_i|, smallestScale)
///
/// One number that compares a float32 or float64 result `a` with a float64 reference `b` on the scale of the whole
/// reference, so entries near zero do not dominate it. `smallestScale` floors the denominator: the smallest normal
/// `Double` by default (only an all-zero reference is floored), `1` for a mixed absolute/relative error on values
/// of order one. Arrays of different lengths give `+∞`, a failing comparison rather than a silently truncated one.
public func relativeError<T: BinaryFloatingPoint>(
  _ a: [T], _ b: [Double], smallestScale: Double = .leastNormalMagnitude
) -> Double {
  guard a.count == b.count else { return .infinity }
  let scale = b.map(abs).max() ?? 0
  let worst = zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
  return worst / max(scale, smallestScale)
}
