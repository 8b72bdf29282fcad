/// The distribution a decoding step draws from, as probabilities: the processors of `options`
/// (``LogitsProcessor/applyProcessors(_:history:generatedCount:options:constraintState:)``, ending
/// with the constraint mask in automaton state `constraintState` when `options` has a constraint)
/// applied to the raw `logits`, then
/// - greedy (`sampling == nil`): one-hot at ``Categorical/argmax(_:)`` of the processed logits;
/// - sampling: the warpers of `sampling` (temperature, then top-k → top-p → min-p → typical)
///   and `softmax` of the result.
///
/// This is the law of the token ``generate(_:prompt:options:)`` chooses at that step when
/// `constraintState` is the constraint's state after the `generatedCount` generated tokens of
/// `history`: with a constraint, the masked distribution renormalised over the allowed tokens.
/// - Throws: ``GenerationError/processedLogitsOverflow(step:)`` or
///   ``GenerationError/noTokenAllowed(step:)`` for new token `step`.
func decodingDistribution(
  _ logits: [Double], history: [Int], generatedCount: Int, options: GenerationOptions,
  constraintState: Int?, sampling: SamplingParameters?, step: Int
) throws -> [Double] {
  var processed = logits
  LogitsProcessor.applyProcessors(
    &processed, history: history, generatedCount: generatedCount, options: options,
    constraintState: constraintState)
  try checkProcessed(processed, step: step)
  guard let sampling else {
    var oneHot = [Double](repeating: 0, count: logits.count)
    oneHot[Categorical.argmax(processed)] = 1
    return oneHot
  }
  LogitsProcessor.applyTemperature(&processed, temperature: sampling.temperature)
  try checkScaled(processed, step: step)
  LogitsProcessor.applyTruncation(&processed, sampling: sampling)
  return Categorical.softmax(processed)
}
