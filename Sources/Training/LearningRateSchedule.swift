import Foundation

/// A multiplier of the groups' learning rates as a function of the step (from 0).
public enum LearningRateSchedule: Sendable, Equatable {
  /// Always 1.
  case constant
  /// Linear warm-up over `warmupSteps`, then cosine decay to `minimumFactor` at
  /// `totalSteps`: `f(t) = (t + 1)/w` for `t < w`, else
  /// `m + (1 − m)·½(1 + cos(π (t − w)/(T − w)))`, and `m` after `T`.
  case warmupCosine(warmupSteps: Int, totalSteps: Int, minimumFactor: Float)

  /// The multiplier at `step`.
  public func factor(at step: Int) -> Float {
    switch self {
    case .constant:
      return 1
    case .warmupCosine(let warmup, let total, let minimum):
      if step < warmup { return Float(step + 1) / Float(warmup) }
      guard total > warmup, step < total else { return minimum }
      let progress = Double(step - warmup) / Double(total - warmup)
      return minimum + (1 - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
  }
}
