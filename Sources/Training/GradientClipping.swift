import Autodiff

/// Scales every gradient by `min(1, c/‖g‖)`, `‖g‖ = √(Σ over all parameters Σ g²)`, so
/// the global norm is at most `c`.
///
/// - Returns: the global norm before clipping.
@discardableResult
public func clipGradients(_ parameters: [Parameter], maximumNorm: Float) -> Float {
  let squared = parameters.reduce(Double(0)) { total, parameter in
    parameter.gradient.values.reduce(total) { $0 + Double($1) * Double($1) }
  }
  let norm = Float(squared.squareRoot())
  guard norm > maximumNorm, norm.isFinite else { return norm }
  let factor = maximumNorm / norm
  for parameter in parameters {
    for i in parameter.gradient.values.indices { parameter.gradient.values[i] *= factor }
  }
  return norm
}
