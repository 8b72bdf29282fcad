import Autodiff

extension Tape {
  /// GRPO's loss on the log-probabilities `ℓ_k` of the completion tokens (``tokenLogProbabilities(_:rows:tokens:)``):
  ///
  ///     ℒ = Σ_k w_k [ −J(ℓ_k − ℓ_old,k; A_k) + β k3(ℓ_k, ℓ_ref,k) ],
  ///     ∂ℒ/∂ℓ_k = w_k [ −∂J/∂ℓ_k + β (1 − exp(ℓ_ref,k − ℓ_k)) ],
  ///
  /// with `J` the ``ClippedSurrogate`` against the sampling policy's `ℓ_old`, `k3` the
  /// ``K3Divergence`` to the reference policy, `A_k` the advantage of the token's completion and
  /// `w_k` its ``LossAggregation`` weight. The KL term is skipped when `β = 0` (no reference needed).
  /// With `ρ = 1` everywhere and `β = 0`, `ℒ = −Σ w_k A_k` (zero for group-normalised advantages and
  /// equal weights within groups) while `∂ℒ/∂ℓ_k = −w_k A_k` is not.
  ///
  /// - Parameters:
  ///   - logProbabilities: `ℓ`, shape `K`.
  ///   - samplingLogProbabilities: `ℓ_old`, `K` values.
  ///   - referenceLogProbabilities: `ℓ_ref`, `K` values (required when `β > 0`).
  ///   - advantages: `A_k`, `K` values.
  ///   - weights: `w_k`, `K` values.
  /// - Throws: ``ReinforcementError`` for arrays of another length, a negative or non-finite `β`,
  ///   a missing reference with `β > 0`, or non-finite inputs.
  public func grpoLoss(
    logProbabilities: Variable, samplingLogProbabilities: [Double], referenceLogProbabilities: [Double]?,
    advantages: [Double], weights: [Double], surrogate: ClippedSurrogate, beta: Double
  ) throws -> Variable {
    let current = value(logProbabilities)
    let count = current.count
    guard current.rank == 1 else {
      throw ReinforcementError.shapeMismatch("log-probabilities must be a vector, got \(current.shape)")
    }
    guard beta >= 0, beta.isFinite else { throw ReinforcementError.invalidParameter("β must be ≥ 0, got \(beta)") }
    let reference = beta > 0 ? referenceLogProbabilities : nil
    if beta > 0, reference == nil {
      throw ReinforcementError.invalidParameter("β = \(beta) > 0 needs reference log-probabilities")
    }
    for (name, array) in [
      ("sampling log-probabilities", samplingLogProbabilities), ("advantages", advantages), ("weights", weights),
      ("reference log-probabilities", reference ?? samplingLogProbabilities),
    ] {
      guard array.count == count else {
        throw ReinforcementError.shapeMismatch("\(array.count) \(name) for \(count) tokens")
      }
      try requireFinite(array, name)
    }
    let logProbabilities64 = current.values.map(Double.init)
    try requireFinite(logProbabilities64, "log-probability")
    var loss: Double = 0
    var derivatives = [Float](repeating: 0, count: count)
    for k in 0..<count {
      let (objective, objectiveDerivative) = surrogate.evaluate(
        logRatio: logProbabilities64[k] - samplingLogProbabilities[k], advantage: advantages[k])
      var tokenLoss = -objective
      var tokenDerivative = -objectiveDerivative
      if let reference {
        let kl = K3Divergence.evaluate(logProbability: logProbabilities64[k], referenceLogProbability: reference[k])
        tokenLoss += beta * kl.value
        tokenDerivative += beta * kl.derivative
      }
      loss += weights[k] * tokenLoss
      derivatives[k] = Float(weights[k] * tokenDerivative)
    }
    return record(value: Tensor(scalar: Float(loss)), inputs: [logProbabilities]) { g in
      [try Tensor(shape: [count], values: derivatives.map { $0 * g.scalar })]
    }
  }
}
