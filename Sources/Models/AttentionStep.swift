import Foundation

/// One query attending to `count` stored keys and values of one head (`width` each,
/// rows contiguous): the inner loop of cached decoding,
///
///     s_j = ⟨q, k_j⟩/√d,   o = Σ_j e^{s_j − max s} v_j / Σ_j e^{s_j − max s}.
///
/// Written on concrete `SIMD8<Float>` (eight lanes across the head width) when the width is a
/// multiple of eight: float reductions do not vectorise on their own.
enum AttentionStep {
  static func attend(
    query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, count: Int, width: Int,
    scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
  ) {
    let scale = 1 / Float(width).squareRoot()
    let vectorized = width.isMultiple(of: 8)
    var top = -Float.infinity
    for j in 0..<count {
      let row = keys + j * width
      var dot: Float = 0
      if vectorized {
        var sum = SIMD8<Float>()
        for c in stride(from: 0, to: width, by: 8) { sum += load(row + c) * load(query + c) }
        dot = sum.sum()
      } else {
        for c in 0..<width { dot += row[c] * query[c] }
      }
      scores[j] = dot * scale
      top = max(top, scores[j])
    }
    var total: Float = 0
    for j in 0..<count {
      scores[j] = Foundation.exp(scores[j] - top)
      total += scores[j]
    }
    for c in 0..<width { output[c] = 0 }
    for j in 0..<count {
      let (weight, row) = (scores[j] / total, values + j * width)
      if vectorized {
        let w = SIMD8<Float>(repeating: weight)
        for c in stride(from: 0, to: width, by: 8) {
          UnsafeMutableRawPointer(output + c).storeBytes(
            of: load(output + c) + w * load(row + c), as: SIMD8<Float>.self)
        }
      } else {
        for c in 0..<width { output[c] += weight * row[c] }
      }
    }
  }

  @inline(__always)
  private static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  private static func load(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
  }
}
