import Generation
import Models

/// Iteration-level (continuous) batching of completion requests over one `SequenceModel`.
///
/// Requests join and leave between steps. Each ``step()``:
/// 1. **preempts** by recompute while the running requests' state estimates (``RequestMemory``
///    of each one's whole context) exceed the ``EngineConfiguration/memoryBudget``: the newest
///    running request drops its state and returns to the front of the queue;
/// 2. **admits** waiting requests in arrival order (the front blocks the rest, so none starves)
///    while fewer than ``EngineConfiguration/maxBatch`` run and the front's context fits the budget;
/// 3. lets every running request read its next tokens: a prompt (or, after preemption, prompt and
///    tokens so far) in chunks of at most ``EngineConfiguration/prefillChunk``, then one token
///    per step; after reading its whole history a request chooses its next token with a
///    `SequentialDecoder`, the decision `generate` makes, so its output equals
///    `generate(model, prompt:, options:)[sample]` up to the float32 rounding of another chunking
///    of the same prefill (chunks and single steps compute the parallel forward's logits to
///    relative 1e-4, `SequenceModel`), which changes a token only at an exact tie.
///
/// **One state per request.** The families' states cannot be packed as rows of one batch: a
/// transformer's `KVCache` holds one position for all its rows (requests of different lengths
/// cannot share it without padding and masks), and the S4 and GRU states have no row insertion
/// or removal. So each running request keeps a batch-1 state and a step makes one `prefill` call
/// per running request. Scheduling, admission, preemption and outputs are those of a packed
/// engine; the cost is speed: the weights are read once per request instead of once per step,
/// and one `B × C` product becomes `B` products of `1 × C`, so a step of `B` decoding requests
/// costs about `B` single-request steps instead of little more than one.
public struct BatchingEngine<Model: SequenceModel> {
  /// The model every request runs on.
  public let model: Model
  /// The engine's limits.
  public let configuration: EngineConfiguration
  /// How request state memory is estimated (zero for a model of unknown family without a budget).
  public let memory: RequestMemory

  /// A request the engine holds: its decoder (history, tokens, generator) and, while running,
  /// its state and how much of the history the state has read.
  private struct Held {
    let id: Int
    var decoder: SequentialDecoder
    var state: Model.State?
    var read = 0
  }

  private var waiting: [Held] = []
  private var running: [Held] = []
  private var nextID = 0

  /// An engine for `model` with `configuration`; `memory` defaults to the family's estimate.
  /// - Throws: ``ServingError/invalidConfiguration(_:)``, or ``ServingError/unknownStateSize(model:)``
  ///   for a memory budget without `memory` for a model of unknown family.
  public init(model: Model, configuration: EngineConfiguration, memory: RequestMemory? = nil) throws {
    try configuration.validate()
    self.model = model
    self.configuration = configuration
    if let memory {
      self.memory = memory
    } else if configuration.memoryBudget != nil {
      self.memory = try RequestMemory(estimatedFor: model)
    } else {
      self.memory = (try? RequestMemory(estimatedFor: model)) ?? RequestMemory(fixedBytes: 0, bytesPerToken: 0)
    }
  }

  /// Requests waiting to run (preempted ones included).
  public var waitingCount: Int { waiting.count }
  /// Requests running.
  public var runningCount: Int { running.count }
  /// Whether no request is waiting or running.
  public var isIdle: Bool { waiting.isEmpty && running.isEmpty }

