/// How a load run's clock advances over an engine step.
public enum LoadTiming: Sendable, Equatable {
  /// A modelled cost: a step takes `perStep + perToken · tokensRead` seconds (deterministic,
  /// for tests and what-if studies).
  case simulated(perStep: Double, perToken: Double)
  /// The step's measured wall-clock time: the engine runs for real, arrivals follow their
  /// schedule, and idle time is skipped (nothing happens while no request is held, so jumping to
  /// the next arrival gives the latencies of waiting for it in real time).
  case measured
}
