extension GradientReducer {
  /// The element-wise sums `Σ_r v_r` of `values` over the processes (all of one length), for
  /// statistics such as counts and partial sums of a metric. One process returns `values`
  /// unchanged; several sum in float32 (the reducer's own sum), exact for integers below `2²⁴`,
  /// within float32 rounding otherwise.
  /// - Throws: the reducer's communication errors.
  public func sum(_ values: [Double]) throws -> [Double] {
    guard processCount > 1 else { return values }
    var buffer = values.map(Float.init)
    try sum(&buffer)
    return buffer.map(Double.init)
  }

  /// The concatenation, in rank order, of every process's `share` (each of the same length `m`):
  /// process `r`'s values at `r·m ..< (r+1)·m`. One process returns `share` unchanged; several
  /// round the values to float32 and sum buffers of `K·m` zeros that hold each share in its own
  /// slot, which is exact (`x + 0 = x`), so every process receives the same values.
  /// - Throws: the reducer's communication errors.
  public func allGather(_ share: [Double]) throws -> [Double] {
    guard processCount > 1 else { return share }
    var buffer = [Float](repeating: 0, count: share.count * processCount)
    for (index, value) in share.enumerated() { buffer[rank * share.count + index] = Float(value) }
    try sum(&buffer)
    return buffer.map(Double.init)
  }
}
