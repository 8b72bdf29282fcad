import Foundation

/// Float64 `log_softmax` of float32 logits, written independently of the modules under test:
/// `log softmax(z)_i = z_i − max z − log Σ_j exp(z_j − max z)`.
public func referenceLogSoftmax(_ logits: [Float]) -> [Double] { referenceLogSoftmax(logits.map(Double.init)) }

/// Float64 `log_softmax` of float64 logits: `z_i − max z − log Σ_j exp(z_j − max z)` (the maximum subtracted, so no
/// exponential overflows).
public func referenceLogSoftmax(_ values: [Double]) -> [Double] {
  let maximum = values.max()!
  let total = values.map { exp($0 - maximum) }.reduce(0, +)
  return values.map { $0 - maximum - log(total) }
}

/// `−log₂ softmax(z)[y]` computed directly, `log₂(Σ eᶻ) − z_y / ln 2`, in `Double` without the maximum subtracted:
/// a second formula for the bits of one target, valid for moderate logits (|z| ≲ 700, where `exp` is finite).
public func referenceBits(_ logits: [Float], target: Int) -> Double {
  let total = logits.reduce(0.0) { $0 + exp(Double($1)) }
  return log2(total) - Double(logits[target]) / log(2.0)
}
