import Generation

/// Something that happened to a request during one ``BatchingEngine/step()``, in the order it
/// happened.
public enum EngineEvent: Sendable, Equatable {
  /// Request `id` produced its next token.
  case token(id: Int, token: Int)
  /// Request `id` finished (stop token or its `maxNewTokens`); `result` equals `generate`'s.
  case finished(id: Int, result: GenerationResult)
  /// Request `id` failed (the model's logits could not be decoded); it is removed, others go on.
  case failed(id: Int, reason: String)
  /// Request `id` was preempted to free memory: its state is dropped, it waits at the front of
  /// the queue and re-reads its prompt and tokens so far when it runs again (recompute).
  case preempted(id: Int)
}

/// What one engine step did.
public struct StepReport: Sendable, Equatable {
  /// The step's events.
  public var events: [EngineEvent]
  /// Requests that read tokens in this step.
  public var running: Int
  /// Tokens read in this step, all requests together (prefill chunks and decode tokens).
  public var tokensRead: Int
  /// Requests waiting after the step.
  public var waiting: Int
  /// Estimated state bytes (``RequestMemory``) of the running requests' full contexts during the step.
  public var reservedBytes: Int
}
