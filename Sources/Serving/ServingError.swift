import Generation

/// Why the serving library refused an input or a request.
public enum ServingError: Error, Equatable, CustomStringConvertible {
  /// A Poisson rate that is not above 0.
  case invalidRate(Double)
  /// An arrival trace that is not a non-decreasing list of finite times ≥ 0.
  case invalidTrace(String)
  /// An engine setting out of range.
  case invalidConfiguration(String)
  /// The waiting queue already holds its ``EngineConfiguration/maxQueue`` requests: the request
  /// was not accepted (the caller still has it; nothing is lost).
  case queueFull(capacity: Int)
  /// The request's largest context needs more state memory than the whole budget, so it could
  /// never run.
  case exceedsMemoryBudget(bytes: Int, budget: Int)
  /// The request's options or prompt are refused by generation.
  case invalidRequest(GenerationError)
  /// A memory budget for a model whose state size the engine cannot estimate (give a
  /// ``RequestMemory`` explicitly).
  case unknownStateSize(model: String)
  /// A statistic of an empty sample, or a percentile outside `[0, 100]`.
  case invalidStatistic(String)

  public var description: String {
    switch self {
    case .invalidRate(let rate): "the arrival rate must be > 0 requests/s (or inf), got \(rate)"
    case .invalidTrace(let reason): "invalid arrival trace: \(reason)"
    case .invalidConfiguration(let reason): "invalid engine configuration: \(reason)"
    case .queueFull(let capacity): "the queue is full (\(capacity) waiting requests): retry later"
    case .exceedsMemoryBudget(let bytes, let budget):
      "the request needs \(bytes) bytes of state at its longest, more than the whole budget of \(budget) bytes"
    case .invalidRequest(let error): "invalid request: \(error)"
    case .unknownStateSize(let model):
      "cannot estimate the state memory of a \(model): give the engine a RequestMemory for a memory budget"
    case .invalidStatistic(let reason): "invalid statistic: \(reason)"
    }
  }
}
