/// What one ``SupervisedAnswerTrainer/step(problems:)`` measured.
public struct SupervisedStepMetrics: Sendable, Equatable {
  /// The answers' mean negative log-likelihood given the prompts (nats per answer token), before
  /// the update.
  public var loss: Double
  /// Fraction of the step's problems whose greedy answer (under teacher forcing, before the
  /// update) is exactly right.
  public var exactMatch: Double
  /// Mean answer length in tokens.
  public var meanAnswerLength: Double

  /// The measurements.
  public init(loss: Double, exactMatch: Double, meanAnswerLength: Double) {
    self.loss = loss
    self.exactMatch = exactMatch
    self.meanAnswerLength = meanAnswerLength
  }
}