  /// Queues `request` and returns its id (ids count up from 0 in submission order).
  /// - Throws: ``ServingError/invalidRequest(_:)`` for options `generate` refuses (or beam search),
  ///   ``ServingError/exceedsMemoryBudget(bytes:budget:)`` when its longest context
  ///   (prompt + `maxNewTokens − 1` tokens read) alone exceeds the budget,
  ///   ``ServingError/queueFull(capacity:)`` when ``EngineConfiguration/maxQueue`` wait already.
  ///   A refused request is not queued.
  public mutating func submit(_ request: ServingRequest) throws -> Int {
    let decoder: SequentialDecoder
    do {
      decoder = try SequentialDecoder(
        for: model, prompt: request.prompt, options: request.options, sample: request.sample)
    } catch let error as GenerationError {
      throw ServingError.invalidRequest(error)
    }
    if let budget = configuration.memoryBudget {
      let longest = memory.bytes(forContext: request.prompt.count + request.options.maxNewTokens - 1)
      guard longest <= budget else { throw ServingError.exceedsMemoryBudget(bytes: longest, budget: budget) }
    }
    guard waiting.count < configuration.maxQueue else { throw ServingError.queueFull(capacity: configuration.maxQueue) }
    defer { nextID += 1 }
    waiting.append(Held(id: nextID, decoder: decoder))
    return nextID
  }

  /// Removes request `id` wherever it is (a client that went away); `false` if the engine does
  /// not hold it.
  public mutating func cancel(id: Int) -> Bool {
    if let index = waiting.firstIndex(where: { $0.id == id }) {
      waiting.remove(at: index)
      return true
    }
    if let index = running.firstIndex(where: { $0.id == id }) {
      running.remove(at: index)
      return true
    }
    return false
  }

  /// One iteration: preempt, admit, then every running request reads its next chunk or token
  /// (see the type's description).
  public mutating func step() -> StepReport {
    var events: [EngineEvent] = []
    preemptOverBudget(events: &events)
    admit()
    var tokensRead = 0
    var kept: [Held] = []
    let reservedBytes = reserved(running)
    for var request in running {
      do {
        tokensRead += try advance(&request, events: &events)
        if !request.decoder.isFinished { kept.append(request) }
      } catch {
        events.append(.failed(id: request.id, reason: "\(error)"))
      }
    }
    let report = StepReport(
      events: events, running: running.count, tokensRead: tokensRead, waiting: waiting.count,
      reservedBytes: reservedBytes)
    running = kept
    return report
  }

  /// The state bytes of `requests`' whole contexts (what their states hold after reading them).
  private func reserved(_ requests: [Held]) -> Int {
    requests.reduce(0) { $0 + memory.bytes(forContext: $1.decoder.history.count) }
  }

  /// Moves the newest running requests to the front of the queue until the rest fit the budget
  /// (a lone request always fits: ``submit(_:)`` refused any whose longest context does not).
  private mutating func preemptOverBudget(events: inout [EngineEvent]) {
    guard let budget = configuration.memoryBudget else { return }
    while running.count > 1, reserved(running) > budget {
      var preempted = running.removeLast()
      (preempted.state, preempted.read) = (nil, 0)
      waiting.insert(preempted, at: 0)
      events.append(.preempted(id: preempted.id))
    }
  }

  /// Starts waiting requests in order while the batch has room and the front one fits the budget.
  private mutating func admit() {
    while running.count < configuration.maxBatch, let front = waiting.first {
      if let budget = configuration.memoryBudget, reserved(running + [front]) > budget { return }
      running.append(waiting.removeFirst())
    }
  }

  /// Reads `request`'s next chunk of unread history and, once it has read all of it, chooses its
  /// next token. Returns the tokens read.
  private func advance(_ request: inout Held, events: inout [EngineEvent]) throws -> Int {
    let history = request.decoder.history
    let end = min(request.read + configuration.prefillChunk, history.count)
    let chunk = Array(history[request.read..<end])
    var state = try request.state ?? model.initialState(batchSize: 1)
    let logits = try model.prefill([chunk], state: &state)
    (request.state, request.read) = (state, end)
    let vocabulary = model.vocabulary
    guard logits.count == chunk.count * vocabulary else {
      throw ServingError.invalidConfiguration(
        "the model's prefill returned shape \(logits.shape) for 1 × \(chunk.count) tokens of a vocabulary of \(vocabulary)"
      )
    }
    guard end == history.count else { return chunk.count }
    let token = try request.decoder.next(logits: logits.values[((chunk.count - 1) * vocabulary)...])
    events.append(.token(id: request.id, token: token))
    if request.decoder.isFinished { events.append(.finished(id: request.id, result: request.decoder.result)) }
    return chunk.count
  }
}
